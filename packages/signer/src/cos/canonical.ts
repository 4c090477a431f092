import { cosUrlEncode } from './encode.js';

export type HeaderValue = string | number | readonly string[] | undefined | null;

/**
 * The signable form of a set of headers or query parameters: `list` is the q-header-list /
 * q-url-param-list value, `pairs` the HttpHeaders / HttpParameters line.
 */
export interface Canonical {
  list: string;
  pairs: string;
}

const EMPTY: Canonical = { list: '', pairs: '' };

function valueOf(value: HeaderValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return value.join(',');
}

interface Entry {
  raw: string;
  folded: string;
  name: string;
  value: string;
}

const byName = (a: Entry, b: Entry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

// Header and parameter names repeat across requests: remember their canonical (encoded, lower-case) form.
const NAME_CACHE_LIMIT = 1024;
const nameCache = new Map<string, string>();
function canonicalName(raw: string): string {
  let name = nameCache.get(raw);
  if (name === undefined) {
    name = cosUrlEncode(raw).toLowerCase();
    if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
    nameCache.set(raw, name);
  }
  return name;
}
const byFolded = (a: Entry, b: Entry) => (a.folded < b.folded ? -1 : a.folded > b.folded ? 1 : 0);

/**
 * Canonicalises names and values the way the official SDKs do: names lower-cased after encoding,
 * values encoded as given. The list is sorted by encoded name, while the pairs follow the raw names
 * sorted case-insensitively (cos-nodejs-sdk-v5); the two orders differ only for names whose encoding
 * reorders them, and reproducing both keeps signatures byte-identical to the SDK's.
 */
export function canonicalize(
  input: Record<string, HeaderValue> | undefined,
  include: (lowerName: string) => boolean,
): Canonical {
  if (!input) return EMPTY;
  const entries: Entry[] = [];
  for (const raw in input) {
    if (!Object.prototype.hasOwnProperty.call(input, raw)) continue;
    const folded = raw.toLowerCase();
    if (!include(folded)) continue;
    entries.push({ raw, folded, name: canonicalName(raw), value: cosUrlEncode(valueOf(input[raw])) });
  }
  if (entries.length === 0) return EMPTY;
  if (entries.length === 1) {
    const e = entries[0]!;
    return { list: e.name, pairs: e.name + '=' + e.value };
  }
  entries.sort(byName);
  let list = entries[0]!.name;
  let sameOrder = true;
  for (let i = 1; i < entries.length; i++) {
    list += ';' + entries[i]!.name;
    if (sameOrder && byFolded(entries[i - 1]!, entries[i]!) > 0) sameOrder = false;
  }
  if (!sameOrder) entries.sort(byFolded);
  let pairs = entries[0]!.name + '=' + entries[0]!.value;
  for (let i = 1; i < entries.length; i++) pairs += '&' + entries[i]!.name + '=' + entries[i]!.value;
  return { list, pairs };
}

/**
 * Rebuilds the pairs line in the order a client listed the names, which reproduces any client's
 * choice of order. Returns the first listed name that the request lacks.
 */
export function canonicalizeListed(
  input: Record<string, HeaderValue> | undefined,
  listed: readonly string[],
): { pairs: string } | { missing: string } {
  // Names equal once lower-cased (?A=1&a=2) are listed once per value; hand them out in the order the
  // signer wrote them (insertion order, as its stable sort keeps it).
  const byEncoded = new Map<string, string[]>();
  if (input) {
    for (const raw in input) {
      if (!Object.prototype.hasOwnProperty.call(input, raw)) continue;
      const name = canonicalName(raw);
      const values = byEncoded.get(name);
      if (values) values.push(valueOf(input[raw]));
      else byEncoded.set(name, [valueOf(input[raw])]);
    }
  }
  const used = new Map<string, number>();
  const parts: string[] = [];
  for (const name of listed) {
    const values = byEncoded.get(name);
    const index = used.get(name) ?? 0;
    const value = values?.[Math.min(index, values.length - 1)];
    if (value === undefined) return { missing: name };
    used.set(name, index + 1);
    parts.push(name + '=' + cosUrlEncode(value));
  }
  return { pairs: parts.join('&') };
}

/** Headers cos-nodejs-sdk-v5 signs besides every name containing x-cos- or x-ci-. */
const SDK_SIGNED_HEADERS = new Set([
  'content-disposition',
  'content-encoding',
  'content-length',
  'content-md5',
  'expect',
  'expires',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-unmodified-since',
  'origin',
  'range',
  'transfer-encoding',
  'pic-operations',
]);

export const sdkHeaderFilter = (name: string): boolean =>
  SDK_SIGNED_HEADERS.has(name) || name.includes('x-cos-') || name.includes('x-ci-');
export const includeAll = (): boolean => true;
export function includeOnly(names: readonly string[]): (name: string) => boolean {
  const set = new Set(names.map((n) => n.toLowerCase()));
  return (name) => set.has(name);
}
