import { appendObject } from './handlers/append.js';
import { BUCKET_CONFIG_HANDLERS } from './bucket-config/handlers.js';
import type { BucketConfigOperation } from './bucket-config/subresources.js';
import * as acl from './handlers/acl.js';
import * as bucket from './handlers/bucket.js';
import { listObjectsV2 } from './handlers/list-v2.js';
import * as service from './handlers/service.js';
import type { HandlerContext, ServiceContext } from './handlers/context.js';
import type { Reply } from './http/reply.js';
import * as multipart from './handlers/multipart.js';
import * as object from './handlers/object.js';
import { uploadPartCopy } from './handlers/part-copy.js';
import * as picOperations from './handlers/pic-operations.js';
import { postObject } from './handlers/post-object.js';
import * as tagging from './handlers/tagging.js';
import * as versioning from './handlers/versioning.js';
import type { Operation } from './operation-names.js';
import type { RoutedRequest } from './pipeline/routed-request.js';

/**
 * Where an operation's CAM resource points: the object key; the `prefix` parameter, which COS
 * authorizes GET Bucket and List Multipart Uploads against (`<bucket>/<prefix>`, doc 436/46205,
 * the `cos:prefix` condition key); the bucket itself; or the service (`*`).
 */
export type ResourceScope = 'object' | 'prefix' | 'bucket' | 'service';

export type OperationSpec = {
  /** CAM action (cos-protocol §7.2). */
  action: string;
  scope: ResourceScope;
} & (
  | { kind: 'bucket'; handler: (ctx: HandlerContext) => Promise<Reply> }
  /** Served without an existing bucket: GET Service and PUT Bucket. */
  | { kind: 'service'; handler: (ctx: ServiceContext) => Promise<Reply> }
  /** A CORS preflight: answered from the bucket's rules before any authentication, as COS does. */
  | { kind: 'preflight' }
);

const onBucket = (action: string, scope: ResourceScope, handler: (ctx: HandlerContext) => Promise<Reply>): OperationSpec => ({
  action: `name/cos:${action}`,
  scope,
  kind: 'bucket',
  handler,
});

/** Every operation the emulator routes to: its CAM action, resource and handler, in one place. */
export const OPERATIONS: Record<Operation, OperationSpec> = {
  ListBuckets: { action: 'name/cos:GetService', scope: 'service', kind: 'service', handler: async (ctx) => service.listBuckets(ctx) },
  PutBucket: { action: 'name/cos:PutBucket', scope: 'bucket', kind: 'service', handler: bucket.putBucket },
  GetBucket: onBucket('GetBucket', 'prefix', bucket.listObjects),
  // S3's listing is authorized as COS's GET Bucket: the same action, on <bucket>/<prefix>.
  ListObjectsV2: onBucket('GetBucket', 'prefix', listObjectsV2),
  HeadBucket: onBucket('HeadBucket', 'bucket', bucket.headBucket),
  DeleteBucket: onBucket('DeleteBucket', 'bucket', bucket.deleteBucket),
  GetBucketLocation: onBucket('GetBucketLocation', 'bucket', bucket.getBucketLocation),
  GetBucketCors: onBucket('GetBucketCORS', 'bucket', bucket.getBucketCors),
  PutBucketCors: onBucket('PutBucketCORS', 'bucket', bucket.putBucketCors),
  DeleteBucketCors: onBucket('DeleteBucketCORS', 'bucket', bucket.deleteBucketCors),
  GetBucketAcl: onBucket('GetBucketACL', 'bucket', acl.getBucketAcl),
  PutBucketAcl: onBucket('PutBucketACL', 'bucket', acl.putBucketAcl),
  ListMultipartUploads: onBucket('ListMultipartUploads', 'prefix', multipart.listMultipartUploads),
  GetBucketVersioning: onBucket('GetBucketVersioning', 'bucket', versioning.getBucketVersioning),
  PutBucketVersioning: onBucket('PutBucketVersioning', 'bucket', versioning.putBucketVersioning),
  GetBucketObjectVersions: onBucket('GetBucketObjectVersions', 'prefix', versioning.listObjectVersions),
  // Each key is also authorized on its own (DeleteObject on <bucket>/<key>) by the handler.
  DeleteMultipleObjects: onBucket('DeleteObject', 'bucket', bucket.deleteMultipleObjects),
  // The form signs itself: authenticated and authorized by its handler, on the key the form names.
  PostObject: onBucket('PostObject', 'object', postObject),
  // With Pic-Operations, each copy's key is also authorized (PutObject) by the handler.
  PutObject: onBucket('PutObject', 'object', picOperations.putObject),
  CopyObject: onBucket('PutObject', 'object', object.copyObject),
  GetObject: onBucket('GetObject', 'object', (ctx) => object.getObject(ctx, false)),
  HeadObject: onBucket('HeadObject', 'object', (ctx) => object.getObject(ctx, true)),
  DeleteObject: onBucket('DeleteObject', 'object', object.deleteObject),
  GetObjectAcl: onBucket('GetObjectACL', 'object', acl.getObjectAcl),
  PutObjectAcl: onBucket('PutObjectACL', 'object', acl.putObjectAcl),
  GetObjectTagging: onBucket('GetObjectTagging', 'object', tagging.getObjectTagging),
  PutObjectTagging: onBucket('PutObjectTagging', 'object', tagging.putObjectTagging),
  DeleteObjectTagging: onBucket('DeleteObjectTagging', 'object', tagging.deleteObjectTagging),
  InitiateMultipartUpload: onBucket('InitiateMultipartUpload', 'object', multipart.initiateMultipartUpload),
  UploadPart: onBucket('UploadPart', 'object', multipart.uploadPart),
  // COS's own action for it (doc 436/8287); the handler also checks GetObject on the source.
  UploadPartCopy: onBucket('UploadPartCopy', 'object', uploadPartCopy),
  AppendObject: onBucket('AppendObject', 'object', appendObject),
  // COS documents no action of its own for it: reading the original is GetObject, and the handler
  // authorizes each copy's key as PutObject, as CI's persistence permissions are COS write permissions.
  ImageProcess: onBucket('GetObject', 'object', picOperations.imageProcess),
  ListParts: onBucket('ListParts', 'object', multipart.listParts),
  CompleteMultipartUpload: onBucket('CompleteMultipartUpload', 'object', picOperations.completeMultipartUpload),
  AbortMultipartUpload: onBucket('AbortMultipartUpload', 'object', multipart.abortMultipartUpload),
  OptionsObject: { action: 'name/cos:OptionsObject', scope: 'object', kind: 'preflight' },
  // PutBucketPolicy, GetBucketLifecycle, …: the CAM action is named as the operation.
  ...(Object.fromEntries(
    Object.entries(BUCKET_CONFIG_HANDLERS).map(([name, handler]) => [name, onBucket(name, 'bucket', handler)]),
  ) as Record<BucketConfigOperation, OperationSpec>),
};

/** The bucket and key of the CAM resource a routed request is authorized against. */
export function resourceOf(routed: Pick<RoutedRequest, 'operation' | 'bucket' | 'key' | 'params'>): { bucket: string; key: string } {
  switch (OPERATIONS[routed.operation].scope) {
    case 'service':
      return { bucket: '*', key: '' };
    case 'bucket':
      return { bucket: routed.bucket, key: '' };
    case 'prefix':
      return { bucket: routed.bucket, key: routed.params.prefix ?? '' };
    case 'object':
      return { bucket: routed.bucket, key: routed.key };
  }
}
