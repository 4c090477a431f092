import { SignerError } from '../errors.js';

export interface TimeWindow {
  start: number;
  end: number;
}

const KEY_TIME = /^(\d{1,12});(\d{1,12})$/;

/** Parses "<start>;<end>" (unix seconds). */
export function parseKeyTime(value: string): TimeWindow {
  const m = KEY_TIME.exec(value);
  if (!m) throw new SignerError('SIGN_ERR_KEY_TIME', `key time "${value}" is not "<start>;<end>" in unix seconds`);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start > end) throw new SignerError('SIGN_ERR_KEY_TIME', `key time "${value}" ends before it starts`);
  return { start, end };
}

export interface KeyTimeOptions {
  keyTime?: string;
  startTime?: number;
  expiresIn?: number;
  now?: () => number;
}

const systemNow = () => Math.floor(Date.now() / 1000);

/** The signature window: explicit, or [now - 1, now - 1 + expiresIn] as the Node SDK does. */
// The last explicit key time that passed validation: callers pass the same one for a whole window.
let lastValidKeyTime = '';

export function resolveKeyTime(options: KeyTimeOptions): string {
  if (options.keyTime !== undefined) {
    if (options.keyTime !== lastValidKeyTime) {
      parseKeyTime(options.keyTime);
      lastValidKeyTime = options.keyTime;
    }
    return options.keyTime;
  }
  // A clock may tick in fractions (Date.now() / 1000); key times are whole seconds.
  const start = options.startTime ?? Math.floor((options.now ?? systemNow)()) - 1;
  const expiresIn = options.expiresIn ?? 900;
  if (!Number.isInteger(start) || start < 0) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `startTime must be a non-negative integer of unix seconds, got ${start}`);
  }
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `expiresIn must be a positive integer of seconds, got ${expiresIn}`);
  }
  return `${start};${start + expiresIn}`;
}
