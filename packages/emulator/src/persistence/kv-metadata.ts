import { bucketKey, objectBounds, objectKey, partBounds, partKey, uploadBounds, uploadKey } from './keys.js';
import type { BucketRecord, Completion, KeyRange, MetadataStore, ObjectRecord, PartRecord, UploadRange, UploadRecord } from './types.js';

/** One ordered table of a key-value backend; writes happen only inside `KvBackend.write`. */
export interface KvTable<V> {
  get(key: Buffer): V | undefined;
  put(key: Buffer, value: V): void;
  remove(key: Buffer): void;
  /** Entries from `start` (inclusive) to `end` (exclusive), lazily. */
  values(start: Buffer, end: Buffer): Iterable<V>;
}

export interface KvTables {
  buckets: KvTable<BucketRecord>;
  objects: KvTable<ObjectRecord>;
  uploads: KvTable<UploadRecord>;
  /** uploadId → the upload's key in `uploads`. */
  uploadIds: KvTable<Buffer>;
  parts: KvTable<PartRecord>;
}

/** What a backend does with blobs as records come to name them and stop naming them, in the same transaction. */
export interface BlobJournal {
  referenced(blobId: string): void;
  released(blobId: string): void;
}

export interface KvBackend {
  tables: KvTables;
  journal: BlobJournal;
  /** Runs `fn` as one atomic transaction; resolves once it is committed. */
  write<T>(fn: () => T): Promise<T>;
  open(): Promise<void>;
  close(): Promise<void>;
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** The metadata logic, written once over an ordered key-value backend (memory or LMDB). */
export class KvMetadataStore implements MetadataStore {
  constructor(protected readonly backend: KvBackend) {}
  // Read per call: a database's tables exist only once it is open.
  get #t(): KvTables {
    return this.backend.tables;
  }
  get #journal(): BlobJournal {
    return this.backend.journal;
  }

  open() {
    return this.backend.open();
  }
  close() {
    return this.backend.close();
  }

  getBucket(name: string) {
    return this.#t.buckets.get(bucketKey(name));
  }
  putBucket(record: BucketRecord) {
    return this.backend.write(() => this.#t.buckets.put(bucketKey(record.name), record));
  }
  deleteBucket(name: string) {
    return this.backend.write(() => this.#t.buckets.remove(bucketKey(name)));
  }
  listBuckets() {
    return [...this.#t.buckets.values(Buffer.alloc(0), Buffer.from([0xff]))];
  }

  getObject(bucket: string, key: string) {
    return this.#t.objects.get(objectKey(bucket, key));
  }
  /** Puts the object and releases the blob of the one it replaced (not when both name the same blob). */
  #putObject(record: ObjectRecord): ObjectRecord | undefined {
    const k = objectKey(record.bucket, record.key);
    const previous = this.#t.objects.get(k);
    this.#t.objects.put(k, record);
    if (previous?.blobId !== record.blobId) {
      this.#journal.referenced(record.blobId);
      if (previous) this.#journal.released(previous.blobId);
    }
    return previous;
  }
  putObject(record: ObjectRecord) {
    return this.backend.write(() => this.#putObject(record));
  }
  deleteObject(bucket: string, key: string) {
    return this.backend.write(() => {
      const k = objectKey(bucket, key);
      const previous = this.#t.objects.get(k);
      if (previous) {
        this.#t.objects.remove(k);
        this.#journal.released(previous.blobId);
      }
      return previous;
    });
  }
  listObjects(bucket: string, range?: KeyRange): Iterable<ObjectRecord> {
    const { start, end } = objectBounds(bucket, range);
    return this.#t.objects.values(start, end);
  }

  getUpload(uploadId: string) {
    const k = this.#t.uploadIds.get(utf8(uploadId));
    return k ? this.#t.uploads.get(k) : undefined;
  }
  putUpload(record: UploadRecord) {
    return this.backend.write(() => {
      const k = uploadKey(record.bucket, record.key, record.uploadId);
      this.#t.uploads.put(k, record);
      this.#t.uploadIds.put(utf8(record.uploadId), k);
    });
  }
  /** Removes an upload and its parts inside the current transaction. */
  #removeUpload(uploadId: string): PartRecord[] {
    const id = utf8(uploadId);
    const k = this.#t.uploadIds.get(id);
    if (!k) return [];
    const { start, end } = partBounds(uploadId);
    const parts = [...this.#t.parts.values(start, end)];
    for (const p of parts) {
      this.#t.parts.remove(partKey(uploadId, p.partNumber));
      this.#journal.released(p.blobId);
    }
    this.#t.uploads.remove(k);
    this.#t.uploadIds.remove(id);
    return parts;
  }
  deleteUpload(uploadId: string) {
    return this.backend.write(() => this.#removeUpload(uploadId));
  }
  listUploads(bucket: string, range?: UploadRange): Iterable<UploadRecord> {
    const { start, end } = uploadBounds(bucket, range);
    return this.#t.uploads.values(start, end);
  }
  putPart(record: PartRecord) {
    return this.backend.write(() => {
      if (!this.#t.uploadIds.get(utf8(record.uploadId))) return { stored: false };
      const k = partKey(record.uploadId, record.partNumber);
      const previous = this.#t.parts.get(k);
      this.#t.parts.put(k, record);
      this.#journal.referenced(record.blobId);
      if (previous) this.#journal.released(previous.blobId);
      return previous ? { stored: true, previous } : { stored: true };
    });
  }
  listParts(uploadId: string, after = 0): Iterable<PartRecord> {
    const { start, end } = partBounds(uploadId, after);
    return this.#t.parts.values(start, end);
  }
  completeUpload(uploadId: string, object: ObjectRecord): Promise<Completion | undefined> {
    return this.backend.write(() => {
      if (!this.#t.uploadIds.get(utf8(uploadId))) return undefined;
      const previous = this.#putObject(object);
      const parts = this.#removeUpload(uploadId);
      return previous ? { previous, parts } : { parts };
    });
  }
}
