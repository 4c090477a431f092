import { CosErrors } from './errors/index.js';

export type SubresourceMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/**
 * A query parameter that names a COS feature (a sub-resource): where COS offers it, with which methods,
 * and which of those the emulator refuses. The emulator serves the rest through its operation table.
 */
export interface SubresourceRow {
  param: string;
  /** COS's APIs that use it, as its API documentation names them. */
  feature: string;
  bucket?: readonly SubresourceMethod[];
  object?: readonly SubresourceMethod[];
  /**
   * Methods the emulator does not implement, each answered 501 naming the feature; `true`: the whole
   * feature, whatever the method, since serving any request that names it as a plain one would drop it.
   */
  refused?: true | readonly SubresourceMethod[];
  /** The parameter is a processing chain (`imageMogr2/thumbnail/…`): a name that starts with it and a "/" is it too. */
  chain?: true;
  /** A bucket configuration the emulator stores (bucket-config/subresources.ts): refused on an object rather than ignored. */
  configuration?: true;
}

const RW = ['GET', 'PUT'] as const;
const RWD = ['GET', 'PUT', 'DELETE'] as const;

/**
 * Every sub-resource of COS's XML API (the API overview, doc 436/7751, and the official SDKs' requests),
 * in one place: routing refuses what the emulator lacks by name, rather than serve it as another operation.
 */
export const COS_SUBRESOURCES: readonly SubresourceRow[] = [
  // Served: bucket configurations (bucket-config/subresources.ts) and the operations of operations.ts.
  { param: 'acl', feature: 'PUT/GET Bucket acl, PUT/GET Object acl', bucket: RW, object: RW },
  { param: 'cors', feature: 'PUT/GET/DELETE Bucket cors', bucket: RWD },
  { param: 'policy', feature: 'PUT/GET/DELETE Bucket policy', bucket: RWD, configuration: true },
  { param: 'lifecycle', feature: 'PUT/GET/DELETE Bucket lifecycle', bucket: RWD, configuration: true },
  { param: 'website', feature: 'PUT/GET/DELETE Bucket website', bucket: RWD, configuration: true },
  { param: 'referer', feature: 'PUT/GET Bucket referer', bucket: RW, configuration: true },
  { param: 'logging', feature: 'PUT/GET Bucket logging', bucket: RW, configuration: true },
  {
    param: 'inventory',
    feature: 'PUT/GET/DELETE/List Bucket inventory, POST Bucket inventory (a one-off inventory)',
    bucket: [...RWD, 'POST'],
    refused: ['POST'],
    configuration: true,
  },
  { param: 'domain', feature: 'PUT/GET/DELETE Bucket domain', bucket: RWD, configuration: true },
  { param: 'origin', feature: 'PUT/GET/DELETE Bucket origin', bucket: RWD, configuration: true },
  { param: 'replication', feature: 'PUT/GET/DELETE Bucket replication', bucket: RWD, configuration: true },
  { param: 'encryption', feature: 'PUT/GET/DELETE Bucket encryption', bucket: RWD, configuration: true },
  { param: 'accelerate', feature: 'PUT/GET Bucket accelerate', bucket: RW, configuration: true },
  {
    param: 'tagging',
    feature: 'PUT/GET/DELETE Bucket tagging, PUT/GET/DELETE Object tagging',
    bucket: RWD,
    object: RWD,
    configuration: true,
  },
  { param: 'versioning', feature: 'PUT/GET Bucket versioning', bucket: RW },
  { param: 'versions', feature: 'GET Bucket Object versions', bucket: ['GET'] },
  { param: 'location', feature: 'GET Bucket location', bucket: ['GET'] },
  { param: 'delete', feature: 'DELETE Multiple Objects', bucket: ['POST'] },
  { param: 'uploads', feature: 'List Multipart Uploads, Initiate Multipart Upload', bucket: ['GET'], object: ['POST'] },
  {
    param: 'uploadId',
    feature: 'Upload Part, Upload Part - Copy, List Parts, Complete and Abort Multipart Upload',
    object: ['PUT', 'GET', 'POST', 'DELETE'],
  },
  { param: 'partNumber', feature: 'Upload Part, Upload Part - Copy', object: ['PUT'] },
  { param: 'append', feature: 'APPEND Object', object: ['POST'] },
  { param: 'image_process', feature: 'Cloud Infinite processing of a stored object (POST ?image_process)', object: ['POST'] },
  // Refused: COS features the emulator does not offer.
  { param: 'intelligenttiering', feature: 'PUT/GET Bucket IntelligentTiering', bucket: RW, refused: true },
  { param: 'intelligent-tiering', feature: 'PUT/GET/List Bucket IntelligentTiering (with an id)', bucket: RW, refused: true },
  { param: 'object-lock', feature: 'PUT/GET Bucket ObjectLock', bucket: RW, refused: true },
  { param: 'retention', feature: 'PUT/GET Object Retention (object lock)', object: RW, refused: true },
  { param: 'domaincertificate', feature: 'PUT/GET/DELETE Bucket DomainCertificate', bucket: RWD, refused: true },
  { param: 'style', feature: 'Cloud Infinite image styles (PUT/GET/DELETE ?style)', bucket: RWD, refused: true },
  { param: 'restore', feature: 'POST Object restore (archived objects)', object: ['POST'], refused: true },
  { param: 'select', feature: 'SELECT Object Content', object: ['POST'], refused: true },
  { param: 'symlink', feature: 'PUT/GET Symlink', object: RW, refused: true },
  { param: 'rename', feature: 'Rename (buckets with a hierarchical namespace)', object: ['PUT'], refused: true },
  {
    param: 'live',
    feature: 'LiveChannel (PUT/GET/DELETE a channel, its status, history and switch; list channels)',
    bucket: ['GET'],
    object: RWD,
    refused: true,
  },
  { param: 'vod', feature: 'LiveChannel VOD playlists (GET/POST ?vod)', object: ['GET', 'POST'], refused: true },
  { param: 'ci-process', feature: 'Cloud Infinite processing (?ci-process=…)', object: ['GET', 'POST'], refused: true },
  // Processing on download the emulator does (src/image/): the GET handler answers these.
  ...['imageMogr2', 'imageInfo', 'imageAve', 'exif'].map(
    (param): SubresourceRow => ({ param, feature: 'Cloud Infinite image processing on download', object: ['GET'], chain: true }),
  ),
  ...['imageView2', 'watermark'].map(
    (param): SubresourceRow => ({
      param,
      feature: 'Cloud Infinite image processing on download',
      object: ['GET'],
      refused: true,
      chain: true,
    }),
  ),
];

const BY_PARAM = new Map(COS_SUBRESOURCES.map((row) => [row.param, row]));

function rowOf(name: string): SubresourceRow | undefined {
  const exact = BY_PARAM.get(name);
  if (exact) return exact;
  const slash = name.indexOf('/');
  const head = slash < 0 ? undefined : BY_PARAM.get(name.slice(0, slash));
  return head?.chain ? head : undefined;
}

/**
 * Refuses a request that names a COS sub-resource the emulator does not implement for this method, or a
 * bucket's sub-resource on an object: 501 naming it, instead of serving the request as another operation.
 */
export function refuseUnservedSubresource(method: string, scope: 'bucket' | 'object', query: Record<string, string>): void {
  for (const name of Object.keys(query)) {
    const row = rowOf(name);
    if (!row) continue;
    const offered = row[scope];
    const where = scope === 'bucket' ? '' : '/<key>';
    if (!offered) {
      // Another parameter of the same name is left to routing, as before: only a feature's name is refused here.
      if (row.refused !== true && !row.configuration) continue;
      throw CosErrors.notImplemented(
        `the "${row.param}" sub-resource on ${scope === 'bucket' ? 'a bucket' : 'an object'} (${method} ${where || '/'}?${row.param}; COS offers it on ${scope === 'bucket' ? 'objects' : 'buckets'} only: ${row.feature})`,
      );
    }
    if (row.refused === true || row.refused?.includes(method as SubresourceMethod)) {
      throw CosErrors.notImplemented(`the "${row.param}" sub-resource (${method} ${where || '/'}?${row.param}, COS's ${row.feature})`);
    }
  }
}
