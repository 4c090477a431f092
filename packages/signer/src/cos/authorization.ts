import { SignerError } from '../errors.js';
import type { HeaderValue } from './canonical.js';

/** The seven q-* fields of a COS signature. Lists are split on ';' and keep the client's order. */
export interface AuthorizationFields {
  algorithm: string;
  secretId: string;
  signTime: string;
  keyTime: string;
  headerList: string[];
  urlParamList: string[];
  signature: string;
}

const REQUIRED = ['q-sign-algorithm', 'q-ak', 'q-sign-time', 'q-key-time', 'q-header-list', 'q-url-param-list', 'q-signature'] as const;
type FieldName = (typeof REQUIRED)[number];

const splitList = (value: string) => (value === '' ? [] : value.split(';'));

export function formatAuthorization(f: AuthorizationFields): string {
  return (
    'q-sign-algorithm=' +
    f.algorithm +
    '&q-ak=' +
    f.secretId +
    '&q-sign-time=' +
    f.signTime +
    '&q-key-time=' +
    f.keyTime +
    '&q-header-list=' +
    f.headerList.join(';') +
    '&q-url-param-list=' +
    f.urlParamList.join(';') +
    '&q-signature=' +
    f.signature
  );
}

function fromRecord(get: (name: FieldName) => string | undefined, where: string): AuthorizationFields {
  const missing = REQUIRED.filter((name) => get(name) === undefined);
  if (missing.length > 0) {
    throw new SignerError('SIGN_ERR_AUTH_MISSING_FIELD', `${where} lacks ${missing.join(', ')}`);
  }
  const algorithm = get('q-sign-algorithm')!;
  if (algorithm.toLowerCase() !== 'sha1') {
    throw new SignerError('SIGN_ERR_AUTH_ALGORITHM', `${where} uses q-sign-algorithm=${algorithm}; only sha1 exists`);
  }
  const signature = get('q-signature')!;
  if (!/^[0-9a-f]{40}$/i.test(signature)) {
    throw new SignerError('SIGN_ERR_AUTH_MALFORMED', `${where} has a q-signature that is not 40 hex digits`);
  }
  const fields: AuthorizationFields = {
    algorithm,
    secretId: get('q-ak')!,
    signTime: get('q-sign-time')!,
    keyTime: get('q-key-time')!,
    headerList: splitList(get('q-header-list')!.toLowerCase()),
    urlParamList: splitList(get('q-url-param-list')!.toLowerCase()),
    signature: signature.toLowerCase(),
  };
  if (fields.secretId === '') throw new SignerError('SIGN_ERR_AUTH_MISSING_FIELD', `${where} has an empty q-ak`);
  return fields;
}

/** Parses an Authorization header value (or the decoded `sign=` query value). */
export function parseAuthorization(value: string): AuthorizationFields {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SignerError('SIGN_ERR_AUTH_MALFORMED', 'the Authorization value is empty');
  }
  const map = new Map<string, string>();
  for (const part of value.trim().split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SignerError('SIGN_ERR_AUTH_MALFORMED', `Authorization part "${part.slice(0, 40)}" is not key=value`);
    const name = part.slice(0, eq).trim().toLowerCase();
    if (map.has(name)) throw new SignerError('SIGN_ERR_AUTH_MALFORMED', `Authorization repeats ${name}`);
    map.set(name, part.slice(eq + 1).trim());
  }
  return fromRecord((name) => map.get(name), 'the Authorization value');
}

export interface FoundAuthorization {
  source: 'header' | 'query' | 'sign';
  fields: AuthorizationFields;
  securityToken?: string;
}

function headerValue(headers: Record<string, HeaderValue>, name: string): string | undefined {
  for (const key in headers) {
    if (key.toLowerCase() === name) {
      const v = headers[key];
      if (v === undefined || v === null) return undefined;
      return Array.isArray(v) ? v.join(',') : String(v);
    }
  }
  return undefined;
}

/**
 * Locates a signature in the three places COS accepts one: the Authorization header, q-* query
 * fields (presigned URL), or a `sign` query parameter holding a whole Authorization string.
 * Query values must already be URL-decoded. Returns undefined for an anonymous request.
 */
export function findAuthorization(input: {
  headers: Record<string, HeaderValue>;
  query: Record<string, string | undefined | null>;
}): FoundAuthorization | undefined {
  const query = input.query ?? {};
  const tokenFromQuery = query['x-cos-security-token'] ?? undefined;
  const token = headerValue(input.headers ?? {}, 'x-cos-security-token') ?? tokenFromQuery ?? undefined;
  const withToken = (f: Omit<FoundAuthorization, 'securityToken'>): FoundAuthorization =>
    token === undefined ? f : { ...f, securityToken: token };

  const header = headerValue(input.headers ?? {}, 'authorization');
  if (header !== undefined && header !== '') return withToken({ source: 'header', fields: parseAuthorization(header) });

  const lowered = new Map<string, string>();
  for (const key in query) {
    const v = query[key];
    lowered.set(key.toLowerCase(), v ?? '');
  }
  if (REQUIRED.some((name) => lowered.has(name))) {
    return withToken({ source: 'query', fields: fromRecord((name) => lowered.get(name), 'the presigned URL') });
  }
  const sign = lowered.get('sign');
  if (sign !== undefined && sign !== '') return withToken({ source: 'sign', fields: parseAuthorization(sign) });
  return undefined;
}
