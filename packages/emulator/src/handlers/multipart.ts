import { createHash, randomBytes } from 'node:crypto';
import { COS_LIMITS } from '@cos-direct/signer';
import { CosErrors } from '../errors/index.js';
import { type BlobInfo, type Completion, listGrouped, type PartRecord, type UploadRecord } from '../persistence/index.js';
import { readXmlBody } from '../http/body.js';
import { header, headerSource } from '../http/headers.js';
import { isoDate, XML, type Reply } from '../http/reply.js';
import { toXml } from '../xml/xml.js';
import { receiveBody } from './body.js';
import type { HandlerContext } from './context.js';
import { encryptionHeaders, requestedEncryption } from './encryption.js';
import { objectAttributesOf } from './object-attributes.js';
import { forbidOverwrite } from './overwrite.js';
import { tagFields } from './tagging.js';

function owner(ctx: HandlerContext) {
  return { ID: ctx.config.appId, DisplayName: ctx.config.appId };
}
function initiator(ctx: HandlerContext) {
  const { identity } = ctx.access;
  const id = identity.kind === 'anonymous' ? 'anonymous' : identity.secretId;
  return { ID: `qcs::cam::uin/${ctx.config.appId}:uin/${ctx.config.appId}`, DisplayName: id };
}

export function mustGetUpload(ctx: HandlerContext): UploadRecord {
  const uploadId = ctx.routed.query.uploadId ?? '';
  const upload = ctx.stores.metadata.getUpload(uploadId);
  if (!upload || upload.bucket !== ctx.bucket.name || upload.key !== ctx.routed.key) throw CosErrors.noSuchUpload(uploadId);
  return upload;
}

export async function initiateMultipartUpload(ctx: HandlerContext): Promise<Reply> {
  // The object gets them at Complete.
  const attributes = objectAttributesOf(headerSource(ctx.headers), ctx.routed.key, ctx.config);
  // COS documents it on Initiate too: checked here so that a long upload does not start towards a refusal.
  forbidOverwrite(
    header(ctx.headers, 'x-cos-forbid-overwrite'),
    ctx.routed.key,
  )?.(ctx.stores.metadata.getObject(ctx.bucket.name, ctx.routed.key));
  const upload: UploadRecord = {
    bucket: ctx.bucket.name,
    key: ctx.routed.key,
    // COS upload ids start with the unix time; the rest is opaque.
    uploadId: `${ctx.now}${randomBytes(24).toString('hex')}`,
    initiated: ctx.now * 1000,
    ...attributes,
  };
  await ctx.stores.metadata.putUpload(upload);
  return {
    status: 200,
    headers: { ...XML, ...encryptionHeaders(upload.sse) },
    body: toXml('InitiateMultipartUploadResult', { Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId }),
  };
}

export function partNumberOf(ctx: HandlerContext): number {
  const raw = ctx.routed.query.partNumber ?? '';
  const partNumber = Number(raw);
  if (!/^\d+$/.test(raw) || partNumber < 1 || partNumber > COS_LIMITS.maxParts) {
    throw CosErrors.invalidArgument(`partNumber "${raw}" must be an integer from 1 to ${COS_LIMITS.maxParts}`);
  }
  return partNumber;
}

/** Records a part's bytes under its upload, or releases them when the upload ended meanwhile. */
export async function storePart(ctx: HandlerContext, upload: UploadRecord, partNumber: number, blob: BlobInfo): Promise<PartRecord> {
  const part: PartRecord = {
    uploadId: upload.uploadId,
    partNumber,
    blobId: blob.id,
    size: blob.size,
    etag: blob.md5,
    crc64: blob.crc64,
    lastModified: ctx.now * 1000,
  };
  const { stored, previous } = await ctx.stores.metadata.putPart(part);
  // The upload may have been completed or aborted while the part streamed in.
  if (!stored) {
    await ctx.stores.blobs.delete(blob.id);
    throw CosErrors.noSuchUpload(upload.uploadId);
  }
  if (previous) await ctx.stores.blobs.delete(previous.blobId);
  return part;
}

export async function uploadPart(ctx: HandlerContext): Promise<Reply> {
  const partNumber = partNumberOf(ctx);
  const upload = mustGetUpload(ctx);
  // Checked as on Initiate (the official SDK repeats x-cos-server-side-encryption on every part); the upload's own applies.
  requestedEncryption((n) => header(ctx.headers, n), ctx.config);
  const blob = await receiveBody(ctx, COS_LIMITS.maxPartBytes);
  await storePart(ctx, upload, partNumber, blob);
  return { status: 200, headers: { etag: `"${blob.md5}"`, 'x-cos-hash-crc64ecma': blob.crc64, ...encryptionHeaders(upload.sse) } };
}

function intParam(ctx: HandlerContext, name: string, fallback: number, max: number): number {
  const raw = ctx.routed.query[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw)) throw CosErrors.invalidArgument(`${name} "${raw}" must be a non-negative integer`);
  return Math.min(n, max);
}

export async function listParts(ctx: HandlerContext): Promise<Reply> {
  const upload = mustGetUpload(ctx);
  const maxParts = intParam(ctx, 'max-parts', 1000, 1000);
  const marker = intParam(ctx, 'part-number-marker', 0, COS_LIMITS.maxParts);
  const page: PartRecord[] = [];
  let truncated = false;
  for (const p of ctx.stores.metadata.listParts(upload.uploadId, marker)) {
    if (page.length >= maxParts) {
      truncated = true;
      break;
    }
    page.push(p);
  }
  return {
    status: 200,
    headers: XML,
    body: toXml('ListPartsResult', {
      Bucket: upload.bucket,
      EncodingType: ctx.routed.query['encoding-type'] ?? '',
      Key: upload.key,
      UploadId: upload.uploadId,
      Owner: owner(ctx),
      PartNumberMarker: marker,
      Initiator: initiator(ctx),
      Part: page.map((p) => ({ PartNumber: p.partNumber, LastModified: isoDate(p.lastModified), ETag: `"${p.etag}"`, Size: p.size })),
      StorageClass: upload.storageClass,
      NextPartNumberMarker: truncated ? page[page.length - 1]!.partNumber : undefined,
      MaxParts: maxParts,
      IsTruncated: truncated ? 'true' : 'false',
    }),
  };
}

async function requestedParts(ctx: HandlerContext): Promise<Array<{ partNumber: number; etag: string }>> {
  const doc = await readXmlBody(ctx, { limit: 2 * 1024 * 1024, md5: 'ignored', document: 'the Complete Multipart Upload body' });
  const root = doc.CompleteMultipartUpload as { Part?: Array<{ PartNumber?: string; ETag?: string }> } | undefined;
  if (!root || !Array.isArray(root.Part) || root.Part.length === 0) {
    throw CosErrors.malformedXml('expected <CompleteMultipartUpload> with at least one <Part>');
  }
  return root.Part.map((p, i) => {
    const partNumber = Number(p.PartNumber);
    if (!Number.isInteger(partNumber) || typeof p.ETag !== 'string') {
      throw CosErrors.malformedXml(`<Part> #${i + 1} needs an integer <PartNumber> and an <ETag>`);
    }
    return {
      partNumber,
      etag: p.ETag.replace(/&quot;/g, '"')
        .replace(/^"|"$/g, '')
        .toLowerCase(),
    };
  });
}

/**
 * What a Complete made: the answer's headers and the fields of its `<CompleteMultipartUploadResult>`,
 * which upload processing extends before it is written.
 */
export interface Completed {
  headers: Record<string, string>;
  result: { Location: string; Bucket: string; Key: string; ETag: string };
}

export async function completeMultipartUpload(ctx: HandlerContext): Promise<Reply> {
  const { headers, result } = await completeUpload(ctx);
  return { status: 200, headers: { ...XML, ...headers }, body: toXml('CompleteMultipartUploadResult', result) };
}

/**
 * Joins the listed parts into the object. `beforeCommit` sees the joined bytes before the object is in
 * place; when it throws, nothing changes (the upload and its parts stay, as before the request).
 */
export async function completeUpload(ctx: HandlerContext, beforeCommit?: (blob: BlobInfo) => Promise<void>): Promise<Completed> {
  const upload = mustGetUpload(ctx);
  const requested = await requestedParts(ctx);
  const stored = new Map([...ctx.stores.metadata.listParts(upload.uploadId)].map((p) => [p.partNumber, p]));
  const chosen: PartRecord[] = [];
  for (const [i, part] of requested.entries()) {
    if (i > 0 && part.partNumber <= requested[i - 1]!.partNumber) {
      throw CosErrors.invalidPartOrder(
        `part ${part.partNumber} follows part ${requested[i - 1]!.partNumber}; parts must be listed in ascending order`,
      );
    }
  }
  for (const [i, part] of requested.entries()) {
    if (part.partNumber !== i + 1) {
      throw CosErrors.invalidPart(`part numbers must be continuous from 1; position ${i + 1} lists part ${part.partNumber}`);
    }
    const have = stored.get(part.partNumber);
    if (!have)
      throw CosErrors.invalidPart(`part ${part.partNumber} was never uploaded (uploaded: ${[...stored.keys()].join(', ') || 'none'})`);
    if (have.etag !== part.etag) {
      throw CosErrors.invalidPart(`part ${part.partNumber} has ETag "${have.etag}", the request lists "${part.etag}"`);
    }
    chosen.push(have);
  }
  for (const [i, p] of chosen.entries()) {
    if (i < chosen.length - 1 && p.size < COS_LIMITS.minPartBytes) {
      throw CosErrors.entityTooSmall(
        `part ${p.partNumber} has ${p.size} bytes; every part but the last needs at least ${COS_LIMITS.minPartBytes}`,
      );
    }
  }
  // On Complete it is checked in the transaction that makes the object: the key may exist since Initiate.
  const overwrite = forbidOverwrite(header(ctx.headers, 'x-cos-forbid-overwrite'), upload.key);
  overwrite?.(ctx.stores.metadata.getObject(upload.bucket, upload.key));
  const blob = await ctx.stores.blobs.concat(chosen.map((p) => p.blobId));
  // S3's rule: MD5 over the concatenated binary part MD5s, then "-<parts>".
  const etag =
    createHash('md5')
      .update(Buffer.concat(chosen.map((p) => Buffer.from(p.etag, 'hex'))))
      .digest('hex') +
    '-' +
    chosen.length;
  try {
    await beforeCommit?.(blob);
  } catch (e) {
    await ctx.stores.blobs.delete(blob.id);
    throw e;
  }
  // One transaction: the object in place, the upload and its parts gone, or (when another Complete or an
  // Abort finished the upload while the parts were joined) nothing changed.
  let completion: Completion | undefined;
  try {
    completion = await ctx.stores.metadata.completeUpload(
      upload.uploadId,
      {
        bucket: upload.bucket,
        key: upload.key,
        blobId: blob.id,
        size: blob.size,
        etag,
        crc64: blob.crc64,
        lastModified: ctx.now * 1000,
        headers: upload.headers,
        meta: upload.meta,
        acl: upload.acl,
        ...(upload.grants ? { grants: upload.grants } : {}),
        storageClass: upload.storageClass,
        ...tagFields(upload.tags),
        ...(upload.sse ? { sse: upload.sse } : {}),
      },
      overwrite,
    );
  } catch (e) {
    // Refused in the transaction (the key came to exist meanwhile): the upload stays, as before the request.
    await ctx.stores.blobs.delete(blob.id);
    throw e;
  }
  if (!completion) {
    await ctx.stores.blobs.delete(blob.id);
    throw CosErrors.noSuchUpload(upload.uploadId);
  }
  if (completion.previous) await ctx.stores.blobs.delete(completion.previous.blobId);
  for (const p of completion.parts) await ctx.stores.blobs.delete(p.blobId);
  return {
    headers: {
      'x-cos-hash-crc64ecma': blob.crc64,
      ...encryptionHeaders(upload.sse),
      ...(completion.versionId === undefined ? {} : { 'x-cos-version-id': completion.versionId }),
    },
    result: {
      Location: `${ctx.host}/${encodeURI(upload.key)}`,
      Bucket: upload.bucket,
      Key: upload.key,
      ETag: `"${etag}"`,
    },
  };
}

export async function abortMultipartUpload(ctx: HandlerContext): Promise<Reply> {
  const upload = mustGetUpload(ctx);
  const parts = await ctx.stores.metadata.deleteUpload(upload.uploadId);
  for (const p of parts) await ctx.stores.blobs.delete(p.blobId);
  return { status: 204 };
}

export async function listMultipartUploads(ctx: HandlerContext): Promise<Reply> {
  // Parameter names are read without regard to case, as the authorization read `prefix`.
  const q = ctx.routed.params;
  const prefix = q.prefix ?? '';
  const delimiter = q.delimiter ?? '';
  const keyMarker = q['key-marker'] ?? '';
  const uploadIdMarker = q['upload-id-marker'] ?? '';
  const max = intParam(ctx, 'max-uploads', 1000, 1000);
  const page = listGrouped(
    (range) => ctx.stores.metadata.listUploads(ctx.bucket.name, range),
    (u) => u.key,
    {
      prefix,
      delimiter,
      max,
      after: keyMarker,
      afterUploadId: uploadIdMarker,
    },
  );
  const truncated = page.truncated;
  const uploads: UploadRecord[] = [];
  const prefixes: string[] = [];
  let last: UploadRecord | undefined;
  for (const entry of page.entries) {
    if ('item' in entry) {
      uploads.push(entry.item);
      last = entry.item;
    } else prefixes.push(entry.commonPrefix);
  }
  return {
    status: 200,
    headers: XML,
    body: toXml('ListMultipartUploadsResult', {
      Bucket: ctx.bucket.name,
      'Encoding-Type': q['encoding-type'] ?? '',
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: truncated && last ? last.key : undefined,
      NextUploadIdMarker: truncated && last ? last.uploadId : undefined,
      MaxUploads: max,
      Prefix: prefix,
      Delimiter: delimiter || undefined,
      IsTruncated: truncated ? 'true' : 'false',
      Upload: uploads.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        StorageClass: u.storageClass,
        Initiator: initiator(ctx),
        Owner: initiator(ctx),
        Initiated: isoDate(u.initiated),
      })),
      CommonPrefixes: prefixes.map((p) => ({ Prefix: p })),
    }),
  };
}
