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

/** One ACL grant, as PUT ?acl sets it and GET ?acl returns it. */
export interface AclGrant {
  /** A CanonicalUser's id (`qcs::cam::uin/<uin>:uin/<uin>`), or a Group's URI. */
  grantee: { id: string } | { uri: string };
  permission: 'READ' | 'WRITE' | 'FULL_CONTROL' | 'READ_ACP' | 'WRITE_ACP';
}

export interface BucketRecord {
  name: string;
  region: string;
  created: number;
  acl: Acl;
  /** Set by PUT Bucket or PUT Bucket ACL with x-cos-grant-* headers, or the latter's XML body; without it the grants follow `acl`. */
  grants?: AclGrant[];
  cors?: CorsRule[];
  /** Absent until versioning is first configured; once Enabled, it can only be Suspended (COS's rule). */
  versioning?: VersioningStatus;
}

export type VersioningStatus = 'Enabled' | 'Suspended';

/**
 * A bucket's configuration of one sub-resource (policy, lifecycle, …; inventory: one per id), as
 * validated and stored; removed with its bucket.
 */
export interface BucketConfigRecord {
  bucket: string;
  /** The sub-resource: its query parameter name. */
  name: string;
  /** The configuration's id, for sub-resources that hold several (inventory); '' otherwise. */
  id: string;
  /** The parsed document (a JSON value for policy, the XML tree for the others). */
  document: unknown;
  /**
   * Its place in the order the bucket's configurations of this sub-resource were first put (inventory
   * lists them in it); absent from records stored before the order was kept, which list first.
   */
  created?: number;
}

/** Headers stored with an object and returned on GET/HEAD. */
export interface StoredHeaders {
  'content-type': string;
  'cache-control'?: string;
  'content-disposition'?: string;
  'content-encoding'?: string;
  'content-language'?: string;
  expires?: string;
  /** For a bucket serving a static website: where a GET of this key is redirected. */
  'x-cos-website-redirect-location'?: string;
}

/** An object tag (COS keeps a key's tags in the order they were set). */
export interface Tag {
  key: string;
  value: string;
}

/** Server-side encryption as requested and answered; the emulator stores the bytes unencrypted. */
export type ServerSideEncryption =
  | { kind: 'cos' }
  | { kind: 'kms'; keyId: string; context?: string }
  /** SSE-C: only the key's MD5 is kept, to recognise the key on later reads. */
  | { kind: 'customer'; algorithm: 'AES256'; keyMd5: string };

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
  /** Set by x-cos-grant-* on the write that made the object or on PUT Object ACL (or its XML body); without it the grants follow `acl`. */
  grants?: AclGrant[];
  storageClass: string;
  sse?: ServerSideEncryption;
  /** Made by APPEND Object (`x-cos-object-type: appendable`); any other write makes the key a normal object again. */
  appendable?: boolean;
  /**
   * Only in records of the earlier JSON layout, which wrote a completed object before it removed its
   * upload: the import finishes such uploads and drops the field. Complete is one transaction now.
   */
  completedUploadId?: string;
  /**
   * Set once the object was written (or first touched) under versioning: COS's version id, or 'null' for
   * the null version. Absent on an object written before versioning, which is the key's null version.
   */
  versionId?: string;
  /** Where the version sorts among the key's versions (newer is higher); with `versionId` only. */
  versionSeq?: number;
  /** Object tags (`x-cos-tagging`, PUT ?tagging); absent or empty when it has none. */
  tags?: Tag[];
}

/** A delete marker: the latest version of a key that a DELETE without versionId hid in a versioned bucket. */
export interface DeleteMarkerRecord {
  bucket: string;
  key: string;
  versionId: string;
  versionSeq: number;
  lastModified: number;
  deleteMarker: true;
}

/** One entry of a key's version history. */
export type VersionRecord = ObjectRecord | DeleteMarkerRecord;

export const isDeleteMarker = (v: VersionRecord): v is DeleteMarkerRecord => 'deleteMarker' in v;

/** Versions are ordered by key, then newest first. */
export interface VersionRange extends KeyRange {
  /** With `after`: include the versions of key `after` older than this one (its `versionSeq`). */
  afterSeq?: number;
}

/** What a write of a new object did: the version it made (with versioning) and the object it released. */
export interface WriteResult {
  versionId?: string;
  /** An object no record names any more (replaced without versioning, or a replaced null version). */
  released?: ObjectRecord;
}

/** What a DELETE without versionId did: removed the object, or (with versioning) placed a delete marker. */
export interface RemoveResult {
  deleteMarker?: DeleteMarkerRecord;
  released?: ObjectRecord;
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
  /** Initiate's x-cos-grant-* grants (with the owner's), given to the object at Complete. */
  grants?: AclGrant[];
  /** Initiate's `x-cos-tagging`, given to the object at Complete. */
  tags?: Tag[];
  sse?: ServerSideEncryption;
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
  /** The version the object became, in a bucket with versioning. */
  versionId?: string;
}

/**
 * A condition on the key's current object (undefined: none), checked inside the transaction of a write
 * that would replace it: it throws to refuse the write, which then changes nothing.
 */
export type ReplaceCheck = (current: ObjectRecord | undefined) => void;

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
  /** A bucket's configuration of one sub-resource (and id); deleteBucket removes them all. */
  getBucketConfig(bucket: string, name: string, id?: string): BucketConfigRecord | undefined;
  putBucketConfig(record: BucketConfigRecord): Promise<void>;
  /** Removes one configuration; returns whether there was one. */
  deleteBucketConfig(bucket: string, name: string, id?: string): Promise<boolean>;
  /** The configurations of one sub-resource of a bucket, by id. */
  listBucketConfigs(bucket: string, name: string): Iterable<BucketConfigRecord>;

  getObject(bucket: string, key: string): ObjectRecord | undefined;
  /** Replaces a record as it is: the key's object, or (with `versionSeq`) that version, in place. */
  putObject(record: ObjectRecord): Promise<ObjectRecord | undefined>;
  /** Removes the key's object for good (a version from its history too; the next newest takes its place). */
  deleteObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** The objects of a bucket in UTF-8 binary key order. */
  listObjects(bucket: string, range?: KeyRange): Iterable<ObjectRecord>;
  /**
   * Writes a new object as the bucket's versioning state says, in the transaction that reads it: without
   * versioning it replaces the key's object; Enabled adds a version; Suspended replaces the null version.
   */
  writeObject(record: ObjectRecord, check?: ReplaceCheck): Promise<WriteResult>;
  /** DELETE without versionId: removes the object, or with versioning places a delete marker (`now` in ms). */
  removeObject(bucket: string, key: string, now: number): Promise<RemoveResult>;
  /** One version by id ('null' for the null version), delete markers included. */
  getVersion(bucket: string, key: string, versionId: string): VersionRecord | undefined;
  /** The newest version of a key, which may be a delete marker. */
  latestVersion(bucket: string, key: string): VersionRecord | undefined;
  /** Removes one version for good; the next newest becomes the key's object. Undefined when there is none. */
  deleteVersion(bucket: string, key: string, versionId: string): Promise<VersionRecord | undefined>;
  /** Every version of a bucket's keys: by key in UTF-8 binary order, newest first within a key. */
  listVersions(bucket: string, range?: VersionRange): Iterable<VersionRecord>;

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
  completeUpload(uploadId: string, object: ObjectRecord, check?: ReplaceCheck): Promise<Completion | undefined>;
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
  /**
   * The bytes of a small blob the store holds in memory or in its database, to answer with one write
   * instead of a stream; undefined for a blob in a file (then `read` it).
   */
  readSmall?(id: string, range?: { start: number; end: number }): Buffer | undefined;
  /** Releases a blob no record refers to any more (or that was never committed). */
  delete(id: string): Promise<void>;
}
