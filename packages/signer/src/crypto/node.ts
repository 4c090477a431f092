import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';
import type { SignerCrypto } from './types.js';

type OneShot = (algorithm: string, data: string | Uint8Array, encoding: 'hex' | 'buffer') => string | Buffer;
// crypto.hash (Node 20.12+) hashes in one call without a Hash object: the hot step of every signature.
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

const sha1Hex = oneShot
  ? (data: string | Uint8Array) => oneShot('sha1', data, 'hex') as string
  : (data: string | Uint8Array) => createHash('sha1').update(data).digest('hex');

// HMAC-SHA1 from two one-shot hashes (RFC 2104) in preallocated buffers: no Hmac object and no
// allocation per call, which matters because every signature computes two HMACs.
const innerScratch = Buffer.allocUnsafe(64 + 8192);
const outerScratch = Buffer.allocUnsafe(64 + 20);
const keyScratch = Buffer.allocUnsafe(64);

const hmacSha1Hex = oneShot
  ? (key: string, data: string): string => {
      let keyLength = Buffer.byteLength(key, 'utf8');
      if (keyLength > 64) {
        (oneShot('sha1', key, 'buffer') as Buffer).copy(keyScratch, 0);
        keyLength = 20;
      } else {
        keyScratch.write(key, 0, 'utf8');
      }
      for (let i = 0; i < 64; i++) {
        const k = i < keyLength ? keyScratch[i]! : 0;
        innerScratch[i] = k ^ 0x36;
        outerScratch[i] = k ^ 0x5c;
      }
      let message: Buffer;
      if (Buffer.byteLength(data, 'utf8') <= innerScratch.length - 64) {
        const n = innerScratch.write(data, 64, 'utf8');
        message = innerScratch.subarray(0, 64 + n);
      } else {
        message = Buffer.concat([innerScratch.subarray(0, 64), Buffer.from(data, 'utf8')]);
      }
      (oneShot('sha1', message, 'buffer') as Buffer).copy(outerScratch, 64);
      return oneShot('sha1', outerScratch, 'hex') as string;
    }
  : (key: string, data: string) => createHmac('sha1', key).update(data).digest('hex');

/** node:crypto backed primitives, picked by the `#crypto` import under Node. */
export const defaultCrypto: SignerCrypto = {
  sha1Hex,
  hmacSha1Hex,
  hmacSha1Base64: (key, data) => createHmac('sha1', key).update(data).digest('base64'),
  sha256Hex: oneShot ? (data) => oneShot('sha256', data, 'hex') as string : (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
  hmacSha256Hex: (key, data) => createHmac('sha256', key).update(data).digest('hex'),
};
