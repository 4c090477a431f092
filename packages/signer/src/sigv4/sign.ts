import { defaultCrypto } from '#crypto';
import type { HeaderValue } from '../cos/canonical.js';
import { toHex } from '../crypto/encoding.js';
import type { SignerCrypto } from '../crypto/types.js';
import { SignerError } from '../errors.js';
import { canonicalHeadersV4, canonicalQueryV4, canonicalRequestV4, canonicalUriV4, UNSIGNABLE_HEADERS_V4 } from './canonical.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** The x-amz-content-sha256 value of a payload left out of the signature (presigned URLs, streamed bodies). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface SigV4Request {
  method: string;
  /** For S3: the decoded path, which the signer encodes once. Other services: the path as it travels. */
  pathname: string;
  query?: Record<string, string | string[] | undefined>;
  /** Must include Host. */
  headers: Record<string, HeaderValue>;
}

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** A temporary key's token: sent as X-Amz-Security-Token and signed. */
  sessionToken?: string;
}

export interface SigV4Options {
  credentials: SigV4Credentials;
  /** For COS, the bucket's COS region (ap-guangzhou). */
  region: string;
  /** Default "s3", the name COS expects. */
  service?: string;
  /** Unix seconds. */
  signingTime: number;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD. Default: the hash of `body`, else UNSIGNED-PAYLOAD for S3, else the hash of ''. */
  payloadHash?: string;
  body?: string | Uint8Array;
  /** Default: every header given but the UNSIGNABLE_HEADERS_V4 ones. Host is always signed. */
  signHeaders?: (lowerName: string) => boolean;
  /** Default: true for every service but S3 (which signs the path as it is). */
  normalizePath?: boolean;
  crypto?: SignerCrypto;
}

export interface SigV4Result {
  canonicalRequest: string;
  stringToSign: string;
  credentialScope: string;
  signedHeaders: string[];
  signature: string;
}

/** 20130524T000000Z, the X-Amz-Date form of a unix time. */
export function amzDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Unix seconds of an X-Amz-Date value, or undefined when it is not YYYYMMDD'T'HHMMSS'Z'. */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) || amzDate(ms / 1000) !== value ? undefined : ms / 1000;
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKeyV4(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
  crypto = defaultCrypto,
): Uint8Array {
  const kDate = crypto.hmacSha256(`AWS4${secretAccessKey}`, date);
  const kRegion = crypto.hmacSha256(kDate, region);
  const kService = crypto.hmacSha256(kRegion, service);
  return crypto.hmacSha256(kService, 'aws4_request');
}

export function stringToSignV4(amzDateValue: string, credentialScope: string, canonicalRequest: string, crypto = defaultCrypto): string {
  return `${SIGV4_ALGORITHM}\n${amzDateValue}\n${credentialScope}\n${crypto.sha256Hex(canonicalRequest)}`;
}

export interface SigV4Computation {
  method: string;
  pathname: string;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, HeaderValue>;
  signedHeaders: readonly string[];
  payloadHash: string;
  amzDate: string;
  date: string;
  region: string;
  service: string;
  normalizePath: boolean;
  excludeParam?: string;
}

/** Canonical request, string to sign and signature of one request; `missing` names a signed header it lacks. */
export function computeV4(c: SigV4Computation, secretAccessKey: string, crypto = defaultCrypto): SigV4Result & { missing?: string } {
  const credentialScope = `${c.date}/${c.region}/${c.service}/aws4_request`;
  const headers = canonicalHeadersV4(c.headers, c.signedHeaders);
  const canonicalRequest = canonicalRequestV4(
    c.method,
    canonicalUriV4(c.pathname, c.normalizePath),
    canonicalQueryV4(c.query, c.excludeParam),
    'block' in headers ? headers.block : '',
    c.signedHeaders,
    c.payloadHash,
  );
  const stringToSign = stringToSignV4(c.amzDate, credentialScope, canonicalRequest, crypto);
  const key = deriveSigningKeyV4(secretAccessKey, c.date, c.region, c.service, crypto);
  const signature = toHex(crypto.hmacSha256(key, stringToSign));
  return {
    canonicalRequest,
    stringToSign,
    credentialScope,
    signedHeaders: [...c.signedHeaders],
    signature,
    ...('missing' in headers ? { missing: headers.missing } : {}),
  };
}

function check(request: SigV4Request, options: SigV4Options, name: string): void {
  if (!request?.method || typeof request.pathname !== 'string' || !request.pathname.startsWith('/')) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `${name} needs a method and a pathname starting with "/"`);
  }
  const c = options?.credentials;
  if (!c?.accessKeyId || !c.secretAccessKey || !options.region || !Number.isInteger(options.signingTime)) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `${name} needs credentials, a region and an integer signingTime`);
  }
}

function payloadHashOf(options: SigV4Options, service: string, crypto: SignerCrypto): string {
  if (options.payloadHash) return options.payloadHash;
  if (options.body !== undefined) return crypto.sha256Hex(options.body);
  return service === 's3' ? UNSIGNED_PAYLOAD : crypto.sha256Hex('');
}

function signedNames(headers: Record<string, HeaderValue>, include: (name: string) => boolean): string[] {
  const names = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value !== undefined && value !== null && (lower === 'host' || include(lower))) names.add(lower);
  }
  if (!names.has('host')) throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'a SigV4 request must carry a Host header');
  return [...names].sort();
}

export interface SigV4HeaderResult extends SigV4Result {
  authorization: string;
  /** Headers to send along with Authorization (X-Amz-Date, X-Amz-Content-Sha256 for S3, X-Amz-Security-Token). */
  headers: Record<string, string>;
}

/** Signs a request in the Authorization header form. */
export function signV4(request: SigV4Request, options: SigV4Options): SigV4HeaderResult {
  check(request, options, 'signV4');
  const crypto = options.crypto ?? defaultCrypto;
  const service = options.service ?? 's3';
  const date = amzDate(options.signingTime);
  const payloadHash = payloadHashOf(options, service, crypto);
  const added: Record<string, string> = { 'x-amz-date': date };
  if (service === 's3') added['x-amz-content-sha256'] = payloadHash;
  if (options.credentials.sessionToken) added['x-amz-security-token'] = options.credentials.sessionToken;
  const headers = { ...request.headers };
  for (const name of Object.keys(headers)) if (name.toLowerCase() in added) delete headers[name];
  Object.assign(headers, added);
  const include = options.signHeaders ?? ((name: string) => !UNSIGNABLE_HEADERS_V4.has(name));
  const signedHeaders = signedNames(headers, (name) => name in added || include(name));
  const result = computeV4(
    {
      method: request.method,
      pathname: request.pathname,
      query: request.query ?? {},
      headers,
      signedHeaders,
      payloadHash,
      amzDate: date,
      date: date.slice(0, 8),
      region: options.region,
      service,
      normalizePath: options.normalizePath ?? service !== 's3',
    },
    options.credentials.secretAccessKey,
    crypto,
  );
  const authorization = `${SIGV4_ALGORITHM} Credential=${options.credentials.accessKeyId}/${result.credentialScope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${result.signature}`;
  return {
    canonicalRequest: result.canonicalRequest,
    stringToSign: result.stringToSign,
    credentialScope: result.credentialScope,
    signedHeaders: result.signedHeaders,
    signature: result.signature,
    authorization,
    headers: added,
  };
}

export interface SigV4PresignResult extends SigV4Result {
  /** Every query parameter of the presigned URL, the request's own and the X-Amz-* ones, X-Amz-Signature last. */
  query: Record<string, string>;
  /** The same, encoded as a query string. */
  queryString: string;
}

/** Signs a request as a presigned URL (query parameters); the payload is UNSIGNED-PAYLOAD unless given. */
export function presignV4(request: SigV4Request, options: SigV4Options & { expiresIn: number }): SigV4PresignResult {
  check(request, options, 'presignV4');
  if (!Number.isInteger(options.expiresIn) || options.expiresIn < 1 || options.expiresIn > 604800) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'presignV4 needs expiresIn, an integer from 1 to 604800 seconds');
  }
  const crypto = options.crypto ?? defaultCrypto;
  const service = options.service ?? 's3';
  const date = amzDate(options.signingTime);
  const include = options.signHeaders ?? ((name: string) => !UNSIGNABLE_HEADERS_V4.has(name));
  const signedHeaders = signedNames(request.headers, include);
  const scope = `${date.slice(0, 8)}/${options.region}/${service}/aws4_request`;
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (typeof value === 'string') query[name] = value;
    else if (Array.isArray(value) && value.length > 0)
      throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `presignV4 takes one value per query parameter ("${name}" has several)`);
  }
  Object.assign(query, {
    'X-Amz-Algorithm': SIGV4_ALGORITHM,
    'X-Amz-Credential': `${options.credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': date,
    'X-Amz-Expires': String(options.expiresIn),
    ...(options.credentials.sessionToken ? { 'X-Amz-Security-Token': options.credentials.sessionToken } : {}),
    'X-Amz-SignedHeaders': signedHeaders.join(';'),
  });
  const result = computeV4(
    {
      method: request.method,
      pathname: request.pathname,
      query,
      headers: request.headers,
      signedHeaders,
      payloadHash: options.payloadHash ?? (options.body !== undefined ? crypto.sha256Hex(options.body) : UNSIGNED_PAYLOAD),
      amzDate: date,
      date: date.slice(0, 8),
      region: options.region,
      service,
      normalizePath: options.normalizePath ?? service !== 's3',
    },
    options.credentials.secretAccessKey,
    crypto,
  );
  query['X-Amz-Signature'] = result.signature;
  const queryString = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return {
    canonicalRequest: result.canonicalRequest,
    stringToSign: result.stringToSign,
    credentialScope: result.credentialScope,
    signedHeaders: result.signedHeaders,
    signature: result.signature,
    query,
    queryString,
  };
}
