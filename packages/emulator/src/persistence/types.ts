import type { Readable } from 'node:stream';

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export type Acl = 'private' | 'public-read' | 'public-read-write' | 'default';

export interface BucketRecord {
  name: string;
  region: string;
  created: number;
  acl: Acl;
  cors?: CorsRule[];
}

/** Headers stored with an object and returned on GET/HEAD. */
export interface StoredHeaders {
  'content-type': string;
  'cache-control'?: string;
  'content-disposition'?: string;
  'content-encoding'?: string;
  'content-language'?: string;
  expires?: string;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  blobId: string;
  size: number;
  /** Unquoted ETag: hex MD5, or "<hex>-<parts>" for multipart objects. */
  etag: string;
  crc64: string;
  lastModified: number;
  headers: StoredHeaders;
  meta: Record<string, string>;
  acl: Acl;
  storageClass: string;
  /**
   * The multipart upload this object was completed from. Complete writes the object before it removes
   * the upload, so a restart that finds both finishes the job by removing the upload.
   */
  completedUploadId?: string;
}

export interface UploadRecord {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: number;
  headers: StoredHeaders;
  meta: Record<string, string>;
  acl: Acl;
  storageClass: string;
}

export interface PartRecord {
  uploadId: string;
  partNumber: number;
  blobId: string;
  size: number;
  etag: string;
  crc64: string;
  lastModified: number;
}

/**
 * Object, bucket and multipart metadata. Updates replace whole records atomically and return the
 * record they replaced, so the caller can release its blob.
 */
export interface MetadataStore {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Every blob id a record refers to, for collecting orphans. */
  referencedBlobs(): Set<string>;

  getBucket(name: string): BucketRecord | undefined;
  putBucket(record: BucketRecord): Promise<void>;
  deleteBucket(name: string): Promise<void>;
  listBuckets(): BucketRecord[];

  getObject(bucket: string, key: string): ObjectRecord | undefined;
  putObject(record: ObjectRecord): Promise<ObjectRecord | undefined>;
  deleteObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** Keys of a bucket in UTF-8 binary order. */
  listKeys(bucket: string): string[];

  getUpload(uploadId: string): UploadRecord | undefined;
  putUpload(record: UploadRecord): Promise<void>;
  /** Removes the upload and its parts; returns the parts removed. */
  deleteUpload(uploadId: string): Promise<PartRecord[]>;
  listUploads(bucket: string): UploadRecord[];
  putPart(record: PartRecord): Promise<PartRecord | undefined>;
  listParts(uploadId: string): PartRecord[];
}

export interface BlobInfo {
  id: string;
  size: number;
  md5: string;
  crc64: string;
}

/** Object bytes, stored under opaque ids that never derive from object keys. */
export interface BlobStore {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Stores a stream; the blob becomes readable only once the stream ended and was checked by `verify`. */
  write(source: AsyncIterable<Uint8Array>, verify?: (info: Omit<BlobInfo, 'id'>) => void): Promise<BlobInfo>;
  /** Concatenates blobs into a new one (multipart completion). */
  concat(ids: string[]): Promise<BlobInfo>;
  read(id: string, range?: { start: number; end: number }): Readable;
  delete(id: string): Promise<void>;
  /** Removes blobs no record refers to (left by a crash). */
  collect(referenced: Set<string>): Promise<number>;
}
