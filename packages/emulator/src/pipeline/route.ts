import { bucketConfigOperation } from '../bucket-config/subresources.js';
import { refuseUnservedSubresource } from '../cos-subresources.js';
import { CosErrors } from '../errors/index.js';
import { checkObjectKey } from '../http/object-key.js';
import { formDecode } from '../http/query.js';
import type { Operation } from '../operation-names.js';
import type { RoutedRequest } from './routed-request.js';

const VIRTUAL_HOST = /^([a-z0-9][a-z0-9-]*-\d+)\.cos(?:-internal|v6)?\.([a-z0-9-]+)\./;
const LONG_BUCKET = /^[a-z0-9][a-z0-9-]*-\d+$/;

/** The bucket and region a virtual-hosted name carries (`<bucket>-<appid>.cos.<region>.<suffix>`). */
export function virtualHostOf(host: string): { bucket: string; region: string } | undefined {
  const vhost = VIRTUAL_HOST.exec(host.toLowerCase().replace(/:\d+$/, ''));
  return vhost ? { bucket: vhost[1]!, region: vhost[2]! } : undefined;
}

export function parseQuery(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (raw === '') return query;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = formDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : formDecode(part.slice(eq + 1));
    if (!(name in query)) query[name] = value;
  }
  return query;
}

function has(query: Record<string, string>, name: string) {
  return Object.hasOwn(query, name);
}

/**
 * Works out bucket, key and operation from Host, path and query. Virtual-hosted names win; then a
 * first path segment naming an existing bucket (path style); otherwise the default bucket, so a
 * client that only knows the emulator's host:port can still upload.
 */
export function routeRequest(input: {
  method: string;
  url: string;
  host: string;
  contentType: string;
  copySource: boolean;
  bucketExists: (name: string) => boolean;
  defaultBucket: string;
  /** Serve `/<bucket>-<appid>/<key>` on the bare address instead of refusing it as COS does for new buckets. */
  pathStyle?: boolean;
}): RoutedRequest {
  const q = input.url.indexOf('?');
  const rawPath = q < 0 ? input.url : input.url.slice(0, q);
  let path: string;
  let query: Record<string, string>;
  try {
    path = formDecode(rawPath);
    query = parseQuery(q < 0 ? '' : input.url.slice(q + 1));
  } catch {
    throw CosErrors.invalidUri(`the URL "${input.url.slice(0, 200)}" has malformed percent-encoding`);
  }
  if (!path.startsWith('/')) throw CosErrors.invalidUri('the request path must start with "/"');
  // COS merges a run of slashes that opens the path (`///a/b` is key `a/b`; the official SDKs send such
  // paths when key simplification is off); an encoded %2F is part of the key and stays subject to its rules.
  const opening = /^\/+(?=[^/])/.exec(rawPath)?.[0].length ?? 1;
  const hostname = input.host.toLowerCase().replace(/:\d+$/, '');

  let bucket: string;
  let key: string;
  let style: RoutedRequest['style'];
  const vhost = VIRTUAL_HOST.exec(hostname);
  if (vhost) {
    bucket = vhost[1]!;
    key = path.slice(opening);
    style = 'virtual-hosted';
  } else if (hostname.startsWith('service.cos.') || (/^cos\.[a-z0-9-]+\./.test(hostname) && path === '/')) {
    // GET Service: service.cos.myqcloud.com, or cos.<region>.myqcloud.com when the SDK is given a Region.
    bucket = '';
    key = '';
    style = 'service';
  } else {
    const slash = path.indexOf('/', 1);
    const first = slash < 0 ? path.slice(1) : path.slice(1, slash);
    if (LONG_BUCKET.test(first) && input.bucketExists(first)) {
      if (!input.pathStyle) {
        throw CosErrors.pathStyleDomainForbidden(
          `"${path.slice(0, 100)}" addresses bucket ${first} in path style, which COS refuses for buckets created since 2024-01-01; ` +
            `use its virtual-hosted host ${first}.cos.<region>.myqcloud.com (the official SDKs: their Ip or Domain option), ` +
            'or start the emulator with --path-style (pathStyle: true) for the old behaviour',
        );
      }
      bucket = first;
      key = slash < 0 ? '' : path.slice(slash + 1);
      style = 'path';
    } else {
      bucket = input.defaultBucket;
      key = path.slice(opening);
      style = 'default-bucket';
    }
  }
  if (key !== '') {
    checkObjectKey(key);
    // `/./` is not an object: COS takes a path of "." segments for the bucket itself (the official SDKs'
    // ObjectKeySimplifyCheck exists to stop it, and their suite expects no object there). ".." is kept:
    // the same suite reads `/abc/../` back as an object.
    if (key.split('/').every((segment) => segment === '' || segment === '.')) {
      throw CosErrors.invalidUri(
        `the path "${path.slice(0, 100)}" has only "." segments after its opening slashes, which COS does not take for an object key`,
      );
    }
  }

  const method = input.method.toUpperCase();
  // A preflight is answered from the bucket's CORS rules alone, whatever the operation it asks about.
  if (style !== 'service' && method !== 'OPTIONS') refuseUnservedSubresource(method, key === '' ? 'bucket' : 'object', query);
  const operation = operationOf(method, style === 'service' ? undefined : key, query, input);
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    const lower = name.toLowerCase();
    if (!(lower in params)) params[lower] = value;
  }
  return { operation, bucket, key, style, signedPath: path, query, params, hostname };
}

function operationOf(
  method: string,
  key: string | undefined,
  query: Record<string, string>,
  input: { contentType: string; copySource: boolean },
): Operation {
  if (method === 'OPTIONS') return 'OptionsObject';
  if (key === undefined) {
    if (method === 'GET') return 'ListBuckets';
    throw CosErrors.methodNotAllowed(`${method} is not allowed on the service endpoint`);
  }
  if (key === '') {
    const config = bucketConfigOperation(method, query);
    if (config && 'unsupported' in config) throw CosErrors.methodNotAllowed(config.unsupported);
    if (config) return config.operation;
    switch (method) {
      case 'GET':
        if (has(query, 'cors')) return 'GetBucketCors';
        if (has(query, 'uploads')) return 'ListMultipartUploads';
        if (has(query, 'acl')) return 'GetBucketAcl';
        if (has(query, 'versioning')) return 'GetBucketVersioning';
        if (has(query, 'versions')) return 'GetBucketObjectVersions';
        if (has(query, 'location')) return 'GetBucketLocation';
        // S3's ListObjectsV2, which S3 clients send to COS (its handler checks the value is 2).
        if (has(query, 'list-type')) return 'ListObjectsV2';
        return 'GetBucket';
      case 'HEAD':
        return 'HeadBucket';
      case 'PUT':
        if (has(query, 'cors')) return 'PutBucketCors';
        if (has(query, 'acl')) return 'PutBucketAcl';
        if (has(query, 'versioning')) return 'PutBucketVersioning';
        return 'PutBucket';
      case 'DELETE':
        if (has(query, 'cors')) return 'DeleteBucketCors';
        return 'DeleteBucket';
      case 'POST':
        if (has(query, 'delete')) return 'DeleteMultipleObjects';
        if (input.contentType.toLowerCase().startsWith('multipart/form-data')) return 'PostObject';
        throw CosErrors.malformedPost('a POST to a bucket must be multipart/form-data (POST Object) or carry ?delete');
    }
  } else {
    switch (method) {
      case 'PUT':
        if (has(query, 'partNumber') || has(query, 'uploadId')) {
          return input.copySource ? 'UploadPartCopy' : 'UploadPart';
        }
        if (has(query, 'acl')) return 'PutObjectAcl';
        if (has(query, 'tagging')) return 'PutObjectTagging';
        return input.copySource ? 'CopyObject' : 'PutObject';
      case 'GET':
        if (has(query, 'uploadId')) return 'ListParts';
        if (has(query, 'acl')) return 'GetObjectAcl';
        if (has(query, 'tagging')) return 'GetObjectTagging';
        return 'GetObject';
      case 'HEAD':
        return 'HeadObject';
      case 'DELETE':
        if (has(query, 'tagging')) return 'DeleteObjectTagging';
        return has(query, 'uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
      case 'POST':
        if (has(query, 'uploads')) return 'InitiateMultipartUpload';
        if (has(query, 'uploadId')) return 'CompleteMultipartUpload';
        if (has(query, 'append')) return 'AppendObject';
        if (has(query, 'image_process')) return 'ImageProcess';
        throw CosErrors.methodNotAllowed('POST on an object needs ?uploads, ?uploadId, ?append or ?image_process');
    }
  }
  throw CosErrors.methodNotAllowed(`${method} is not supported`);
}
