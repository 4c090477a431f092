import { createHash, createHmac } from 'node:crypto';
import type { SignerCrypto } from './types.js';

/** node:crypto backed primitives, picked by the `#crypto` import under Node. */
export const defaultCrypto: SignerCrypto = {
  sha1Hex: (data) => createHash('sha1').update(data).digest('hex'),
  hmacSha1Hex: (key, data) => createHmac('sha1', key).update(data).digest('hex'),
  hmacSha1Base64: (key, data) => createHmac('sha1', key).update(data).digest('base64'),
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
  hmacSha256Hex: (key, data) => createHmac('sha256', key).update(data).digest('hex'),
};
