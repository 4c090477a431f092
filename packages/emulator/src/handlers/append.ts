import { COS_LIMITS } from '@cos-direct/signer';
import { CosErrors } from '../errors/index.js';
import { type BlobInfo, isDeleteMarker, type ObjectRecord, type ReplaceCheck } from '../persistence/index.js';
import { header, headerSource } from '../http/headers.js';
import type { Reply } from '../http/reply.js';
import { receiveBody } from './body.js';
import type { HandlerContext } from './context.js';
import { commitObject, madeVersionHeader } from './object.js';
import { objectAttributesOf } from './object-attributes.js';

/** What a key must hold for an append at `position`: nothing (position 0), or an appendable object that long. */
function checkAppendTarget(key: string, position: number, current: ObjectRecord | undefined): void {
  if (current && !current.appendable) throw CosErrors.objectNotAppendable(key);
  const length = current?.size ?? 0;
  if (position !== length) {
    throw CosErrors.appendPositionErr(
      current
        ? `position ${position} is not the length of "${key}", which is ${length} bytes (x-cos-next-append-position on its HEAD)`
        : `"${key}" does not exist, so the first append must be at position 0, not ${position}`,
    );
  }
}

function positionOf(ctx: HandlerContext): number {
  const raw = ctx.routed.params.position;
  if (raw === undefined) throw CosErrors.invalidArgument('APPEND Object needs the position parameter (?append&position=<bytes>)');
  if (!/^\d+$/.test(raw)) throw CosErrors.invalidArgument(`position "${raw}" is not a byte offset`);
  return Number(raw);
}

/**
 * APPEND Object (doc 436/7741): the first append (position 0 on a free key) makes an appendable object
 * with the request's headers; each further one adds bytes at the object's length, keeping those headers
 * and the storage class. An object has at most 5 GB. The new bytes and the object before them are joined
 * into a new blob and the record replaced in one transaction, on condition that the object is still the
 * one the append started from: of two appends at one position, one wins and the other is AppendPositionErr.
 * With versioning (Enabled or Suspended) the appendable object is the key's null version, each append
 * replacing it without history, since COS keeps appendable objects out of versioning.
 */
export async function appendObject(ctx: HandlerContext): Promise<Reply> {
  const key = ctx.routed.key;
  const position = positionOf(ctx);
  // COS needs the length up front (411 without it), chunked or not.
  if (header(ctx.headers, 'content-length') === undefined) throw CosErrors.missingContentLength();
  const current = ctx.stores.metadata.getObject(ctx.bucket.name, key);
  checkAppendTarget(key, position, current);
  // Behind a delete marker, a first append replaces the key's null version. Everywhere else removing a
  // version takes DeleteObject, so this does too: AppendObject alone must not destroy what a delete kept.
  const hidden = current ? undefined : ctx.stores.metadata.getVersion(ctx.bucket.name, key, 'null');
  if (hidden && !isDeleteMarker(hidden)) ctx.access.authorize('name/cos:DeleteObject', key);
  const length = Number(header(ctx.headers, 'content-length'));
  if (position + length > COS_LIMITS.maxObjectBytes) {
    throw CosErrors.entityTooLarge(
      `appending ${length} bytes at ${position} would exceed the ${COS_LIMITS.maxObjectBytes}-byte limit of an appendable object`,
    );
  }
  // What the first append stores; later appends keep what the object has (COS ignores their storage class).
  const attributes = current ? undefined : objectAttributesOf(headerSource(ctx.headers), key, ctx.config, { from: 'append' });
  const chunk = await receiveBody(ctx);
  let whole: BlobInfo = chunk;
  let committed = false;
  let versionId: string | undefined;
  try {
    if (current) whole = await ctx.stores.blobs.concat([current.blobId, chunk.id]);
    const bytes = { blobId: whole.id, size: whole.size, etag: whole.md5, crc64: whole.crc64, lastModified: ctx.now * 1000 };
    const record: ObjectRecord = current ? { ...current, ...bytes } : { bucket: ctx.bucket.name, key, ...bytes, ...attributes! };
    const unchanged: ReplaceCheck = (previous) => {
      if (previous?.blobId === current?.blobId) return;
      checkAppendTarget(key, position, previous);
      throw CosErrors.appendPositionErr(`"${key}" was replaced while the append was received`);
    };
    versionId = await commitObject(ctx, record, unchanged);
    committed = true;
  } finally {
    // The request's bytes alone are kept only as a first append's object.
    if (whole !== chunk || !committed) await ctx.stores.blobs.delete(chunk.id);
  }
  return {
    status: 200,
    headers: {
      etag: `"${whole.md5}"`,
      'x-cos-next-append-position': String(whole.size),
      // COS's name, and the MD5 of this request's bytes: the Go SDK compares it with the MD5 it computed.
      'x-cos-content-sha1': chunk.md5,
      'x-cos-hash-crc64ecma': whole.crc64,
      ...madeVersionHeader(versionId),
    },
  };
}
