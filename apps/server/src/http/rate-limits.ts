import type { ResolvedServerOptions } from '../config/index.js';
import { localStore, type RateLimitStore, sharedStore } from '../rate-limit-store.js';
import type { SharedRedis } from '../redis.js';

/** Without RATE_LIMIT_CONFIRM_MAX: room for each ticket's confirmation and a few retries of it. */
const CONFIRMATIONS_PER_TICKET = 3;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "1 minute", "30s", "2 hours" or plain milliseconds, as RATE_LIMIT_WINDOW takes them. */
export function durationMs(window: number | string): number {
  if (typeof window === 'number') return window;
  const m = /^(\d+)\s*([A-Za-z ]*)$/.exec(window.trim());
  const unit = (m?.[2] ?? '').trim().toLowerCase();
  const key = unit === '' || unit.startsWith('ms') || unit.startsWith('milli') ? 'ms' : unit.startsWith('mo') ? '' : unit[0]!;
  const factor = UNITS[key];
  if (!m || !factor) throw new Error(`not a duration: ${window}`);
  return Number(m[1]) * factor;
}

/** A duration in the largest whole unit: "1 minute", "90 seconds". */
export function durationText(ms: number): string {
  for (const [name, size] of [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? '' : 's'}`;
  }
  return `${ms} ms`;
}

export interface Verdict {
  over: boolean;
  headers: Record<string, string>;
  message: string;
}

export type Budget = 'tickets' | 'confirm' | 'complete' | 'refresh' | 'signin';

/**
 * Counts requests per caller: per user when the app's authentication named one, per address otherwise.
 * Tickets share one budget whatever their kind (limit 5 means 5 tickets); each confirmation route has a
 * budget of its own, so a client that spent its tickets can still confirm what it uploaded with them.
 * Counted in Redis when it is configured and up, in this instance's memory otherwise.
 */
export class RateLimits {
  readonly #store: RateLimitStore;
  readonly #windowMs: number;
  readonly #max: Record<Budget, number>;

  constructor(limit: Exclude<ResolvedServerOptions['rateLimit'], false>, redis: SharedRedis | undefined) {
    this.#windowMs = durationMs(limit.timeWindow);
    const confirmMax = limit.confirmMax ?? limit.max * CONFIRMATIONS_PER_TICKET;
    // Failed sign-ins are counted per address, before any user is known: guessing tokens costs budget too.
    // A key refresh is counted apart as well: a long upload needs a few, and they must not eat its tickets.
    this.#max = { tickets: limit.max, confirm: confirmMax, complete: confirmMax, refresh: confirmMax, signin: limit.max };
    this.#store = redis ? sharedStore(redis, 'cos-direct-rl-') : localStore();
  }

  /** Counts one request of `who` (e.g. "user:42" or "ip:192.0.2.1") against `budget`. */
  hit(budget: Budget, who: string): Promise<Verdict> {
    const max = this.#max[budget];
    return new Promise((resolve, reject) => {
      this.#store.incr(
        `${budget}:${who}`,
        (error, result) => {
          if (error || !result) return reject(error ?? new Error('the rate-limit store answered nothing'));
          const reset = Math.max(0, Math.ceil(result.ttl / 1000));
          const over = result.current > max;
          const headers: Record<string, string> = {
            'x-ratelimit-limit': String(max),
            'x-ratelimit-remaining': String(Math.max(0, max - result.current)),
            'x-ratelimit-reset': String(reset),
            ...(over ? { 'retry-after': String(reset) } : {}),
          };
          const what =
            budget === 'tickets'
              ? 'tickets'
              : budget === 'signin'
                ? 'failed sign-ins'
                : budget === 'refresh'
                  ? 'key refreshes'
                  : 'confirmations';
          resolve({ over, headers, message: `too many requests: at most ${max} ${what} per ${durationText(this.#windowMs)}` });
        },
        this.#windowMs,
        max,
      );
    });
  }
}
