import { defaultCrypto } from '#crypto';
import type { SignerCrypto } from '../crypto/types.js';
import type { AuthorizationFields } from './authorization.js';
import { canonicalizeListed } from './canonical.js';
import { formatStringOf, signKeyFor, stringToSignOf, type CosRequest } from './sign.js';

export type VerifyResult =
  | { valid: true; formatString: string; stringToSign: string }
  | {
      valid: false;
      code: 'SIGN_ERR_SIGNATURE_MISMATCH' | 'SIGN_ERR_SIGNED_HEADER_MISSING' | 'SIGN_ERR_SIGNED_PARAM_MISSING';
      reason: string;
      formatString: string;
      stringToSign: string;
      expectedSignature?: string;
      missing?: string;
    };

/** Constant-time comparison of two hex strings. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Recomputes the signature of a request from the fields a client sent, rebuilding parameters and
 * headers in the order the client listed them. Checks no clock: the caller decides what time
 * window and which SecretId it accepts.
 */
export function verifyRequest(
  request: CosRequest,
  fields: AuthorizationFields,
  secretKey: string,
  options: { crypto?: SignerCrypto } = {},
): VerifyResult {
  const crypto = options.crypto ?? defaultCrypto;
  const params = canonicalizeListed(request.query, fields.urlParamList);
  const headers = canonicalizeListed(request.headers, fields.headerList);
  const formatString = formatStringOf(
    request.method,
    request.pathname,
    'pairs' in params ? params.pairs : '',
    'pairs' in headers ? headers.pairs : '',
  );
  const stringToSign = stringToSignOf(fields.signTime, formatString, crypto);
  if ('missing' in headers) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNED_HEADER_MISSING',
      reason: `q-header-list names "${headers.missing}" but the request has no such header`,
      missing: headers.missing,
      formatString,
      stringToSign,
    };
  }
  if ('missing' in params) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNED_PARAM_MISSING',
      reason: `q-url-param-list names "${params.missing}" but the request has no such query parameter`,
      missing: params.missing,
      formatString,
      stringToSign,
    };
  }
  const expected = crypto.hmacSha1Hex(signKeyFor(secretKey, fields.keyTime, crypto), stringToSign);
  if (!timingSafeEqualHex(expected, fields.signature.toLowerCase())) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      reason: 'the signature does not match the one computed from the request and the secret key of q-ak',
      expectedSignature: expected,
      formatString,
      stringToSign,
    };
  }
  return { valid: true, formatString, stringToSign };
}
