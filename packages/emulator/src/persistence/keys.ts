// Record keys as bytes, ordered as COS lists: UTF-8 binary order. Both metadata stores use them, so the
// memory store and the database scan the same ranges.

import { COS_LIMITS } from '@cos-direct/signer';

const ZERO = Buffer.from([0]);
/** Above every byte valid UTF-8 can hold: appended to a prefix, it bounds every key that starts with it. */
const TOP = Buffer.from([0xff]);

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** Above every upload id the emulator makes (58 bytes). */
const MAX_UPLOAD_ID = 100;
/**
 * A marker cut to one byte more than the longest possible key (or id) compares with every such key as the
 * whole marker does, and keeps bounds within the database's key size.
 */
const cut = (bytes: Buffer, max: number) => (bytes.length > max + 1 ? bytes.subarray(0, max + 1) : bytes);
/** No key can start with a prefix longer than a key: such a range is empty. */
const EMPTY: Bounds = { start: Buffer.from([1]), end: Buffer.from([1]) };

/**
 * Escapes 0x00 and 0x01 so that a key can be followed by another field and still sort by key first:
 * 0x00 → 01 01, 0x01 → 01 02, then a 0x00 terminator. Order-preserving.
 */
export function escaped(bytes: Buffer): Buffer {
  if (!bytes.includes(0) && !bytes.includes(1)) return bytes;
  const out: number[] = [];
  for (const b of bytes) {
    if (b <= 1) out.push(1, b + 1);
    else out.push(b);
  }
  return Buffer.from(out);
}

export const bucketKey = (name: string) => utf8(name);

/** bucket 0x00 sub-resource 0x00 id: neither a bucket nor a sub-resource name holds 0x00. */
export const bucketConfigKey = (bucket: string, name: string, id = '') => Buffer.concat([utf8(bucket), ZERO, utf8(name), ZERO, utf8(id)]);
/** Every configuration of a bucket, or of one of its sub-resources. */
export const bucketConfigBounds = (bucket: string, name?: string): Bounds => {
  const base = name === undefined ? Buffer.concat([utf8(bucket), ZERO]) : Buffer.concat([utf8(bucket), ZERO, utf8(name), ZERO]);
  return { start: base, end: Buffer.concat([base, TOP]) };
};

/** bucket 0x00 key: the bucket name holds no 0x00, and the key is the last field. */
export const objectBase = (bucket: string) => Buffer.concat([utf8(bucket), ZERO]);
export const objectKey = (bucket: string, key: string) => Buffer.concat([objectBase(bucket), utf8(key)]);

export interface Bounds {
  /** Inclusive. */
  start: Buffer;
  /** Exclusive. */
  end: Buffer;
}

export interface RangeSpec {
  prefix?: string;
  after?: string;
  skipDescendants?: boolean;
  afterUploadId?: string;
}

export function objectBounds(bucket: string, range: RangeSpec = {}): Bounds {
  const base = objectBase(bucket);
  const prefixBytes = utf8(range.prefix ?? '');
  if (prefixBytes.length > COS_LIMITS.maxKeyBytes) return EMPTY;
  const prefix = Buffer.concat([base, prefixBytes]);
  let start: Buffer<ArrayBufferLike> = prefix;
  if (range.after !== undefined) {
    const after = Buffer.concat([base, cut(utf8(range.after), COS_LIMITS.maxKeyBytes)]);
    // The least key above `after` is `after` 0x00; above all its descendants, `after` 0xFF.
    const above = Buffer.concat([after, range.skipDescendants ? TOP : ZERO]);
    if (Buffer.compare(above, start) > 0) start = above;
  }
  return { start, end: Buffer.concat([prefix, TOP]) };
}

/** bucket 0x00 escaped(key) 0x00 uploadId. */
export const uploadKey = (bucket: string, key: string, uploadId: string) =>
  Buffer.concat([objectBase(bucket), escaped(utf8(key)), ZERO, utf8(uploadId)]);

export function uploadBounds(bucket: string, range: RangeSpec = {}): Bounds {
  const base = objectBase(bucket);
  const prefixBytes = utf8(range.prefix ?? '');
  if (prefixBytes.length > COS_LIMITS.maxKeyBytes) return EMPTY;
  const prefix = Buffer.concat([base, escaped(prefixBytes)]);
  let start: Buffer<ArrayBufferLike> = prefix;
  if (range.after !== undefined) {
    const after = Buffer.concat([base, escaped(cut(utf8(range.after), COS_LIMITS.maxKeyBytes))]);
    let above: Buffer<ArrayBufferLike>;
    if (range.skipDescendants) above = Buffer.concat([after, TOP]);
    else if (range.afterUploadId !== undefined) above = Buffer.concat([after, ZERO, cut(utf8(range.afterUploadId), MAX_UPLOAD_ID), ZERO]);
    else above = Buffer.concat([after, ZERO, TOP]);
    if (Buffer.compare(above, start) > 0) start = above;
  }
  return { start, end: Buffer.concat([prefix, TOP]) };
}

const partNumberBytes = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
/** uploadId 0x00 partNumber (4 bytes, big-endian). */
export const partKey = (uploadId: string, partNumber: number) => Buffer.concat([utf8(uploadId), ZERO, partNumberBytes(partNumber)]);
export const partBounds = (uploadId: string, after = 0): Bounds => ({
  start: partKey(uploadId, after + 1),
  end: Buffer.concat([utf8(uploadId), Buffer.from([1])]),
});
