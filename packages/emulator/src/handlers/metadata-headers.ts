import { CosErrors } from '../errors/index.js';
import type { Acl, ObjectRecord, StoredHeaders } from '../persistence/index.js';
import { contentTypeOfKey } from '@cos-direct/signer/content-types';
import { encryptionHeaders } from './encryption.js';

const MAX_META_BYTES = 2048;
const ACLS = new Set(['private', 'public-read', 'public-read-write', 'default']);
const STORAGE_CLASSES = new Set([
  'STANDARD',
  'STANDARD_IA',
  'INTELLIGENT_TIERING',
  'ARCHIVE',
  'DEEP_ARCHIVE',
  'MAZ_STANDARD',
  'MAZ_STANDARD_IA',
  'MAZ_INTELLIGENT_TIERING',
]);

/** The request headers an object keeps and answers GET and HEAD with (Content-Type aside). */
const STORED = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
  'x-cos-website-redirect-location',
] as const;

/** The headers a PUT, POST or Initiate stores with the object; without a Content-Type, the key's extension decides. */
export function storedHeadersOf(source: (name: string) => string | undefined, key: string): StoredHeaders {
  const out: StoredHeaders = { 'content-type': source('content-type') || contentTypeOfKey(key) };
  for (const name of STORED) {
    const v = source(name);
    if (v) out[name] = v;
  }
  return out;
}

export function userMetaOf(entries: Iterable<[string, string]>): Record<string, string> {
  const meta: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-cos-meta-')) continue;
    meta[lower] = value;
    bytes += Buffer.byteLength(lower) + Buffer.byteLength(value);
  }
  if (bytes > MAX_META_BYTES) throw CosErrors.keyTooLong(`x-cos-meta-* headers total ${bytes} bytes; COS allows ${MAX_META_BYTES}`);
  return meta;
}

export function aclOf(value: string | undefined): Acl {
  if (value === undefined || value === '') return 'default';
  if (!ACLS.has(value)) throw CosErrors.invalidArgument(`x-cos-acl "${value}" is not one of ${[...ACLS].join(', ')}`);
  return value as Acl;
}

export function storageClassOf(value: string | undefined): string {
  if (!value) return 'STANDARD';
  const upper = value.toUpperCase();
  if (!STORAGE_CLASSES.has(upper)) throw CosErrors.invalidArgument(`x-cos-storage-class "${value}" is not a COS storage class`);
  return upper;
}

/** Response headers describing a stored object (GET, HEAD). */
export function objectHeaders(o: ObjectRecord): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': o.headers['content-type'],
    etag: `"${o.etag}"`,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'x-cos-hash-crc64ecma': o.crc64,
    'accept-ranges': 'bytes',
  };
  for (const name of STORED) {
    const v = o.headers[name];
    if (v) out[name] = v;
  }
  for (const [k, v] of Object.entries(o.meta)) out[k] = v;
  if (o.storageClass !== 'STANDARD') out['x-cos-storage-class'] = o.storageClass;
  if (o.appendable) out['x-cos-object-type'] = 'appendable';
  Object.assign(out, encryptionHeaders(o.sse));
  return out;
}
