import { CosErrors } from '../errors/index.js';
import { decodeVersionId, isDeleteMarker, listGrouped, type ObjectRecord, type VersionRecord } from '../persistence/index.js';
import { readXmlBody } from '../http/body.js';
import { isoDate, XML, type Reply } from '../http/reply.js';
import { toXml, write as xmlElement, type XmlNode } from '../xml/xml.js';
import type { HandlerContext } from './context.js';
import { keyEncoder } from './listing.js';

/** The `versionId` parameter (read without regard to case, as the SDKs send `versionId` and COS's docs `VersionId`). */
export function requestedVersion(ctx: HandlerContext): string | undefined {
  const v = ctx.routed.params.versionid;
  // An empty versionId is the same as none (doc 436/46206).
  if (v === undefined || v === '') return undefined;
  checkVersionId(v);
  return v;
}

export function checkVersionId(v: string): void {
  if (v !== 'null' && decodeVersionId(v) === undefined) throw CosErrors.invalidArgument(`versionId "${v}" is not a version id`);
}

/** `x-cos-version-id` of a version, sent whenever the bucket has versioning ('null' for the null version). */
export function versionHeader(ctx: HandlerContext, record: { versionId?: string }): Record<string, string> {
  return ctx.bucket.versioning ? { 'x-cos-version-id': record.versionId ?? 'null' } : {};
}

/** The object a GET, HEAD, ACL or tagging request addresses: the key's object, or the version asked for. */
export function selectObject(ctx: HandlerContext, key = ctx.routed.key, versionId = requestedVersion(ctx)): ObjectRecord {
  const meta = ctx.stores.metadata;
  if (versionId !== undefined) {
    const v = meta.getVersion(ctx.bucket.name, key, versionId);
    if (!v) throw CosErrors.noSuchVersion(key, versionId);
    if (isDeleteMarker(v)) throw CosErrors.deleteMarker(key, v.versionId);
    return v;
  }
  const o = meta.getObject(ctx.bucket.name, key);
  if (o) return o;
  if (ctx.bucket.versioning) {
    const latest = meta.latestVersion(ctx.bucket.name, key);
    if (latest && isDeleteMarker(latest)) throw CosErrors.deleteMarker(key, latest.versionId);
  }
  throw CosErrors.noSuchKey(key);
}

export interface Deletion {
  versionId?: string;
  /** The version removed, or the marker placed, is a delete marker. */
  deleteMarker: boolean;
}

/** DELETE of a key (a delete marker with versioning) or of one version of it; releases the bytes nothing names any more. */
export async function deleteKey(ctx: HandlerContext, key: string, versionId: string | undefined): Promise<Deletion> {
  const meta = ctx.stores.metadata;
  if (versionId !== undefined) {
    const removed = await meta.deleteVersion(ctx.bucket.name, key, versionId);
    if (removed && !isDeleteMarker(removed)) await ctx.stores.blobs.delete(removed.blobId);
    return { versionId, deleteMarker: removed !== undefined && isDeleteMarker(removed) };
  }
  const { deleteMarker, released } = await meta.removeObject(ctx.bucket.name, key, ctx.now * 1000);
  if (released) await ctx.stores.blobs.delete(released.blobId);
  return deleteMarker ? { versionId: deleteMarker.versionId, deleteMarker: true } : { deleteMarker: false };
}

export function deletionHeaders(d: Deletion): Record<string, string> {
  const out: Record<string, string> = {};
  if (d.versionId !== undefined) out['x-cos-version-id'] = d.versionId;
  if (d.deleteMarker) out['x-cos-delete-marker'] = 'true';
  return out;
}

export async function putBucketVersioning(ctx: HandlerContext): Promise<Reply> {
  const doc = await readXmlBody(ctx, { limit: 64 * 1024, md5: 'ignored', document: 'the versioning configuration' });
  const config = doc.VersioningConfiguration as { Status?: unknown } | undefined;
  const status = config && typeof config === 'object' ? config.Status : undefined;
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw CosErrors.malformedXml(
      `expected <VersioningConfiguration><Status>Enabled|Suspended</Status></VersioningConfiguration>, got Status ${JSON.stringify(status ?? null)}`,
    );
  }
  await ctx.stores.metadata.putBucket({ ...ctx.bucket, versioning: status });
  return { status: 200 };
}

export async function getBucketVersioning(ctx: HandlerContext): Promise<Reply> {
  // A bucket that never had versioning answers an empty configuration, without Status.
  const status = ctx.bucket.versioning;
  return { status: 200, headers: XML, body: toXml('VersioningConfiguration', status ? { Status: status } : {}) };
}

export async function listObjectVersions(ctx: HandlerContext): Promise<Reply> {
  const q = ctx.routed.params;
  const prefix = q.prefix ?? '';
  const delimiter = q.delimiter ?? '';
  const keyMarker = q['key-marker'] ?? '';
  const versionMarker = q['version-id-marker'] ?? '';
  const rawMax = q['max-keys'];
  if (rawMax !== undefined && rawMax !== '' && !/^\d+$/.test(rawMax))
    throw CosErrors.invalidArgument(`max-keys "${rawMax}" must be a non-negative integer`);
  const maxKeys = rawMax === undefined || rawMax === '' ? 1000 : Math.min(Number(rawMax), 1000);
  if (q['encoding-type'] !== undefined && q['encoding-type'] !== 'url') throw CosErrors.invalidArgument('encoding-type must be "url"');
  const encode = q['encoding-type'] === 'url';
  if (versionMarker && !keyMarker) throw CosErrors.invalidArgument('version-id-marker needs a key-marker');
  if (versionMarker) checkVersionId(versionMarker);
  const meta = ctx.stores.metadata;
  // The version-id marker resolved to its place in the key's history; a null version written before
  // versioning has none, and then the listing resumes at the next key.
  let afterSeq: number | undefined;
  if (versionMarker) {
    afterSeq = versionMarker === 'null' ? meta.getVersion(ctx.bucket.name, keyMarker, 'null')?.versionSeq : decodeVersionId(versionMarker);
  }
  const page = listGrouped<VersionRecord>(
    (range) => {
      // listGrouped carries the second-level marker as `afterUploadId`: here, the version's sequence.
      const { afterUploadId, ...keys } = range;
      return meta.listVersions(ctx.bucket.name, afterUploadId === undefined ? keys : { ...keys, afterSeq: Number(afterUploadId) });
    },
    (v) => v.key,
    {
      prefix,
      delimiter,
      max: maxKeys,
      after: keyMarker,
      ...(afterSeq !== undefined ? { afterUploadId: String(afterSeq) } : {}),
    },
  );
  const enc = keyEncoder(encode);
  const owner = { ID: ctx.config.appId, DisplayName: ctx.config.appId };
  const entries: Array<[string, XmlNode]> = [];
  const prefixes: string[] = [];
  let lastKey: string | undefined = afterSeq !== undefined ? keyMarker : undefined;
  let nextKey = '';
  let nextVersion = '';
  for (const entry of page.entries) {
    if (!('item' in entry)) {
      prefixes.push(entry.commonPrefix);
      nextKey = entry.commonPrefix;
      nextVersion = '';
      continue;
    }
    const v = entry.item;
    // The newest version of a key comes first; a page that resumes inside a key starts past it.
    const isLatest = v.key !== lastKey;
    lastKey = v.key;
    const versionId = v.versionId ?? 'null';
    nextKey = v.key;
    nextVersion = versionId;
    if (isDeleteMarker(v)) {
      entries.push([
        'DeleteMarker',
        { Key: enc(v.key), VersionId: versionId, IsLatest: String(isLatest), LastModified: isoDate(v.lastModified), Owner: owner },
      ]);
    } else {
      entries.push([
        'Version',
        {
          Key: enc(v.key),
          VersionId: versionId,
          IsLatest: String(isLatest),
          LastModified: isoDate(v.lastModified),
          ETag: `"${v.etag}"`,
          Size: v.size,
          StorageClass: v.storageClass,
          Owner: owner,
        },
      ]);
    }
  }
  const head = toXml('ListVersionsResult', {
    Name: ctx.bucket.name,
    EncodingType: encode ? 'url' : undefined,
    Prefix: enc(prefix),
    KeyMarker: enc(keyMarker),
    VersionIdMarker: versionMarker,
    MaxKeys: maxKeys,
    Delimiter: delimiter ? enc(delimiter) : undefined,
    IsTruncated: page.truncated ? 'true' : 'false',
    NextKeyMarker: page.truncated ? enc(nextKey) : undefined,
    NextVersionIdMarker: page.truncated ? nextVersion : undefined,
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
  });
  // Versions and delete markers interleaved in listing order, as COS lists them.
  const items = entries.map(([name, node]) => xmlElement(name, node, '\t')).join('');
  const body = head.replace(/<\/ListVersionsResult>\n$/, `${items}</ListVersionsResult>\n`);
  return { status: 200, headers: { ...XML, 'x-cos-bucket-region': ctx.bucket.region }, body };
}

/** `x-cos-copy-source`'s `?versionId=` (COS's copy of one version). */
export function copySourceVersion(value: string): string | undefined {
  const q = value.indexOf('?');
  if (q < 0) return undefined;
  const params = new URLSearchParams(value.slice(q + 1));
  for (const [name, v] of params) if (name.toLowerCase() === 'versionid') return v === '' ? undefined : v;
  return undefined;
}
