import { DEV_CORS_RULE } from '../bucket-config/dev-cors.js';
import { CosError, CosErrors } from '../errors/index.js';
import { CONFIGURATION_BODY, readXmlBody } from '../http/body.js';
import { ALL_GRANT_HEADERS } from '../http/header-names.js';
import { header } from '../http/headers.js';
import { XML, type Reply } from '../http/reply.js';
import { type CorsRule, firstOf, listGrouped, type ObjectRecord } from '../persistence/index.js';
import { toXml } from '../xml/xml.js';
import type { HandlerContext, ServiceContext } from './context.js';
import { creationAcl } from './acl.js';
import { keyEncoder, listedObject } from './listing.js';
import { checkVersionId, deleteKey } from './versioning.js';

export async function putBucket(ctx: ServiceContext): Promise<Reply> {
  const name = ctx.routed.bucket;
  if (ctx.bucket) throw CosErrors.bucketAlreadyOwnedByYou(name);
  if (!name.endsWith(`-${ctx.config.appId}`))
    throw CosErrors.invalidBucketName(`bucket "${name}" must end with -${ctx.config.appId}, the emulator's AppId`);
  const access = creationAcl((n) => header(ctx.headers, n), ALL_GRANT_HEADERS, 'private');
  await ctx.stores.metadata.putBucket({
    name,
    region: ctx.config.region,
    created: ctx.now * 1000,
    ...access,
    ...(ctx.config.devCors ? { cors: [DEV_CORS_RULE] } : {}),
  });
  return { status: 200, headers: { location: `/${name}` } };
}

/** GET Bucket location (doc 436/8275): the region the bucket lives in, as a bare <LocationConstraint>. */
export async function getBucketLocation(ctx: HandlerContext): Promise<Reply> {
  return { status: 200, headers: XML, body: toXml('LocationConstraint', ctx.bucket.region) };
}

export async function listObjects(ctx: HandlerContext): Promise<Reply> {
  // Parameter names are read without regard to case, as the authorization read `prefix`.
  const q = ctx.routed.params;
  const prefix = q.prefix ?? '';
  const delimiter = q.delimiter ?? '';
  const marker = q.marker ?? '';
  const rawMax = q['max-keys'];
  if (rawMax !== undefined && rawMax !== '' && !/^\d+$/.test(rawMax))
    throw CosErrors.invalidArgument(`max-keys "${rawMax}" must be a non-negative integer`);
  const maxKeys = rawMax === undefined || rawMax === '' ? 1000 : Math.min(Number(rawMax), 1000);
  const encode = q['encoding-type'] === 'url';
  if (q['encoding-type'] !== undefined && q['encoding-type'] !== 'url') throw CosErrors.invalidArgument('encoding-type must be "url"');
  const meta = ctx.stores.metadata;
  const page = listGrouped(
    (range) => meta.listObjects(ctx.bucket.name, range),
    (o) => o.key,
    {
      prefix,
      delimiter,
      max: maxKeys,
      after: marker,
    },
  );
  const truncated = page.truncated;
  const contents: ObjectRecord[] = [];
  const prefixes: string[] = [];
  let nextMarker = '';
  for (const entry of page.entries) {
    if ('item' in entry) {
      contents.push(entry.item);
      nextMarker = entry.item.key;
    } else {
      prefixes.push(entry.commonPrefix);
      nextMarker = entry.commonPrefix;
    }
  }
  const enc = keyEncoder(encode);
  const owner = { ID: ctx.config.appId, DisplayName: ctx.config.appId };
  return {
    status: 200,
    headers: { ...XML, 'x-cos-bucket-region': ctx.bucket.region },
    body: toXml('ListBucketResult', {
      Name: ctx.bucket.name,
      EncodingType: encode ? 'url' : undefined,
      Prefix: enc(prefix),
      Marker: enc(marker),
      MaxKeys: maxKeys,
      Delimiter: delimiter ? enc(delimiter) : undefined,
      IsTruncated: truncated ? 'true' : 'false',
      NextMarker: truncated ? enc(nextMarker) : undefined,
      CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
      Contents: contents.map((o) => listedObject(o, enc, owner)),
    }),
  };
}

export async function headBucket(ctx: HandlerContext): Promise<Reply> {
  return { status: 200, headers: { 'x-cos-bucket-region': ctx.bucket.region } };
}

export async function deleteBucket(ctx: HandlerContext): Promise<Reply> {
  const meta = ctx.stores.metadata;
  // Versions and delete markers count: a bucket is empty once its history is.
  if (firstOf(meta.listVersions(ctx.bucket.name))) throw CosErrors.bucketNotEmpty(ctx.bucket.name);
  // Collected first: the uploads are removed while nothing iterates over them.
  const uploads = [...meta.listUploads(ctx.bucket.name)].map((u) => u.uploadId);
  for (const id of uploads) {
    for (const p of await meta.deleteUpload(id)) await ctx.stores.blobs.delete(p.blobId);
  }
  await ctx.stores.metadata.deleteBucket(ctx.bucket.name);
  return { status: 204 };
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

export async function putBucketCors(ctx: HandlerContext): Promise<Reply> {
  const doc = await readXmlBody(ctx, CONFIGURATION_BODY);
  const config = doc.CORSConfiguration as { CORSRule?: Array<Record<string, unknown>> } | undefined;
  if (!config || !Array.isArray(config.CORSRule)) throw CosErrors.malformedXml('expected <CORSConfiguration> with <CORSRule> elements');
  if (config.CORSRule.length > 100) throw CosErrors.invalidArgument('at most 100 CORS rules are allowed');
  const rules: CorsRule[] = config.CORSRule.map((r, i) => {
    const rule: CorsRule = {
      id: r.ID === undefined ? undefined : String(r.ID),
      allowedOrigins: list(r.AllowedOrigin),
      allowedMethods: list(r.AllowedMethod).map((m) => m.toUpperCase()),
      allowedHeaders: list(r.AllowedHeader),
      exposeHeaders: list(r.ExposeHeader),
      maxAgeSeconds: r.MaxAgeSeconds === undefined ? undefined : Number(r.MaxAgeSeconds),
    };
    if (rule.allowedOrigins.length === 0 || rule.allowedMethods.length === 0) {
      throw CosErrors.malformedXml(`CORSRule ${i} needs at least one AllowedOrigin and one AllowedMethod`);
    }
    // An integer element of COS's schema: anything else fails the document, not the rule alone.
    if (rule.maxAgeSeconds !== undefined && !(Number.isSafeInteger(rule.maxAgeSeconds) && rule.maxAgeSeconds >= 0)) {
      throw CosErrors.malformedXml(`CORSRule ${i}: MaxAgeSeconds "${String(r.MaxAgeSeconds)}" is not a whole number of seconds`);
    }
    const bad = rule.allowedMethods.find((m) => !['GET', 'PUT', 'HEAD', 'POST', 'DELETE'].includes(m));
    if (bad) throw CosErrors.invalidArgument(`CORSRule ${i}: AllowedMethod ${bad} is not one of GET, PUT, HEAD, POST, DELETE`);
    return rule;
  });
  await ctx.stores.metadata.putBucket({ ...ctx.bucket, cors: rules });
  return { status: 200 };
}

export async function getBucketCors(ctx: HandlerContext): Promise<Reply> {
  const rules = ctx.bucket.cors;
  if (!rules || rules.length === 0) throw CosErrors.noSuchCors();
  return {
    status: 200,
    headers: XML,
    body: toXml('CORSConfiguration', {
      CORSRule: rules.map((r) => ({
        ID: r.id,
        AllowedOrigin: r.allowedOrigins,
        AllowedMethod: r.allowedMethods,
        AllowedHeader: r.allowedHeaders,
        MaxAgeSeconds: r.maxAgeSeconds,
        ExposeHeader: r.exposeHeaders,
      })),
    }),
  };
}

export async function deleteBucketCors(ctx: HandlerContext): Promise<Reply> {
  const { cors: _removed, ...rest } = ctx.bucket;
  await ctx.stores.metadata.putBucket(rest);
  return { status: 204 };
}

export async function deleteMultipleObjects(ctx: HandlerContext): Promise<Reply> {
  const doc = await readXmlBody(ctx, { ...CONFIGURATION_BODY, md5: 'required' });
  const root = doc.Delete as { Object?: unknown[]; Quiet?: unknown } | undefined;
  if (!root || typeof root !== 'object' || !Array.isArray(root.Object) || root.Object.length === 0)
    throw CosErrors.malformedXml('expected <Delete> with <Object><Key> elements');
  if (root.Object.length > 1000) throw CosErrors.malformedXml('at most 1000 keys can be deleted per request');
  if (root.Quiet !== undefined && (typeof root.Quiet !== 'string' || !/^(true|false)$/i.test(root.Quiet)))
    throw CosErrors.malformedXml('<Quiet> must be true or false');
  // Every entry is checked before anything is deleted: one malformed <Object> refuses the whole request.
  const targets = root.Object.map((o, i) => {
    const entry = o && typeof o === 'object' ? (o as { Key?: unknown; VersionId?: unknown }) : {};
    const key = entry.Key;
    if (typeof key !== 'string' || key === '') {
      throw CosErrors.malformedXml(
        `<Object> #${i + 1} needs one non-empty <Key> holding text (it has ${key === undefined ? 'none' : 'markup or nothing'})`,
      );
    }
    const versionId = entry.VersionId;
    if (versionId !== undefined && typeof versionId !== 'string')
      throw CosErrors.malformedXml(`<Object> #${i + 1}: <VersionId> must hold text`);
    if (versionId) checkVersionId(versionId);
    return { key, versionId: versionId || undefined };
  });
  const quiet = String(root.Quiet ?? 'false').toLowerCase() === 'true';
  const deleted: Array<Record<string, string | undefined>> = [];
  const errors: Array<{ Key: string; VersionId?: string; Code: string; Message: string }> = [];
  for (const { key, versionId } of targets) {
    try {
      ctx.access.authorize('name/cos:DeleteObject', key);
      const d = await deleteKey(ctx, key, versionId);
      deleted.push(
        versionId !== undefined
          ? {
              Key: key,
              VersionId: versionId,
              DeleteMarker: d.deleteMarker ? 'true' : undefined,
              DeleteMarkerVersionId: d.deleteMarker ? versionId : undefined,
            }
          : { Key: key, DeleteMarker: d.deleteMarker ? 'true' : undefined, DeleteMarkerVersionId: d.versionId },
      );
    } catch (e) {
      if (!(e instanceof CosError)) throw e;
      errors.push({ Key: key, ...(versionId !== undefined ? { VersionId: versionId } : {}), Code: e.code, Message: e.message });
    }
  }
  return { status: 200, headers: XML, body: toXml('DeleteResult', { Deleted: quiet ? undefined : deleted, Error: errors }) };
}
