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
   * Only in records of the earlier JSON layout, which wrote a completed object before it removed its
   * upload: the import finishes such uploads and drops the field. Complete is one transaction now.
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

/** A range of keys in UTF-8 binary order (the order COS lists in). */
export interface KeyRange {
  /** Only keys that start with this. */
  prefix?: string;
  /** Only keys above this one. */
  after?: string;
  /** With `after`: skip every key that starts with `after` as well (a common prefix already listed). */
  skipDescendants?: boolean;
}

/** Uploads are ordered by key, then by upload id. */
export interface UploadRange extends KeyRange {
  /** With `after`: include the uploads of key `after` whose id is above this one. */
  afterUploadId?: string;
}

/** What Complete Multipart Upload replaced and released, in the one transaction that made the object. */
export interface Completion {
  previous?: ObjectRecord;
  parts: PartRecord[];
}

/**
 * Object, bucket and multipart metadata. Each update is one transaction over every record it touches,
 * replaces whole records, and returns what it replaced, so the caller can release those blobs. Listings
 * are lazy range scans: the caller stops iterating when its page is full.
 */
export interface MetadataStore {
  open(): Promise<void>;
  close(): Promise<void>;

  getBucket(name: string): BucketRecord | undefined;
  putBucket(record: BucketRecord): Promise<void>;
  deleteBucket(name: string): Promise<void>;
  listBuckets(): BucketRecord[];

  getObject(bucket: string, key: string): ObjectRecord | undefined;
  putObject(record: ObjectRecord): Promise<ObjectRecord | undefined>;
  deleteObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** The objects of a bucket in UTF-8 binary key order. */
  listObjects(bucket: string, range?: KeyRange): Iterable<ObjectRecord>;

  getUpload(uploadId: string): UploadRecord | undefined;
  putUpload(record: UploadRecord): Promise<void>;
  /** Removes the upload and its parts; returns the parts removed (none when there was no upload). */
  deleteUpload(uploadId: string): Promise<PartRecord[]>;
  /** The uploads of a bucket by key (UTF-8 binary order), then upload id. */
  listUploads(bucket: string, range?: UploadRange): Iterable<UploadRecord>;
  /** Stores a part if its upload still exists: `stored` false means it was completed or aborted meanwhile. */
  putPart(record: PartRecord): Promise<{ stored: boolean; previous?: PartRecord }>;
  /** The parts of an upload numbered above `after`, in order. */
  listParts(uploadId: string, after?: number): Iterable<PartRecord>;
  /**
   * Turns an upload into its object in one transaction: the object in place, the upload and every part
   * gone. Undefined (and nothing changed) when the upload no longer exists.
   */
  completeUpload(uploadId: string, object: ObjectRecord): Promise<Completion | undefined>;
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
  /** Releases a blob no record refers to any more (or that was never committed). */
  delete(id: string): Promise<void>;
}
