import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CosErrors } from '../errors/index.js';
import { header } from '../http/headers.js';
import { XML, type Reply } from '../http/reply.js';
import { parsePicOperations, type PicOperations } from '../image/pic-operations.js';
import { type Processed, processOriginal, uploadResultOf } from '../image/persist.js';
import { toXml, type XmlNode } from '../xml/xml.js';
import type { HandlerContext } from './context.js';
import { checkReadAccess } from './encryption.js';
import { completeUpload, completeMultipartUpload as plainComplete } from './multipart.js';
import { objectAttributesOf } from './object-attributes.js';
import { commitObject, newObject, putObject as plainPutObject } from './object.js';
import { selectObject } from './versioning.js';

const PIC_OPERATIONS = 'pic-operations';

/**
 * The request's Pic-Operations, parsed, with every copy's key authorized as a write of its own: CI's
 * persistence is granted through COS write permission on the target (doc 460/36239, "cos:PutObject*"
 * on the resource the result goes to), so a key allowed one path cannot place copies outside it.
 * Checked before a byte is read or stored.
 */
function picOperationsOf(ctx: HandlerContext, value: string): PicOperations {
  const ops = parsePicOperations(value, ctx.routed.key, ctx.bucket.name);
  for (const rule of ops.rules) ctx.access.authorize('name/cos:PutObject', rule.key);
  return ops;
}

/** Stores each copy as an object of its own, typed by its format; returns each key's ETag, the last write of a key winning. */
async function storeCopies(ctx: HandlerContext, processed: Processed): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  for (const copy of processed.copies) {
    const { key } = copy.rule;
    const sent: Record<string, string> = { 'content-type': copy.contentType };
    const attributes = objectAttributesOf(
      { get: (name) => sent[name], entries: () => Object.entries(sent), describe: (name) => name },
      key,
      ctx.config,
    );
    const blob = await ctx.stores.blobs.write(Readable.from([copy.picture.data]));
    await commitObject(ctx, newObject(ctx, key, blob, attributes));
    etags.set(key, blob.md5);
  }
  return etags;
}

async function answer(ctx: HandlerContext, processed: Processed, originalEtag: string, headers: Record<string, string>): Promise<Reply> {
  const etags = await storeCopies(ctx, processed);
  const key = ctx.routed.key;
  // A copy written over the original is what the key holds now, and COS reports its ETag (doc 1045/33695).
  const result = await uploadResultOf(processed, { key, etag: etags.get(key) ?? originalEtag }, (k) => `${ctx.host}/${encodeURI(k)}`);
  return { status: 200, headers: { ...headers, ...XML }, body: toXml('UploadResult', result) };
}

/**
 * PUT Object, with upload processing when it carries Pic-Operations (doc 1045/33695): the original is
 * processed once received and before it is stored, so a rule that fails (not an image, over the limits)
 * stores neither the original nor any copy; then the original, then each copy, are written.
 */
export async function putObject(ctx: HandlerContext): Promise<Reply> {
  const value = header(ctx.headers, PIC_OPERATIONS);
  if (value === undefined) return plainPutObject(ctx);
  const ops = picOperationsOf(ctx, value);
  let processed: Processed = { copies: [] };
  const stored = await plainPutObject(ctx, async (blob) => {
    processed = await processOriginal(ops, blob.size, () => buffer(ctx.stores.blobs.read(blob.id)));
  });
  const headers = stored.headers ?? {};
  return answer(ctx, processed, (headers.etag ?? '').replace(/"/g, ''), headers);
}

/**
 * Complete Multipart Upload with Pic-Operations: what the official SDKs' sliceUploadFile sends (the
 * header on Initiate, where COS takes it without effect, and again on Complete, where it is processed).
 * The joined object is processed before it is put in place, as a PUT's body is; COS answers the
 * original's `<ImageInfo>` and the `<ProcessResults>` inside `<CompleteMultipartUploadResult>`, after its
 * Location, Bucket, Key and ETag, which the SDKs rebuild into `UploadResult`.
 */
export async function completeMultipartUpload(ctx: HandlerContext): Promise<Reply> {
  const value = header(ctx.headers, PIC_OPERATIONS);
  if (value === undefined) return plainComplete(ctx);
  const ops = picOperationsOf(ctx, value);
  let processed: Processed = { copies: [] };
  const done = await completeUpload(ctx, async (blob) => {
    processed = await processOriginal(ops, blob.size, () => buffer(ctx.stores.blobs.read(blob.id)));
  });
  const etags = await storeCopies(ctx, processed);
  const key = ctx.routed.key;
  const etag = etags.get(key);
  const original = { key, etag: etag ?? done.result.ETag.replace(/"/g, '') };
  const { OriginalInfo, ProcessResults } = (await uploadResultOf(processed, original, (k) => `${ctx.host}/${encodeURI(k)}`)) as {
    OriginalInfo: { ImageInfo?: XmlNode };
    ProcessResults: XmlNode;
  };
  const result = { ...done.result, ...(etag ? { ETag: `"${etag}"` } : {}), ImageInfo: OriginalInfo.ImageInfo, ProcessResults };
  return { status: 200, headers: { ...done.headers, ...XML }, body: toXml('CompleteMultipartUploadResult', result) };
}

/**
 * POST <key>?image_process (doc 1045/33695, processing an object already stored): the same rules and
 * answer as upload processing, on the stored object (the version `?versionId=` names). Authorized as
 * a read of the original by the operation table, and as a write of each copy here.
 */
export async function imageProcess(ctx: HandlerContext): Promise<Reply> {
  const value = header(ctx.headers, PIC_OPERATIONS);
  if (value === undefined) throw CosErrors.invalidArgument('POST ?image_process needs a Pic-Operations header with the rules to run');
  const ops = picOperationsOf(ctx, value);
  const object = selectObject(ctx);
  checkReadAccess((name) => header(ctx.headers, name), object.sse);
  // The request's body carries nothing: drain it so the connection stays usable.
  ctx.body.resume();
  const processed = await processOriginal(ops, object.size, () => buffer(ctx.stores.blobs.read(object.blobId)));
  return answer(ctx, processed, object.etag, {});
}
