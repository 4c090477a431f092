import { pipeline } from 'node:stream';
import { CosErrors } from '../errors/index.js';
import type { BlobInfo, ObjectRecord, ReplaceCheck } from '../persistence/index.js';
import { toXml } from '../xml/xml.js';
import { header, headerSource } from '../http/headers.js';
import { isoDate, XML, type Reply } from '../http/reply.js';
import { receiveBody } from './body.js';
import type { HandlerContext } from './context.js';
import { readCopySource } from './copy-source.js';
import { throttle, TRAFFIC_LIMIT, trafficLimitOf } from './traffic-limit.js';
import { checkReadAccess, encryptionHeaders } from './encryption.js';
import { objectHeaders } from './metadata-headers.js';
import { type ObjectAttributes, objectAttributesOf } from './object-attributes.js';
import { forbidOverwrite } from './overwrite.js';
import { downloadPlanOf, processedDownload } from '../image/download.js';
import { deleteKey, deletionHeaders, requestedVersion, selectObject, versionHeader } from './versioning.js';
import { replacesTags, tagCountHeader } from './tagging.js';

/** The object the request addresses (the version asked for with `?versionId=`). */
const mustGet = (ctx: HandlerContext): ObjectRecord => selectObject(ctx);

/**
 * Writes a new object (a new version with versioning) and releases the bytes of the one it replaced;
 * returns the version id it got in a bucket with versioning.
 */
export async function commitObject(ctx: HandlerContext, record: ObjectRecord, check?: ReplaceCheck): Promise<string | undefined> {
  let written: Awaited<ReturnType<typeof ctx.stores.metadata.writeObject>>;
  try {
    written = await ctx.stores.metadata.writeObject(record, check);
  } catch (e) {
    // Refused by `check` (or failed): nothing names the new bytes.
    await ctx.stores.blobs.delete(record.blobId);
    throw e;
  }
  const { versionId, released } = written;
  if (released && released.blobId !== record.blobId) await ctx.stores.blobs.delete(released.blobId);
  return versionId;
}

/** A new object of these bytes at `key`, made now: what PUT, POST Object and Pic-Operations' copies store. */
export function newObject(ctx: HandlerContext, key: string, blob: BlobInfo, attributes: ObjectAttributes): ObjectRecord {
  return {
    bucket: ctx.bucket.name,
    key,
    blobId: blob.id,
    size: blob.size,
    etag: blob.md5,
    crc64: blob.crc64,
    lastModified: ctx.now * 1000,
    ...attributes,
  };
}

/** `x-cos-version-id` for an answer that made a version. */
export const madeVersionHeader = (versionId: string | undefined): Record<string, string> =>
  versionId === undefined ? {} : { 'x-cos-version-id': versionId };

/**
 * PUT Object. `beforeCommit` sees the received bytes before they become the object (upload processing
 * runs there); if it throws, the bytes are dropped and nothing is stored.
 */
export async function putObject(ctx: HandlerContext, beforeCommit?: (blob: BlobInfo) => Promise<void>): Promise<Reply> {
  const attributes = objectAttributesOf(headerSource(ctx.headers), ctx.routed.key, ctx.config);
  const overwrite = forbidOverwrite(header(ctx.headers, 'x-cos-forbid-overwrite'), ctx.routed.key);
  overwrite?.(ctx.stores.metadata.getObject(ctx.bucket.name, ctx.routed.key));
  const blob = await receiveBody(ctx);
  try {
    await beforeCommit?.(blob);
  } catch (e) {
    await ctx.stores.blobs.delete(blob.id);
    throw e;
  }
  const versionId = await commitObject(ctx, newObject(ctx, ctx.routed.key, blob, attributes), overwrite);
  return {
    status: 200,
    headers: {
      etag: `"${blob.md5}"`,
      'x-cos-hash-crc64ecma': blob.crc64,
      ...madeVersionHeader(versionId),
      ...encryptionHeaders(attributes.sse),
    },
  };
}

function parseRange(value: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function checkConditions(ctx: HandlerContext, o: ObjectRecord): Reply | undefined {
  const etag = `"${o.etag}"`;
  const seconds = Math.floor(o.lastModified / 1000);
  const ifMatch = header(ctx.headers, 'if-match');
  if (ifMatch && !ifMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === o.etag)) {
    throw CosErrors.preconditionFailed(`If-Match ${ifMatch} does not match the ETag ${etag}`);
  }
  const ifUnmodified = header(ctx.headers, 'if-unmodified-since');
  if (ifUnmodified && !ifMatch && seconds > Date.parse(ifUnmodified) / 1000) {
    throw CosErrors.preconditionFailed(`the object was modified after If-Unmodified-Since ${ifUnmodified}`);
  }
  const ifNoneMatch = header(ctx.headers, 'if-none-match');
  if (ifNoneMatch?.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === o.etag)) {
    return { status: 304, headers: { etag, 'last-modified': new Date(o.lastModified).toUTCString() } };
  }
  const ifModified = header(ctx.headers, 'if-modified-since');
  if (ifModified && !ifNoneMatch && seconds <= Date.parse(ifModified) / 1000) {
    return { status: 304, headers: { etag, 'last-modified': new Date(o.lastModified).toUTCString() } };
  }
  return undefined;
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/**
 * A small body as one buffer (sent with the headers in one write), a large one as a stream; with
 * x-cos-traffic-limit (header or query parameter) a stream sent at that rate.
 */
function bodyOf(ctx: HandlerContext, blobId: string, range?: { start: number; end: number }) {
  const limit = trafficLimitOf(header(ctx.headers, TRAFFIC_LIMIT), ctx.routed.params[TRAFFIC_LIMIT]);
  if (limit !== undefined) return pipeline(ctx.stores.blobs.read(blobId, range), throttle(limit), () => undefined);
  return ctx.stores.blobs.readSmall?.(blobId, range) ?? ctx.stores.blobs.read(blobId, range);
}

export async function getObject(ctx: HandlerContext, headOnly = false): Promise<Reply> {
  const o = mustGet(ctx);
  checkReadAccess((n) => header(ctx.headers, n), o.sse);
  const plan = downloadPlanOf(ctx);
  if (!headOnly) trafficLimitOf(header(ctx.headers, TRAFFIC_LIMIT), ctx.routed.params[TRAFFIC_LIMIT]);
  const notModified = checkConditions(ctx, o);
  if (notModified) return notModified;
  const headers = { ...objectHeaders(o), ...versionHeader(ctx, o), ...tagCountHeader(o) };
  if (!headOnly) {
    for (const [param, name] of Object.entries(RESPONSE_OVERRIDES)) {
      // By lower-cased name: the signature covers names lower-cased, so a re-cased signed override still applies.
      const v = ctx.routed.params[param];
      if (v !== undefined) headers[name] = v;
    }
  }
  if (plan) return processedDownload(ctx, o, plan, headers, headOnly);
  const rangeHeader = header(ctx.headers, 'range');
  const range = rangeHeader ? parseRange(rangeHeader, o.size) : undefined;
  if (range === 'unsatisfiable') throw CosErrors.invalidRange(o.size);
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return { status: 206, headers, body: headOnly ? undefined : bodyOf(ctx, o.blobId, range) };
  }
  headers['content-length'] = String(o.size);
  return { status: 200, headers, body: headOnly || o.size === 0 ? undefined : bodyOf(ctx, o.blobId) };
}

export async function deleteObject(ctx: HandlerContext): Promise<Reply> {
  const deletion = await deleteKey(ctx, ctx.routed.key, requestedVersion(ctx));
  return { status: 204, headers: deletionHeaders(deletion) };
}

export async function copyObject(ctx: HandlerContext): Promise<Reply> {
  const { bucket: sourceBucket, key: sourceKey, versionId: sourceVersion, object: src } = readCopySource(ctx);
  const directive = (header(ctx.headers, 'x-cos-metadata-directive') ?? 'Copy').toLowerCase();
  if (directive !== 'copy' && directive !== 'replaced') {
    throw CosErrors.invalidArgument(`x-cos-metadata-directive "${directive}" must be Copy or Replaced`);
  }
  const sameObject = sourceBucket.name === ctx.bucket.name && sourceKey === ctx.routed.key && sourceVersion === undefined;
  if (sameObject && directive === 'copy') {
    throw CosErrors.invalidArgument('copying an object onto itself needs x-cos-metadata-directive: Replaced');
  }
  // The copy's ACL and encryption are its own request's, whatever the source's.
  const attributes = objectAttributesOf(headerSource(ctx.headers), ctx.routed.key, ctx.config, {
    from: 'copy',
    source: src,
    replaceMetadata: directive === 'replaced',
    replaceTags: replacesTags(ctx),
  });
  const overwrite = forbidOverwrite(header(ctx.headers, 'x-cos-forbid-overwrite'), ctx.routed.key);
  overwrite?.(ctx.stores.metadata.getObject(ctx.bucket.name, ctx.routed.key));
  const blob = await ctx.stores.blobs.concat([src.blobId]);
  const record: ObjectRecord = {
    bucket: ctx.bucket.name,
    key: ctx.routed.key,
    blobId: blob.id,
    size: blob.size,
    etag: src.etag,
    crc64: blob.crc64,
    lastModified: ctx.now * 1000,
    ...attributes,
  };
  const versionId = await commitObject(ctx, record, overwrite);
  const sourceVersionHeader: Record<string, string> = sourceBucket.versioning
    ? { 'x-cos-copy-source-version-id': src.versionId ?? 'null' }
    : {};
  return {
    status: 200,
    headers: {
      ...XML,
      'x-cos-hash-crc64ecma': blob.crc64,
      ...madeVersionHeader(versionId),
      ...sourceVersionHeader,
      ...encryptionHeaders(attributes.sse),
    },
    body: toXml('CopyObjectResult', {
      ETag: `"${record.etag}"`,
      CRC64: record.crc64,
      LastModified: isoDate(record.lastModified),
      VersionId: versionId,
    }),
  };
}
