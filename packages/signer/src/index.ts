export { defaultCrypto } from '#crypto';
export type { SignerCrypto } from './crypto/types.js';
export { SignerError, SignerErrorCodes, type SignerErrorCode } from './errors.js';

export { cosUrlEncode, encodeKeyPath } from './cos/encode.js';
export { COS_LIMITS } from './cos/limits.js';
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

export {
  createPostPolicy,
  signPostPolicy,
  verifyPostSignature,
  checkPostPolicy,
  decodePolicyField,
  type PostPolicy,
  type PostPolicyCondition,
  type CreatePostPolicyInput,
  type PostFormFields,
  type PostVerifyResult,
  type PolicyCheckResult,
} from './post/policy.js';

export { stsV1FormatString, signStsV1, verifyStsV1, type StsParams, type StsV1Options, type StsVerifyResult } from './sts/v1.js';
export {
  signTc3,
  verifyTc3,
  parseTc3Authorization,
  type Tc3Input,
  type Tc3Result,
  type Tc3Authorization,
  type Tc3VerifyResult,
} from './sts/tc3.js';

export {
  signV4,
  presignV4,
  deriveSigningKeyV4,
  stringToSignV4,
  amzDate,
  parseAmzDate,
  SIGV4_ALGORITHM,
  UNSIGNED_PAYLOAD,
  type SigV4Request,
  type SigV4Credentials,
  type SigV4Options,
  type SigV4Result,
  type SigV4HeaderResult,
  type SigV4PresignResult,
} from './sigv4/sign.js';
export { canonicalRequestV4, canonicalUriV4, canonicalQueryV4, uriEncodeV4 } from './sigv4/canonical.js';
export { findSigV4, parseSigV4Authorization, verifyV4, type FoundSigV4, type SigV4VerifyResult } from './sigv4/verify.js';

export {
  cosResource,
  createObjectPolicy,
  UPLOAD_ACTIONS,
  MULTIPART_UPLOAD_ACTIONS,
  type CamPolicy,
  type CamStatement,
  type CamCondition,
  type CamConditionValue,
  type CosResourceInput,
  type ObjectPolicyInput,
} from './cam/policy.js';
