import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';
import type { SignerCrypto } from './types.js';

type OneShot = (algorithm: string, data: string | Uint8Array, encoding: 'hex' | 'latin1') => string;
// crypto.hash (Node 20.12+) hashes in one call without a Hash object: the hot step of every signature.
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

const sha1Hex = oneShot
  ? (data: string | Uint8Array) => oneShot('sha1', data, 'hex')
  : (data: string | Uint8Array) => createHash('sha1').update(data).digest('hex');

// HMAC-SHA1 from two one-shot hashes (RFC 2104), without an Hmac object per call: every signature
// computes two HMACs, and creating Hmac objects or 'buffer' digests costs more than the hashing. For
// an ASCII key of at most 64 bytes the inner pad is ASCII too, so it is hashed as a string together
// with the message; the outer pad and the inner digest (as latin1) share one buffer.
const X36 = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c ^ 0x36));
const FILL36 = '6'.repeat(64);

/** The pads of one key. Two are kept: a signature alternates between the secret and its SignKey. */
interface PadSlot {
  key: string | undefined;
  inner: string;
  /** Outer pad, then room for the inner digest. */
  outer: Buffer;
}
const slots: [PadSlot, PadSlot] = [
  { key: undefined, inner: '', outer: Buffer.alloc(64 + 20) },
  { key: undefined, inner: '', outer: Buffer.alloc(64 + 20) },
];
let lastSlot = 0;

function padsOf(key: string): PadSlot | undefined {
  if (slots[0].key === key) {
    lastSlot = 0;
    return slots[0];
  }
  if (slots[1].key === key) {
    lastSlot = 1;
    return slots[1];
  }
  if (key.length > 64) return undefined;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return undefined;
  lastSlot ^= 1;
  const slot = slots[lastSlot]!;
  let inner = '';
  const outer = slot.outer;
  for (let i = 0; i < 64; i++) {
    const c = i < key.length ? key.charCodeAt(i) : 0;
    if (i < key.length) inner += X36[c];
    outer[i] = c ^ 0x5c;
  }
  slot.inner = inner + FILL36.slice(key.length);
  slot.key = key;
  return slot;
}

const hmacSha1Hex = oneShot
  ? (key: string, data: string): string => {
      const pads = padsOf(key);
      if (pads === undefined) return createHmac('sha1', key).update(data).digest('hex');
      pads.outer.write(oneShot('sha1', pads.inner + data, 'latin1'), 64, 20, 'latin1');
      return oneShot('sha1', pads.outer, 'hex');
    }
  : (key: string, data: string) => createHmac('sha1', key).update(data).digest('hex');

/** node:crypto backed primitives, picked by the `#crypto` import under Node. */
export const defaultCrypto: SignerCrypto = {
  sha1Hex,
  hmacSha1Hex,
  hmacSha1Base64: (key, data) => createHmac('sha1', key).update(data).digest('base64'),
  sha256Hex: oneShot ? (data) => oneShot('sha256', data, 'hex') : (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
  hmacSha256Hex: (key, data) => createHmac('sha256', key).update(data).digest('hex'),
};
