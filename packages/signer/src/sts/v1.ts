import { defaultCrypto } from '#crypto';
import { fromHex, toBase64 } from '../crypto/encoding.js';
import type { SignerCrypto } from '../crypto/types.js';
import { SignerError } from '../errors.js';
import { timingSafeEqualHex } from '../cos/verify.js';

export type StsParams = Record<string, string | number | undefined>;

export interface StsV1Options {
  /** Host as sent in the Host header, port included. */
  host: string;
  method?: 'POST' | 'GET';
  path?: string;
  crypto?: SignerCrypto;
}

/**
 * The v1 ("HmacSHA1"/"HmacSHA256") format string: method, host, path, '?', then every parameter
 * except Signature as k=v sorted by code unit, values verbatim (qcloud-cos-sts sends Policy already
 * percent-encoded, and empty or zero values as '').
 */
export function stsV1FormatString(params: StsParams, options: StsV1Options): string {
  if (!options?.host) throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'the STS host is required');
  const method = options.method ?? 'POST';
  const names = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort();
  let query = '';
  for (const name of names) {
    const value = params[name];
    query += `${(query === '' ? '' : '&') + name}=${value ? String(value) : ''}`;
  }
  return `${method + options.host + (options.path ?? '/')}?${query}`;
}

function algorithmOf(params: StsParams): 'HmacSHA1' | 'HmacSHA256' {
  const method = params.SignatureMethod;
  if (method === undefined || method === 'HmacSHA1') return 'HmacSHA1';
  if (method === 'HmacSHA256') return 'HmacSHA256';
  throw new SignerError('SIGN_ERR_STS_PARAMS', `SignatureMethod "${method}" is neither HmacSHA1 nor HmacSHA256`);
}

/** Base64 signature of an STS API v1 request, as qcloud-cos-sts computes it. */
export function signStsV1(params: StsParams, secretKey: string, options: StsV1Options): string {
  const crypto = options.crypto ?? defaultCrypto;
  const formatString = stsV1FormatString(params, options);
  return algorithmOf(params) === 'HmacSHA256'
    ? toBase64(fromHex(crypto.hmacSha256Hex(secretKey, formatString)))
    : crypto.hmacSha1Base64(secretKey, formatString);
}

export type StsVerifyResult =
  | { valid: true; formatString: string }
  | { valid: false; code: 'SIGN_ERR_STS_PARAMS' | 'SIGN_ERR_SIGNATURE_MISMATCH'; reason: string; formatString?: string };

/** Verifies the Signature parameter of a decoded v1 STS request. */
export function verifyStsV1(params: StsParams, secretKey: string, options: StsV1Options): StsVerifyResult {
  const provided = params.Signature;
  if (typeof provided !== 'string' || provided === '') {
    return { valid: false, code: 'SIGN_ERR_STS_PARAMS', reason: 'the request has no Signature parameter' };
  }
  let expected: string;
  let formatString: string;
  try {
    formatString = stsV1FormatString(params, options);
    expected = signStsV1(params, secretKey, options);
  } catch (e) {
    return { valid: false, code: 'SIGN_ERR_STS_PARAMS', reason: (e as Error).message };
  }
  if (!timingSafeEqualHex(expected, provided)) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      reason: `Signature does not match ${algorithmOf(params)} of the format string`,
      formatString,
    };
  }
  return { valid: true, formatString };
}
