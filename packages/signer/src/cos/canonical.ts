import { cosUrlEncode } from './encode.js';

export type HeaderValue = string | number | readonly string[] | undefined | null;

/**
 * The signable form of a set of headers or query parameters: `list` is the q-header-list /
 * q-url-param-list value, `pairs` the HttpHeaders / HttpParameters line.
 */
export interface Canonical {
  list: string;
  /** The listed names, in list order. */
  names: string[];
  pairs: string;
}

function headerText(value: HeaderValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return value.join(',');
}

interface NameInfo {
  /** Raw name lower-cased: the order of the pairs. */
  folded: string;
  /** Encoded, lower-cased: what is listed and signed. */
  name: string;
}

interface Entry {
  info: NameInfo;
  value: string;
}

// Header and parameter names repeat across requests: remember their canonical forms.
const NAME_CACHE_LIMIT = 1024;
const nameCache = new Map<string, NameInfo>();
function nameInfo(raw: string): NameInfo {
  let info = nameCache.get(raw);
  if (info === undefined) {
    info = { folded: raw.toLowerCase(), name: cosUrlEncode(raw).toLowerCase() };
    if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
    nameCache.set(raw, info);
  }
  return info;
}
function canonicalName(raw: string): string {
  return nameInfo(raw).name;
}

/** Stable insertion sort: the lists are a handful of entries, where it beats Array#sort with a comparator. */
function sortBy(entries: Entry[], key: 'name' | 'folded'): void {
  for (let i = 1; i < entries.length; i++) {
    const current = entries[i]!;
    const k = current.info[key];
    let j = i - 1;
    while (j >= 0 && entries[j]!.info[key] > k) {
      entries[j + 1] = entries[j]!;
      j--;
    }
    entries[j + 1] = current;
  }
}

/**
 * Canonicalises names and values the way the official SDKs do: names lower-cased after encoding,
 * values encoded as given. The list is sorted by encoded name, while the pairs follow the raw names
 * sorted case-insensitively (cos-nodejs-sdk-v5); the two orders differ only for names whose encoding
 * reorders them, and reproducing both keeps signatures byte-identical to the SDK's.
 */
export function canonicalize(input: Record<string, HeaderValue> | undefined, include: (lowerName: string) => boolean): Canonical {
  if (!input) return { list: '', names: [], pairs: '' };
  const raws = Object.keys(input);
  const entries: Entry[] = [];
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    const info = nameInfo(raw);
    if (!include(info.folded)) continue;
    entries.push({ info, value: cosUrlEncode(headerText(input[raw])) });
  }
  if (entries.length === 0) return { list: '', names: [], pairs: '' };
  if (entries.length === 1) {
    const e = entries[0]!;
    return { list: e.info.name, names: [e.info.name], pairs: `${e.info.name}=${e.value}` };
  }
  sortBy(entries, 'name');
  let list = entries[0]!.info.name;
  const names = [list];
  let sameOrder = true;
  for (let i = 1; i < entries.length; i++) {
    list += `;${entries[i]!.info.name}`;
    names.push(entries[i]!.info.name);
    if (sameOrder && entries[i - 1]!.info.folded > entries[i]!.info.folded) sameOrder = false;
  }
  if (!sameOrder) sortBy(entries, 'folded');
  let pairs = `${entries[0]!.info.name}=${entries[0]!.value}`;
  for (let i = 1; i < entries.length; i++) pairs += `&${entries[i]!.info.name}=${entries[i]!.value}`;
  return { list, names, pairs };
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
      if (!Object.hasOwn(input, raw)) continue;
      const name = canonicalName(raw);
      const values = byEncoded.get(name);
      if (values) values.push(headerText(input[raw]));
      else byEncoded.set(name, [headerText(input[raw])]);
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
    parts.push(`${name}=${cosUrlEncode(value)}`);
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

export const sdkHeaderFilter = (name: string): boolean => SDK_SIGNED_HEADERS.has(name) || name.includes('x-cos-') || name.includes('x-ci-');
export const includeAll = (): boolean => true;
export function includeOnly(names: readonly string[]): (name: string) => boolean {
  const set = new Set(names.map((n) => n.toLowerCase()));
  return (name) => set.has(name);
}
