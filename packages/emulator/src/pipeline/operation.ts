import { CosErrors } from '../errors/index.js';
import type { BucketRecord } from '../persistence/index.js';
import { header } from '../http/headers.js';
import { OPERATIONS, type OperationSpec } from '../operations.js';
import { corsResponseHeaders } from './cors.js';
import type { PipelineDeps } from './deps.js';
import type { RequestState } from './request-state.js';
import { routeRequest, virtualHostOf } from './route.js';
import type { RoutedRequest } from './routed-request.js';

export interface FoundOperation {
  routed: RoutedRequest;
  spec: OperationSpec;
  /** The bucket's record, when the request names an existing bucket. */
  bucket: BucketRecord | undefined;
}

/** Stage 2: the COS operation a request asks for, from the operation table, and the bucket it names. */
export function findOperation(deps: PipelineDeps, st: RequestState, method: string): FoundOperation {
  const { config, stores } = deps;
  // Routing asks whether the bucket exists, and the stages after it need its record: read it once.
  let looked: { name: string; record: BucketRecord | undefined } | undefined;
  const bucketNamed = (name: string) => {
    if (looked?.name !== name) looked = { name, record: stores.metadata.getBucket(name) };
    return looked.record;
  };
  checkRegion(deps, st, method, bucketNamed);
  let routed: RoutedRequest;
  try {
    routed = routeRequest({
      method,
      url: st.url,
      host: st.host,
      contentType: header(st.headers, 'content-type') ?? '',
      copySource: header(st.headers, 'x-cos-copy-source') !== undefined,
      bucketExists: (name) => bucketNamed(name) !== undefined,
      defaultBucket: config.buckets[0]!,
      pathStyle: config.pathStyle,
    });
  } catch (error) {
    // A refusal by routing (a feature the emulator lacks) carries the bucket's CORS headers, so that a page can read it.
    const named = virtualHostOf(st.host);
    if (named) applyCors(st, bucketNamed(named.bucket), method);
    throw error;
  }
  st.operation = routed.operation;
  const spec = OPERATIONS[routed.operation];
  if (routed.bucket) st.bucket = routed.bucket;
  if (spec.scope === 'object') st.key = routed.key;
  return { routed, spec, bucket: routed.bucket ? bucketNamed(routed.bucket) : undefined };
}

/**
 * A virtual-hosted name must name the emulator's region: COS answers a bucket only at its own region's
 * host, and the emulator's buckets all live in one region. Path style and the bare address name none.
 */
function checkRegion(deps: PipelineDeps, st: RequestState, method: string, bucketNamed: (name: string) => BucketRecord | undefined) {
  const named = virtualHostOf(st.host);
  const region = deps.config.region;
  if (!named || named.region === region) return;
  const path = st.url.split('?')[0];
  const where = `the host names region ${named.region}, and the emulator serves its buckets in ${region} only (${named.bucket}.cos.${region}.…)`;
  if (method === 'PUT' && path === '/' && !st.url.includes('?') && !bucketNamed(named.bucket))
    throw CosErrors.notImplemented(`creating bucket ${named.bucket} in region ${named.region} (${where})`);
  throw CosErrors.noSuchBucketInRegion(named.bucket, where);
}

/** The bucket's CORS headers for the answer, whatever it is (a refusal too). */
export function applyCors(st: RequestState, bucket: BucketRecord | undefined, method: string): void {
  if (bucket) st.cors = corsResponseHeaders(bucket.cors, header(st.headers, 'origin'), method === 'OPTIONS' ? 'GET' : method);
}
