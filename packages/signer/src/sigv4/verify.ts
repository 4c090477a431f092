import { defaultCrypto } from '#crypto';
import type { HeaderValue } from '../cos/canonical.js';
import { timingSafeEqualHex } from '../cos/verify.js';
import type { SignerCrypto } from '../crypto/types.js';
import { SignerError } from '../errors.js';
import { computeV4, parseAmzDate, SIGV4_ALGORITHM, UNSIGNED_PAYLOAD, type SigV4Request } from './sign.js';

/** A SigV4 signature as a request carries it, from its Authorization header or its X-Amz-* query parameters. */
export interface FoundSigV4 {
  source: 'header' | 'query';
  accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date (header or query). */
  amzDate: string;
  /** Unix seconds of amzDate. */
  signingTime: number;
  /** X-Amz-Expires of a presigned URL. */
  expiresIn?: number;
  securityToken?: string;
  /** x-amz-content-sha256 as sent; for a presigned URL without it, UNSIGNED-PAYLOAD. Undefined when absent from a header signature. */
  payloadHash?: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential\s*=\s*([^,\s]+)\s*,\s*SignedHeaders\s*=\s*([^,\s]+)\s*,\s*Signature\s*=\s*([^,\s]+)\s*$/;

function malformed(message: string): never {
  throw new SignerError('SIGN_ERR_SIGV4_MALFORMED', message);
}

/** <access key>/<date>/<region>/<service>/aws4_request; the access key may itself hold no "/". */
function parseCredential(value: string): Pick<FoundSigV4, 'accessKeyId' | 'date' | 'region' | 'service'> {
  const parts = value.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!) || !parts[0] || !parts[2] || !parts[3]) {
    malformed(`the credential "${value}" is not <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request`);
  }
  return { accessKeyId: parts[0]!, date: parts[1]!, region: parts[2]!, service: parts[3]! };
}

function signedList(value: string): string[] {
  const names = value.split(';');
  if (names.some((n) => n === '' || n !== n.toLowerCase())) malformed(`SignedHeaders "${value}" is not a ";" list of lower-case names`);
  const sorted = [...names].sort();
  if (sorted.join(';') !== value || new Set(names).size !== names.length) malformed(`SignedHeaders "${value}" is not sorted and unique`);
  return names;
}

function headerOf(headers: Record<string, HeaderValue>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name || v === undefined || v === null) continue;
    return typeof v === 'object' ? v.join(',') : String(v);
  }
  return undefined;
}

/** Parses "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…". */
export function parseSigV4Authorization(
  value: string,
): Pick<FoundSigV4, 'accessKeyId' | 'date' | 'region' | 'service' | 'signedHeaders' | 'signature'> {
  const m = AUTHORIZATION.exec((value ?? '').trim());
  if (!m)
    malformed(
      'Authorization is not "AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request, SignedHeaders=<a;b>, Signature=<64 hex>"',
    );
  if (!/^[0-9a-f]{64}$/.test(m[3]!)) malformed(`Signature "${m[3]}" is not 64 lower-case hex digits`);
  return { ...parseCredential(m[1]!), signedHeaders: signedList(m[2]!), signature: m[3]! };
}

/**
 * Finds a SigV4 signature in a request: an Authorization header starting AWS4-HMAC-SHA256, or an
 * X-Amz-Algorithm query parameter. Undefined when there is neither; SIGN_ERR_SIGV4_MALFORMED when one is there but broken.
 */
export function findSigV4(request: {
  headers: Record<string, HeaderValue>;
  query?: Record<string, string | undefined>;
}): FoundSigV4 | undefined {
  const authorization = headerOf(request.headers, 'authorization');
  const query = request.query ?? {};
  if (authorization !== undefined && /^AWS4-HMAC-SHA256(\s|$)/.test(authorization.trim())) {
    const parsed = parseSigV4Authorization(authorization);
    const amzDate = headerOf(request.headers, 'x-amz-date');
    if (amzDate === undefined) malformed('a SigV4 Authorization header needs an X-Amz-Date header');
    const signingTime = parseAmzDate(amzDate);
    if (signingTime === undefined) malformed(`X-Amz-Date "${amzDate}" is not YYYYMMDD'T'HHMMSS'Z'`);
    const payloadHash = headerOf(request.headers, 'x-amz-content-sha256');
    const securityToken = headerOf(request.headers, 'x-amz-security-token');
    return {
      source: 'header',
      ...parsed,
      amzDate,
      signingTime,
      ...(payloadHash === undefined ? {} : { payloadHash }),
      ...(securityToken === undefined ? {} : { securityToken }),
    };
  }
  const algorithm = query['X-Amz-Algorithm'];
  if (algorithm === undefined) return undefined;
  if (algorithm !== SIGV4_ALGORITHM) malformed(`X-Amz-Algorithm "${algorithm}" is not ${SIGV4_ALGORITHM}`);
  const need = (name: string): string => {
    const value = query[name];
    if (value === undefined || value === '') malformed(`a presigned SigV4 URL needs the ${name} parameter`);
    return value;
  };
  const credential = parseCredential(need('X-Amz-Credential'));
  const amzDate = need('X-Amz-Date');
  const signingTime = parseAmzDate(amzDate);
  if (signingTime === undefined) malformed(`X-Amz-Date "${amzDate}" is not YYYYMMDD'T'HHMMSS'Z'`);
  const expires = need('X-Amz-Expires');
  if (!/^\d{1,6}$/.test(expires) || Number(expires) < 1 || Number(expires) > 604800) {
    malformed(`X-Amz-Expires "${expires}" must be a number of seconds from 1 to 604800`);
  }
  const signature = need('X-Amz-Signature');
  if (!/^[0-9a-f]{64}$/.test(signature)) malformed(`X-Amz-Signature "${signature}" is not 64 lower-case hex digits`);
  const securityToken = query['X-Amz-Security-Token'] ?? headerOf(request.headers, 'x-amz-security-token');
  return {
    source: 'query',
    ...credential,
    signedHeaders: signedList(need('X-Amz-SignedHeaders')),
    signature,
    amzDate,
    signingTime,
    expiresIn: Number(expires),
    payloadHash: headerOf(request.headers, 'x-amz-content-sha256') ?? UNSIGNED_PAYLOAD,
    ...(securityToken === undefined ? {} : { securityToken }),
  };
}

export type SigV4VerifyResult =
  | { valid: true; canonicalRequest: string; stringToSign: string }
  | {
      valid: false;
      code: 'SIGN_ERR_SIGNATURE_MISMATCH' | 'SIGN_ERR_SIGNED_HEADER_MISSING' | 'SIGN_ERR_SIGV4_MALFORMED';
      reason: string;
      canonicalRequest: string;
      stringToSign: string;
      expectedSignature?: string;
      missing?: string;
    };

/**
 * Recomputes a found SigV4 signature from the request as received. Checks no clock and no scope:
 * the caller decides which date, region, service and access key it accepts. `payloadHash` overrides
 * the one the request declared (a service without x-amz-content-sha256 passes the body's hash).
 */
export function verifyV4(
  request: SigV4Request,
  found: FoundSigV4,
  secretAccessKey: string,
  options: { crypto?: SignerCrypto; payloadHash?: string; normalizePath?: boolean } = {},
): SigV4VerifyResult {
  const crypto = options.crypto ?? defaultCrypto;
  const payloadHash = options.payloadHash ?? found.payloadHash ?? crypto.sha256Hex('');
  const result = computeV4(
    {
      method: request.method,
      pathname: request.pathname,
      query: request.query ?? {},
      headers: request.headers,
      signedHeaders: found.signedHeaders,
      payloadHash,
      amzDate: found.amzDate,
      date: found.date,
      region: found.region,
      service: found.service,
      normalizePath: options.normalizePath ?? found.service !== 's3',
      ...(found.source === 'query' ? { excludeParam: 'X-Amz-Signature' } : {}),
    },
    secretAccessKey,
    crypto,
  );
  const { canonicalRequest, stringToSign } = result;
  if (!found.signedHeaders.includes('host')) {
    return { valid: false, code: 'SIGN_ERR_SIGV4_MALFORMED', reason: 'SignedHeaders must include host', canonicalRequest, stringToSign };
  }
  if (result.missing !== undefined) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNED_HEADER_MISSING',
      reason: `SignedHeaders names "${result.missing}" but the request has no such header`,
      missing: result.missing,
      canonicalRequest,
      stringToSign,
    };
  }
  if (found.amzDate.slice(0, 8) !== found.date) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      reason: `the credential date ${found.date} is not the date of X-Amz-Date ${found.amzDate}`,
      canonicalRequest,
      stringToSign,
    };
  }
  if (!timingSafeEqualHex(result.signature, found.signature)) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      reason: 'the signature does not match the one computed from the canonical request and the secret key of the credential',
      expectedSignature: result.signature,
      canonicalRequest,
      stringToSign,
    };
  }
  return { valid: true, canonicalRequest, stringToSign };
}
