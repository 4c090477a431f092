import { pipeline, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CosErrors } from '../errors/index.js';
import type { HandlerContext } from '../handlers/context.js';
import { TRAFFIC_LIMIT, throttle, trafficLimitOf } from '../handlers/traffic-limit.js';
import { header } from '../http/headers.js';
import type { Reply } from '../http/reply.js';
import type { ObjectRecord } from '../persistence/index.js';
import type { ImagePlan } from './plan.js';
import { processingRuleOf } from './request.js';
import { parseRule } from './rule.js';
import { contentTypeOf, runPlan } from './run.js';

/** The processing a GET or HEAD asks for (`?imageMogr2/…`, `?imageInfo`, …), parsed; undefined for a plain download. */
export function downloadPlanOf(ctx: HandlerContext): ImagePlan | undefined {
  const rule = processingRuleOf(ctx.routed.query);
  return rule === undefined ? undefined : parseRule(rule);
}

/**
 * Answers a download with processing: the processed image (or the JSON of imageInfo, imageAve,
 * exif) in place of the object's bytes. `headers` are the object's own, with the response-*
 * overrides; those that describe the stored bytes are replaced by the result's.
 */
export async function processedDownload(
  ctx: HandlerContext,
  object: ObjectRecord,
  plan: ImagePlan,
  headers: Record<string, string>,
  headOnly: boolean,
): Promise<Reply> {
  if (header(ctx.headers, 'range')) {
    throw CosErrors.notImplemented(`a Range with image processing ("${plan.rule}")`);
  }
  const outcome = await runPlan(plan, object.size, () => buffer(ctx.stores.blobs.read(object.blobId)));
  const body = outcome.kind === 'json' ? Buffer.from(JSON.stringify(outcome.body)) : outcome.picture.data;
  const out = { ...headers };
  // The stored object's checksum does not describe these bytes; a client checking it would fail.
  delete out['x-cos-hash-crc64ecma'];
  if (ctx.routed.params['response-content-type'] === undefined) {
    out['content-type'] = outcome.kind === 'json' ? 'application/json' : contentTypeOf(outcome.picture);
  }
  out['content-length'] = String(body.length);
  if (headOnly) return { status: 200, headers: out };
  // x-cos-traffic-limit paces the processed bytes as it paces a plain download.
  const limit = trafficLimitOf(header(ctx.headers, TRAFFIC_LIMIT), ctx.routed.params[TRAFFIC_LIMIT]);
  if (limit === undefined) return { status: 200, headers: out, body };
  return { status: 200, headers: out, body: pipeline(Readable.from([body]), throttle(limit), () => undefined) };
}
