export { defaultCrypto } from '#crypto';
export type { SignerCrypto } from './crypto/types.js';
export { SignerError, SignerErrorCodes, type SignerErrorCode } from './errors.js';

export { cosUrlEncode, encodeKeyPath } from './cos/encode.js';
export { parseKeyTime, type TimeWindow } from './cos/key-time.js';
export type { HeaderValue } from './cos/canonical.js';
export {
  parseAuthorization,
  findAuthorization,
  formatAuthorization,
  type AuthorizationFields,
  type FoundAuthorization,
} from './cos/authorization.js';
export {
  signRequest,
  presignRequest,
  type CosRequest,
  type CosCredentials,
  type SignOptions,
  type SignResult,
  type PresignResult,
} from './cos/sign.js';
export { verifyRequest, type VerifyResult } from './cos/verify.js';
