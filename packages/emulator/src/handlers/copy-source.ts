import { CosErrors } from '../errors/index.js';
import type { BucketRecord, ObjectRecord } from '../persistence/index.js';
import { header } from '../http/headers.js';
import type { HandlerContext } from './context.js';
import { checkVersionId, copySourceVersion, selectObject } from './versioning.js';
import { checkReadAccess } from './encryption.js';

/** `<bucket>.cos.<region>.<domain>/<encoded key>`, or `/<bucket>/<encoded key>`. */
export function parseCopySource(value: string, ctx: HandlerContext): { bucket: string; key: string } {
  let v = value.trim();
  try {
    v = v.replace(/^https?:\/\//, '');
    const q = v.indexOf('?');
    if (q >= 0) v = v.slice(0, q);
    const hosted = /^([a-z0-9-]+-\d+)\.cos[^/]*\/(.+)$/.exec(v);
    if (hosted) return { bucket: hosted[1]!, key: decodeURIComponent(hosted[2]!) };
    const path = /^\/?([a-z0-9-]+-\d+)\/(.+)$/.exec(v);
    if (path) return { bucket: path[1]!, key: decodeURIComponent(path[2]!) };
    const slash = v.indexOf('/');
    if (slash > 0) return { bucket: ctx.bucket.name, key: decodeURIComponent(v.slice(slash + 1)) };
  } catch {
    // fall through to the refusal below
  }
  throw CosErrors.invalidArgument(`x-cos-copy-source "${value}" is not "<bucket>-<appid>.cos.<region>.myqcloud.com/<key>"`);
}

const matches = (list: string, o: ObjectRecord) =>
  list.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === `"${o.etag}"` || tag === o.etag;
  });

/** An HTTP date as unix seconds; a date that does not parse is a malformed header, as COS answers it. */
function seconds(name: string, value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw CosErrors.invalidArgument(`${name} "${value}" is not an HTTP date`);
  return Math.floor(ms / 1000);
}

/**
 * The x-cos-copy-source-If-* conditions on the source, as for GET with S3's copy rules: If-Match that
 * holds overrides a failing If-Unmodified-Since, and If-None-Match, when sent, decides over
 * If-Modified-Since. Every failure is 412.
 */
export function checkCopySourceConditions(ctx: HandlerContext, src: ObjectRecord): void {
  const h = (n: string) => header(ctx.headers, n);
  const modified = Math.floor(src.lastModified / 1000);
  const ifMatch = h('x-cos-copy-source-if-match');
  if (ifMatch !== undefined && !matches(ifMatch, src)) {
    throw CosErrors.preconditionFailed(`x-cos-copy-source-If-Match ${ifMatch} is not the source's ETag "${src.etag}"`);
  }
  const ifUnmodified = h('x-cos-copy-source-if-unmodified-since');
  if (ifUnmodified !== undefined && ifMatch === undefined && modified > seconds('x-cos-copy-source-If-Unmodified-Since', ifUnmodified)) {
    throw CosErrors.preconditionFailed(`the source was modified after x-cos-copy-source-If-Unmodified-Since ${ifUnmodified}`);
  }
  const ifNoneMatch = h('x-cos-copy-source-if-none-match');
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, src)) {
    throw CosErrors.preconditionFailed(`x-cos-copy-source-If-None-Match ${ifNoneMatch} matches the source's ETag "${src.etag}"`);
  }
  const ifModified = h('x-cos-copy-source-if-modified-since');
  if (ifModified !== undefined && ifNoneMatch === undefined && modified <= seconds('x-cos-copy-source-If-Modified-Since', ifModified)) {
    throw CosErrors.preconditionFailed(`the source was not modified after x-cos-copy-source-If-Modified-Since ${ifModified}`);
  }
}

/**
 * The object x-cos-copy-source names (the version its `?versionId=` asks for), once the caller may read
 * it (GetObject on the source, as COS checks it) and its conditions hold.
 */
export function readCopySource(ctx: HandlerContext): {
  bucket: BucketRecord;
  key: string;
  versionId: string | undefined;
  object: ObjectRecord;
} {
  const value = header(ctx.headers, 'x-cos-copy-source') ?? '';
  const source = parseCopySource(value, ctx);
  const versionId = copySourceVersion(value);
  if (versionId !== undefined) checkVersionId(versionId);
  ctx.access.authorize('name/cos:GetObject', source.key, source.bucket);
  const bucket = ctx.stores.metadata.getBucket(source.bucket);
  if (!bucket) throw CosErrors.noSuchBucket(source.bucket);
  const object = selectObject({ ...ctx, bucket }, source.key, versionId);
  // COS (doc 436/7741): an appendable object cannot be copied. It documents no code for it: InvalidRequest.
  if (object.appendable) {
    throw CosErrors.invalidRequest(
      'The copy source is an appendable object, which cannot be copied.',
      `"${source.key}" was written by APPEND Object; COS does not copy appendable objects (doc 436/7741). Copy it after a PUT or Complete has made it a normal object`,
    );
  }
  checkCopySourceConditions(ctx, object);
  // An SSE-C source is read only with its key, sent as x-cos-copy-source-server-side-encryption-customer-*.
  checkReadAccess((n) => header(ctx.headers, n), object.sse, true);
  return { bucket, key: source.key, versionId, object };
}

/**
 * x-cos-copy-source-range: exactly `bytes=<first>-<last>` (doc 436/8287). A value of another form is
 * InvalidArgument; a range that does not lie within the source is InvalidRange.
 */
export function parseCopySourceRange(value: string, size: number): { start: number; end: number } {
  const m = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  if (!m) throw CosErrors.invalidArgument(`x-cos-copy-source-range "${value}" is not of the form bytes=<first>-<last>`);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start > end) throw CosErrors.invalidArgument(`x-cos-copy-source-range "${value}" ends before it starts`);
  if (end >= size) {
    throw CosErrors.invalidRange(size, `x-cos-copy-source-range "${value}" reaches beyond the source, which has ${size} bytes`);
  }
  return { start, end };
}
