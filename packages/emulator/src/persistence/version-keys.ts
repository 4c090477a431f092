// Version records in key order, newest first within a key, and COS-shaped version ids.

import { COS_LIMITS } from '@cos-direct/signer';
import { escaped, objectBase } from './keys.js';
import type { VersionRange } from './types.js';

const ZERO = Buffer.from([0]);
const ONE = Buffer.from([1]);
const TOP = Buffer.from([0xff]);
const utf8 = (s: string) => Buffer.from(s, 'utf8');
const U64_MAX = (1n << 64n) - 1n;

/** Inverted, so that ascending key order lists a key's versions newest first. */
function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(U64_MAX - BigInt(seq));
  return b;
}

/** bucket 0x00 escaped(key) 0x00: every version of the key, and no other key's, starts with it. */
const keyBase = (bucket: string, key: string) => Buffer.concat([objectBase(bucket), escaped(utf8(key)), ZERO]);

export const versionKey = (bucket: string, key: string, seq: number) => Buffer.concat([keyBase(bucket, key), seqBytes(seq)]);

/** The versions of one key, newest first. */
export function keyVersionBounds(bucket: string, key: string): { start: Buffer; end: Buffer } {
  const base = Buffer.concat([objectBase(bucket), escaped(utf8(key))]);
  return { start: Buffer.concat([base, ZERO]), end: Buffer.concat([base, ONE]) };
}

export function versionBounds(bucket: string, range: VersionRange = {}): { start: Buffer; end: Buffer } {
  const base = objectBase(bucket);
  const prefixBytes = utf8(range.prefix ?? '');
  if (prefixBytes.length > COS_LIMITS.maxKeyBytes) return { start: ONE, end: ONE };
  const prefix = Buffer.concat([base, escaped(prefixBytes)]);
  let start: Buffer = prefix;
  if (range.after !== undefined) {
    const afterBytes = utf8(range.after);
    const after = Buffer.concat([
      base,
      escaped(afterBytes.length > COS_LIMITS.maxKeyBytes + 1 ? afterBytes.subarray(0, COS_LIMITS.maxKeyBytes + 1) : afterBytes),
    ]);
    let above: Buffer;
    if (range.skipDescendants) above = Buffer.concat([after, TOP]);
    // Just above the marker's own entry: its older versions follow.
    else if (range.afterSeq !== undefined) above = Buffer.concat([after, ZERO, seqBytes(range.afterSeq), ZERO]);
    else above = Buffer.concat([after, ONE]);
    if (Buffer.compare(above, start) > 0) start = above;
  }
  return { start, end: Buffer.concat([prefix, TOP]) };
}

/**
 * COS's version ids are the base64 of a decimal: 2^64 - 1 minus the version's time in microseconds
 * (`MTg0NDUxNTc1NjIzMTQ1MDAwODg`). The emulator makes them the same way from the version's sequence.
 */
export function encodeVersionId(seq: number): string {
  return Buffer.from(String(U64_MAX - BigInt(seq)))
    .toString('base64')
    .replace(/=+$/, '');
}

/** The sequence of a version id the emulator made, or undefined for anything else. */
export function decodeVersionId(id: string): number | undefined {
  if (!/^[A-Za-z0-9+/]{1,40}$/.test(id)) return undefined;
  const digits = Buffer.from(id, 'base64').toString('latin1');
  if (!/^\d{1,20}$/.test(digits)) return undefined;
  const n = BigInt(digits);
  if (n > U64_MAX) return undefined;
  const seq = U64_MAX - n;
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return encodeVersionId(Number(seq)) === id ? Number(seq) : undefined;
}
