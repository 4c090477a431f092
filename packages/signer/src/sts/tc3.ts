import { defaultCrypto } from '#crypto';
import { toHex } from '../crypto/encoding.js';
import type { SignerCrypto } from '../crypto/types.js';
import { SignerError } from '../errors.js';
import { timingSafeEqualHex } from '../cos/verify.js';

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** Host header value; the canonical request uses it without the port. */
  host: string;
  /** Default: the first label of the host ("sts"). */
  service?: string;
  /** Unix seconds, as sent in X-TC-Timestamp. */
  timestamp: number;
  payload: string;
  /** Default application/json. */
  contentType?: string;
  method?: 'POST' | 'GET';
  /** Canonical query string for GET; '' for POST. */
  query?: string;
  crypto?: SignerCrypto;
}

export interface Tc3Result {
  authorization: string;
  canonicalRequest: string;
  stringToSign: string;
  credentialScope: string;
  signature: string;
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/** TencentCloud API 3.0 signature (TC3-HMAC-SHA256). */
export function signTc3(input: Tc3Input): Tc3Result {
  if (!input?.secretId || !input.secretKey || !input.host || !Number.isInteger(input.timestamp)) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'signTc3 needs secretId, secretKey, host and an integer timestamp');
  }
  const crypto = input.crypto ?? defaultCrypto;
  const host = hostname(input.host);
  const service = input.service ?? host.split('.')[0]!;
  const contentType = input.contentType ?? 'application/json';
  const method = input.method ?? 'POST';
  const canonicalRequest =
    method +
    '\n/\n' +
    (input.query ?? '') +
    '\n' +
    'content-type:' +
    contentType +
    '\nhost:' +
    host +
    '\n\n' +
    'content-type;host\n' +
    crypto.sha256Hex(input.payload);
  const date = utcDate(input.timestamp);
  const credentialScope = `${date}/${service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${input.timestamp}\n${credentialScope}\n${crypto.sha256Hex(canonicalRequest)}`;
  const kDate = crypto.hmacSha256(`TC3${input.secretKey}`, date);
  const kService = crypto.hmacSha256(kDate, service);
  const kSigning = crypto.hmacSha256(kService, 'tc3_request');
  const signature = toHex(crypto.hmacSha256(kSigning, stringToSign));
  const authorization = `TC3-HMAC-SHA256 Credential=${input.secretId}/${credentialScope}, SignedHeaders=content-type;host, Signature=${signature}`;
  return { authorization, canonicalRequest, stringToSign, credentialScope, signature };
}

export interface Tc3Authorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const TC3 =
  /^TC3-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s,]+)\/tc3_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})$/i;

export function parseTc3Authorization(value: string): Tc3Authorization {
  const m = TC3.exec((value ?? '').trim());
  if (!m) {
    throw new SignerError(
      'SIGN_ERR_TC3_MALFORMED',
      'Authorization is not "TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=…, Signature=<64 hex>"',
    );
  }
  return { secretId: m[1]!, date: m[2]!, service: m[3]!, signedHeaders: m[4]!.toLowerCase().split(';'), signature: m[5]!.toLowerCase() };
}

export type Tc3VerifyResult =
  | { valid: true; canonicalRequest: string; stringToSign: string }
  | {
      valid: false;
      code: 'SIGN_ERR_TC3_MALFORMED' | 'SIGN_ERR_SIGNATURE_MISMATCH';
      reason: string;
      canonicalRequest?: string;
      stringToSign?: string;
    };

/** Verifies a TC3 request. `authorization` is the header value; other fields as the request carried them. */
export function verifyTc3(input: Omit<Tc3Input, 'secretId'> & { authorization: string }): Tc3VerifyResult {
  let parsed: Tc3Authorization;
  try {
    parsed = parseTc3Authorization(input.authorization);
  } catch (e) {
    return { valid: false, code: 'SIGN_ERR_TC3_MALFORMED', reason: (e as Error).message };
  }
  if (parsed.signedHeaders.join(';') !== 'content-type;host') {
    return {
      valid: false,
      code: 'SIGN_ERR_TC3_MALFORMED',
      reason: `SignedHeaders must be content-type;host, got ${parsed.signedHeaders.join(';')}`,
    };
  }
  const expected = signTc3({ ...input, secretId: parsed.secretId, service: parsed.service });
  if (utcDate(input.timestamp) !== parsed.date) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      reason: `the credential date ${parsed.date} is not the UTC date of X-TC-Timestamp (${utcDate(input.timestamp)})`,
      canonicalRequest: expected.canonicalRequest,
      stringToSign: expected.stringToSign,
    };
  }
  if (!timingSafeEqualHex(expected.signature, parsed.signature)) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      reason: 'Signature does not match the one computed from the canonical request',
      canonicalRequest: expected.canonicalRequest,
      stringToSign: expected.stringToSign,
    };
  }
  return { valid: true, canonicalRequest: expected.canonicalRequest, stringToSign: expected.stringToSign };
}
