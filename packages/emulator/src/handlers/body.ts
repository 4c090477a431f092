import type { Readable } from 'node:stream';
import { COS_LIMITS } from '@cos-direct/signer';
import { CosErrors } from '../errors/index.js';
import type { BlobInfo } from '../persistence/index.js';
import { header } from '../http/headers.js';
import type { HandlerContext } from './context.js';
import { throttle, TRAFFIC_LIMIT, trafficLimitOf } from './traffic-limit.js';

/** Content-Length of an upload, or undefined for chunked; refuses a request with neither. */
export function declaredLength(ctx: HandlerContext, max = COS_LIMITS.maxObjectBytes): number | undefined {
  const raw = header(ctx.headers, 'content-length');
  if (raw === undefined) {
    if ((header(ctx.headers, 'transfer-encoding') ?? '').toLowerCase().includes('chunked')) return undefined;
    throw CosErrors.missingContentLength();
  }
  const length = Number(raw);
  if (!Number.isInteger(length) || length < 0) throw CosErrors.invalidArgument(`Content-Length "${raw}" is not a byte count`);
  if (length > max) throw CosErrors.entityTooLarge(`Content-Length ${length} exceeds the limit of ${max} bytes`);
  return length;
}

function expectedMd5(ctx: HandlerContext): string | undefined {
  const raw = header(ctx.headers, 'content-md5');
  if (raw === undefined) return undefined;
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== raw.trim()) {
    throw CosErrors.invalidDigest(`Content-MD5 "${raw}" is not the base64 of a 16-byte MD5`);
  }
  return bytes.toString('hex');
}

/**
 * The request body as an upload reads it: at the rate of x-cos-traffic-limit (the header, or the query
 * parameter of a presigned URL) when the request sets one, as COS reads it.
 */
export function limitedBody(ctx: HandlerContext, body: Readable, ...fields: Array<string | undefined>): Readable {
  const limit = trafficLimitOf(...fields, header(ctx.headers, TRAFFIC_LIMIT), ctx.routed.params[TRAFFIC_LIMIT]);
  if (limit === undefined) return body;
  const limited = throttle(limit);
  body.on('error', (e) => limited.destroy(e));
  return body.pipe(limited);
}

/**
 * Streams the request body into a new blob, checking size and Content-MD5 before the blob becomes
 * visible; on any failure nothing is kept.
 */
export async function receiveBody(ctx: HandlerContext, max = COS_LIMITS.maxObjectBytes): Promise<BlobInfo> {
  const length = declaredLength(ctx, max);
  const md5 = expectedMd5(ctx);
  const body: Readable = ctx.body;
  const source = limitedBody(ctx, body);
  let aborted = false;
  const onAborted = () => (aborted = true);
  body.once('aborted', onAborted);
  try {
    return await ctx.stores.blobs.write(source, (info) => {
      if (aborted) throw CosErrors.incompleteBody('the client closed the connection before the body was complete');
      if (length !== undefined && info.size !== length) {
        throw CosErrors.incompleteBody(`received ${info.size} bytes; Content-Length announced ${length}`);
      }
      if (info.size > max) throw CosErrors.entityTooLarge(`the body has ${info.size} bytes; the limit is ${max}`);
      if (md5 !== undefined && md5 !== info.md5) {
        throw CosErrors.badDigest(
          `Content-MD5 is ${Buffer.from(md5, 'hex').toString('base64')} but the body's MD5 is ${Buffer.from(info.md5, 'hex').toString('base64')}`,
        );
      }
    });
  } finally {
    body.off('aborted', onAborted);
  }
}
