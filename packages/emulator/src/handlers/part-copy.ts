import { COS_LIMITS } from '@cos-direct/signer';
import { CosErrors } from '../errors/index.js';
import { toXml } from '../xml/xml.js';
import { header } from '../http/headers.js';
import { isoDate, XML, type Reply } from '../http/reply.js';
import type { HandlerContext } from './context.js';
import { parseCopySourceRange, readCopySource } from './copy-source.js';
import { mustGetUpload, partNumberOf, storePart } from './multipart.js';

/**
 * Upload Part - Copy (doc 436/8287): a part made of a byte range of an existing object, in this bucket
 * or another. Authorized as UploadPartCopy on the destination key (the operation table) and GetObject on
 * the source. A part copies 1 MB to 5 GB; as for uploaded parts, the 1 MB minimum applies to every part
 * but the last and is checked by Complete, which cannot know the last part before.
 */
export async function uploadPartCopy(ctx: HandlerContext): Promise<Reply> {
  const partNumber = partNumberOf(ctx);
  const upload = mustGetUpload(ctx);
  const { bucket: sourceBucket, object: src } = readCopySource(ctx);
  const rangeHeader = header(ctx.headers, 'x-cos-copy-source-range');
  // An empty range names no range: COS copies the whole source (the official Python SDK's upload_part_copy sends it so).
  const range = rangeHeader === undefined || rangeHeader.trim() === '' ? undefined : parseCopySourceRange(rangeHeader, src.size);
  const length = range ? range.end - range.start + 1 : src.size;
  if (length > COS_LIMITS.maxPartBytes) {
    throw CosErrors.entityTooLarge(`the part would copy ${length} bytes; a copied part has at most ${COS_LIMITS.maxPartBytes}`);
  }
  // A request body has nothing to say here: drain it so the connection stays usable.
  ctx.body.resume();
  const bytes: AsyncIterable<Uint8Array> = length === 0 ? (async function* () {})() : ctx.stores.blobs.read(src.blobId, range);
  const blob = await ctx.stores.blobs.write(bytes);
  const part = await storePart(ctx, upload, partNumber, blob);
  return {
    status: 200,
    headers: {
      ...XML,
      'x-cos-hash-crc64ecma': part.crc64,
      ...(sourceBucket.versioning ? { 'x-cos-copy-source-version-id': src.versionId ?? 'null' } : {}),
    },
    body: toXml('CopyPartResult', { ETag: `"${part.etag}"`, LastModified: isoDate(part.lastModified) }),
  };
}
