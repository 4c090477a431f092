import { defaultCrypto } from '#crypto';
import type { SignerCrypto } from '../crypto/types.js';
import { SignerError } from '../errors.js';
import type { AuthorizationFields } from './authorization.js';
import { canonicalize, includeAll, includeOnly, sdkHeaderFilter, type HeaderValue } from './canonical.js';
import { cosUrlEncode } from './encode.js';
import { resolveKeyTime } from './key-time.js';

/** A request in neutral form: the decoded path and decoded query, as COS sees them. */
export interface CosRequest {
  method: string;
  /** Decoded path starting with '/', e.g. '/dir/a b.jpg' (object key with a leading slash). */
  pathname: string;
  /** Decoded names and values; '' or null for a value-less parameter. */
  query?: Record<string, string | undefined | null>;
  headers?: Record<string, HeaderValue>;
}

export interface CosCredentials {
  secretId: string;
  secretKey: string;
  securityToken?: string;
}

export interface SignOptions {
  credentials: CosCredentials;
  /** Unix seconds. Default: now - 1, as the Node SDK backdates by one second. */
  startTime?: number;
  /** Seconds the signature stays valid. Default 900. */
  expiresIn?: number;
  /** Explicit "<start>;<end>"; overrides startTime and expiresIn. */
  keyTime?: string;
  /** Unix seconds clock. Default: the system clock. */
  now?: () => number;
  /** Which headers to sign: 'sdk' (default, the cos-nodejs-sdk-v5 rule), 'all', or a list of names. */
  signHeaders?: 'sdk' | 'all' | readonly string[];
  /** Which query parameters to sign: all (default), none, or a list of names. */
  signQuery?: boolean | readonly string[];
  crypto?: SignerCrypto;
}

export interface SignResult {
  authorization: string;
  fields: AuthorizationFields;
  /** The HttpString COS hashes: method, path, parameters and headers, one per line. */
  formatString: string;
  stringToSign: string;
}

// SignKey depends only on the secret and the key time, which repeat across the requests a server
// signs within one window: remember the last one per secret (no key building, no eviction sweeps).
const SIGN_KEY_CACHE_LIMIT = 64;
const signKeyCache = new Map<string, { keyTime: string; signKey: string }>();

export function signKeyFor(secretKey: string, keyTime: string, crypto: SignerCrypto): string {
  if (crypto !== defaultCrypto) return crypto.hmacSha1Hex(secretKey, keyTime);
  const last = signKeyCache.get(secretKey);
  if (last !== undefined && last.keyTime === keyTime) return last.signKey;
  const signKey = crypto.hmacSha1Hex(secretKey, keyTime);
  if (last !== undefined) {
    last.keyTime = keyTime;
    last.signKey = signKey;
  } else {
    if (signKeyCache.size >= SIGN_KEY_CACHE_LIMIT) signKeyCache.clear();
    signKeyCache.set(secretKey, { keyTime, signKey });
  }
  return signKey;
}

export function formatStringOf(method: string, pathname: string, params: string, headers: string): string {
  return `${method.toLowerCase()}\n${pathname}\n${params}\n${headers}\n`;
}

export function stringToSignOf(signTime: string, formatString: string, crypto: SignerCrypto): string {
  return `sha1\n${signTime}\n${crypto.sha1Hex(formatString)}\n`;
}

function checkRequest(request: CosRequest, options: SignOptions): void {
  if (!request || typeof request.method !== 'string' || request.method === '') {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'request.method must be a non-empty string');
  }
  if (typeof request.pathname !== 'string' || !request.pathname.startsWith('/')) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'request.pathname must be a decoded path starting with "/"');
  }
  const c = options?.credentials;
  if (!c || typeof c.secretId !== 'string' || c.secretId === '' || typeof c.secretKey !== 'string' || c.secretKey === '') {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'credentials.secretId and credentials.secretKey are required');
  }
}

/** Computes the COS Authorization value for a request. */
export function signRequest(request: CosRequest, options: SignOptions): SignResult {
  checkRequest(request, options);
  const crypto = options.crypto ?? defaultCrypto;
  const keyTime = resolveKeyTime(options);
  const headerFilter =
    options.signHeaders === undefined || options.signHeaders === 'sdk'
      ? sdkHeaderFilter
      : options.signHeaders === 'all'
        ? includeAll
        : includeOnly(options.signHeaders);
  const signQuery = options.signQuery ?? true;
  const queryFilter = signQuery === true ? includeAll : signQuery === false ? () => false : includeOnly(signQuery);

  const headers = canonicalize(request.headers, headerFilter);
  const params = canonicalize(request.query, queryFilter);
  const formatString = formatStringOf(request.method, request.pathname, params.pairs, headers.pairs);
  const stringToSign = stringToSignOf(keyTime, formatString, crypto);
  const signature = crypto.hmacSha1Hex(signKeyFor(options.credentials.secretKey, keyTime, crypto), stringToSign);
  const secretId = options.credentials.secretId;
  const authorization =
    'q-sign-algorithm=sha1&q-ak=' +
    secretId +
    '&q-sign-time=' +
    keyTime +
    '&q-key-time=' +
    keyTime +
    '&q-header-list=' +
    headers.list +
    '&q-url-param-list=' +
    params.list +
    '&q-signature=' +
    signature;
  return {
    authorization,
    fields: {
      algorithm: 'sha1',
      secretId,
      signTime: keyTime,
      keyTime,
      headerList: headers.names,
      urlParamList: params.names,
      signature,
    },
    formatString,
    stringToSign,
  };
}

export interface PresignResult extends SignResult {
  /** Query string without the leading '?': the q-* fields, the token if any, then the request's own parameters. */
  query: string;
}

/** Signs a request for use as a URL: the signature travels in the query string. */
export function presignRequest(request: CosRequest, options: SignOptions): PresignResult {
  const signed = signRequest(request, options);
  const f = signed.fields;
  let query =
    'q-sign-algorithm=sha1&q-ak=' +
    cosUrlEncode(f.secretId) +
    '&q-sign-time=' +
    cosUrlEncode(f.signTime) +
    '&q-key-time=' +
    cosUrlEncode(f.keyTime) +
    '&q-header-list=' +
    cosUrlEncode(f.headerList.join(';')) +
    '&q-url-param-list=' +
    cosUrlEncode(f.urlParamList.join(';')) +
    '&q-signature=' +
    f.signature;
  const token = options.credentials.securityToken;
  if (token) query += `&x-cos-security-token=${cosUrlEncode(token)}`;
  for (const name in request.query ?? {}) {
    const value = request.query![name];
    query += `&${cosUrlEncode(name)}${value === undefined || value === null ? '' : `=${cosUrlEncode(value)}`}`;
  }
  return {
    authorization: signed.authorization,
    fields: signed.fields,
    formatString: signed.formatString,
    stringToSign: signed.stringToSign,
    query,
  };
}
