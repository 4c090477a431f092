import type { HeaderValue } from '../cos/canonical.js';

/** RFC 3986 percent-encoding of UTF-8 bytes, keeping only A–Z a–z 0–9 - . _ ~ (and '/' when asked). */
export function uriEncodeV4(value: string, keepSlash = false): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Removes "." and ".." segments, as SigV4 does for every service but S3. */
function normalizePath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const joined = out.join('/');
  const absolute = joined.startsWith('/') ? joined : `/${joined}`;
  // A trailing slash, or a trailing "." or ".." segment, leaves the path naming a directory (RFC 3986 §5.2.4).
  const last = path.slice(path.lastIndexOf('/') + 1);
  const directory = last === '' || last === '.' || last === '..';
  return directory && !absolute.endsWith('/') ? `${absolute}/` : absolute;
}

/**
 * The canonical URI. S3 signs the decoded path encoded once and never normalised; other services
 * normalise it first (pass their path as it travels).
 */
export function canonicalUriV4(pathname: string, normalize: boolean): string {
  return uriEncodeV4(normalize ? normalizePath(pathname) : pathname, true);
}

/** The canonical query: names and values encoded, sorted by name then value; `exclude` (X-Amz-Signature) left out. */
export function canonicalQueryV4(query: Record<string, string | string[] | undefined>, exclude?: string): string {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || name === exclude) continue;
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([uriEncodeV4(name), uriEncodeV4(v)]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** A header value as SigV4 signs it: trimmed, runs of spaces collapsed, repeated values joined with ",". */
function canonicalValue(values: readonly string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

function valuesOf(value: HeaderValue): string[] {
  if (value === undefined || value === null) return [];
  return typeof value === 'object' ? [...value] : [String(value)];
}

/** Lower-cased header map of the named headers; the first missing name, if any. */
export function canonicalHeadersV4(
  headers: Record<string, HeaderValue>,
  signed: readonly string[],
): { block: string } | { missing: string } {
  const lower = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const values = valuesOf(value);
    if (values.length === 0) continue;
    const key = name.toLowerCase();
    lower.set(key, [...(lower.get(key) ?? []), ...values]);
  }
  let block = '';
  for (const name of signed) {
    const value = lower.get(name);
    if (value === undefined) return { missing: name };
    block += `${name}:${canonicalValue(value)}\n`;
  }
  return { block };
}

/** Headers a signer leaves out by default: they are rewritten by proxies or set by the transport. */
export const UNSIGNABLE_HEADERS_V4 = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

export function canonicalRequestV4(
  method: string,
  canonicalUri: string,
  canonicalQuery: string,
  canonicalHeaders: string,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  return [method.toUpperCase(), canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
}
