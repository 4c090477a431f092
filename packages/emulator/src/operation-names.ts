import { BUCKET_CONFIG_OPERATIONS, type BucketConfigOperation } from './bucket-config/subresources.js';

/**
 * The name of every operation the emulator routes to, apart from what they do: routing, fault rules and
 * the request log name operations by these, and the operation table (`operations.ts`) maps each to
 * its handler. In the table's order.
 */
const COS_OPERATIONS = [
  'ListBuckets',
  'PutBucket',
  'GetBucket',
  'ListObjectsV2',
  'HeadBucket',
  'DeleteBucket',
  'GetBucketLocation',
  'GetBucketCors',
  'PutBucketCors',
  'DeleteBucketCors',
  'GetBucketAcl',
  'PutBucketAcl',
  'ListMultipartUploads',
  'GetBucketVersioning',
  'PutBucketVersioning',
  'GetBucketObjectVersions',
  'DeleteMultipleObjects',
  'PostObject',
  'PutObject',
  'CopyObject',
  'GetObject',
  'HeadObject',
  'DeleteObject',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'InitiateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'AppendObject',
  'ImageProcess',
  'ListParts',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'OptionsObject',
] as const;

export type Operation = (typeof COS_OPERATIONS)[number] | BucketConfigOperation;

export const OPERATION_NAMES: readonly Operation[] = [...COS_OPERATIONS, ...BUCKET_CONFIG_OPERATIONS];

const NAMES = new Set<string>(OPERATION_NAMES);

export const isOperation = (name: string): name is Operation => NAMES.has(name);
