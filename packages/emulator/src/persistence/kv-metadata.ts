import {
  bucketConfigBounds,
  bucketConfigKey,
  bucketKey,
  objectBounds,
  objectKey,
  partBounds,
  partKey,
  uploadBounds,
  uploadKey,
} from './keys.js';
import { firstOf } from './listing.js';
import type {
  BucketConfigRecord,
  BucketRecord,
  Completion,
  DeleteMarkerRecord,
  KeyRange,
  MetadataStore,
  ObjectRecord,
  PartRecord,
  RemoveResult,
  ReplaceCheck,
  UploadRange,
  UploadRecord,
  VersionRange,
  VersionRecord,
  WriteResult,
} from './types.js';
import { isDeleteMarker } from './types.js';
import { decodeVersionId, encodeVersionId, keyVersionBounds, versionBounds, versionKey } from './version-keys.js';

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
  /**
   * Every version of the keys written under versioning, by key then newest first. The key's current
   * object stays in `objects` as well, so plain listings and reads never look at history.
   */
  versions: KvTable<VersionRecord>;
  bucketConfigs: KvTable<BucketConfigRecord>;
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
    return this.backend.write(() => {
      const { start, end } = bucketConfigBounds(name);
      for (const c of [...this.#t.bucketConfigs.values(start, end)]) this.#t.bucketConfigs.remove(bucketConfigKey(c.bucket, c.name, c.id));
      this.#t.buckets.remove(bucketKey(name));
    });
  }
  listBuckets() {
    return [...this.#t.buckets.values(Buffer.alloc(0), Buffer.from([0xff]))];
  }

  getBucketConfig(bucket: string, name: string, id = '') {
    return this.#t.bucketConfigs.get(bucketConfigKey(bucket, name, id));
  }
  putBucketConfig(record: BucketConfigRecord) {
    return this.backend.write(() => this.#t.bucketConfigs.put(bucketConfigKey(record.bucket, record.name, record.id), record));
  }
  deleteBucketConfig(bucket: string, name: string, id = '') {
    return this.backend.write(() => {
      const k = bucketConfigKey(bucket, name, id);
      const had = this.#t.bucketConfigs.get(k) !== undefined;
      if (had) this.#t.bucketConfigs.remove(k);
      return had;
    });
  }
  listBucketConfigs(bucket: string, name: string): Iterable<BucketConfigRecord> {
    const { start, end } = bucketConfigBounds(bucket, name);
    return this.#t.bucketConfigs.values(start, end);
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
    return this.backend.write(() => {
      if (record.versionSeq === undefined) return this.#putObject(record);
      // A version changed in place (its ACL, its tags): history, and the key's object if it is the latest.
      const vk = versionKey(record.bucket, record.key, record.versionSeq);
      const previous = this.#t.versions.get(vk);
      if (!previous || isDeleteMarker(previous)) return undefined;
      this.#t.versions.put(vk, record);
      const k = objectKey(record.bucket, record.key);
      if (this.#t.objects.get(k)?.versionSeq === record.versionSeq) this.#t.objects.put(k, record);
      return previous;
    });
  }
  deleteObject(bucket: string, key: string) {
    return this.backend.write(() => {
      const k = objectKey(bucket, key);
      const previous = this.#t.objects.get(k);
      if (previous) {
        this.#t.objects.remove(k);
        // A version goes from history too, and the next newest takes its place.
        if (previous.versionSeq !== undefined) {
          this.#t.versions.remove(versionKey(bucket, key, previous.versionSeq));
          this.#restoreCurrent(bucket, key);
        }
        this.#journal.released(previous.blobId);
      }
      return previous;
    });
  }
  listObjects(bucket: string, range?: KeyRange): Iterable<ObjectRecord> {
    const { start, end } = objectBounds(bucket, range);
    return this.#t.objects.values(start, end);
  }

  #newest(bucket: string, key: string): VersionRecord | undefined {
    const { start, end } = keyVersionBounds(bucket, key);
    return firstOf(this.#t.versions.values(start, end));
  }
  /** Above the key's newest version, and close to the clock in microseconds, as COS's ids are. */
  #nextSeq(bucket: string, key: string): number {
    return Math.max(Date.now() * 1000, (this.#newest(bucket, key)?.versionSeq ?? -1) + 1);
  }
  /** An object written before versioning becomes the key's null version in its history, the oldest. */
  #adoptUnversioned(bucket: string, key: string): void {
    const k = objectKey(bucket, key);
    const current = this.#t.objects.get(k);
    if (!current || current.versionId !== undefined) return;
    const adopted: ObjectRecord = { ...current, versionId: 'null', versionSeq: 0 };
    this.#t.versions.put(versionKey(bucket, key, 0), adopted);
    this.#t.objects.put(k, adopted);
  }
  /** Removes the key's null version from history (Suspended writes replace it); returns it if it was an object. */
  #removeNullVersion(bucket: string, key: string): ObjectRecord | undefined {
    const { start, end } = keyVersionBounds(bucket, key);
    let found: VersionRecord | undefined;
    for (const v of this.#t.versions.values(start, end)) {
      if (v.versionId === 'null') {
        found = v;
        break;
      }
    }
    if (!found) return undefined;
    this.#t.versions.remove(versionKey(bucket, key, found.versionSeq!));
    if (isDeleteMarker(found)) return undefined;
    const k = objectKey(bucket, key);
    if (this.#t.objects.get(k)?.versionSeq === found.versionSeq) this.#t.objects.remove(k);
    this.#journal.released(found.blobId);
    return found;
  }
  /** Makes the key's object its newest version again, or removes it when that is a delete marker or nothing. */
  #restoreCurrent(bucket: string, key: string): void {
    const newest = this.#newest(bucket, key);
    const k = objectKey(bucket, key);
    if (newest && !isDeleteMarker(newest)) this.#t.objects.put(k, newest);
    else this.#t.objects.remove(k);
  }
  /** Writes a new object inside the current transaction, as the bucket's versioning state says. */
  #writeObject(record: ObjectRecord, check?: ReplaceCheck): WriteResult {
    // Before any change: a refusal leaves the transaction with nothing written.
    check?.(this.#t.objects.get(objectKey(record.bucket, record.key)));
    const bucketMode = this.#t.buckets.get(bucketKey(record.bucket))?.versioning;
    // An appendable object takes no part in versioning (COS, doc 436/7741): it is the key's null
    // version, replaced in place by each append as a Suspended bucket replaces it.
    const mode = record.appendable && bucketMode ? 'Suspended' : bucketMode;
    if (!mode) {
      const previous = this.#putObject(record);
      return previous && previous.blobId !== record.blobId ? { released: previous } : {};
    }
    this.#adoptUnversioned(record.bucket, record.key);
    const released = mode === 'Suspended' ? this.#removeNullVersion(record.bucket, record.key) : undefined;
    const seq = this.#nextSeq(record.bucket, record.key);
    const versionId = mode === 'Enabled' ? encodeVersionId(seq) : 'null';
    const stored: ObjectRecord = { ...record, versionId, versionSeq: seq };
    this.#t.versions.put(versionKey(record.bucket, record.key, seq), stored);
    this.#t.objects.put(objectKey(record.bucket, record.key), stored);
    this.#journal.referenced(record.blobId);
    return released ? { versionId, released } : { versionId };
  }
  writeObject(record: ObjectRecord, check?: ReplaceCheck) {
    return this.backend.write(() => this.#writeObject(record, check));
  }
  removeObject(bucket: string, key: string, now: number): Promise<RemoveResult> {
    return this.backend.write(() => {
      const mode = this.#t.buckets.get(bucketKey(bucket))?.versioning;
      const k = objectKey(bucket, key);
      if (!mode) {
        const previous = this.#t.objects.get(k);
        if (!previous) return {};
        this.#t.objects.remove(k);
        this.#journal.released(previous.blobId);
        return { released: previous };
      }
      this.#adoptUnversioned(bucket, key);
      const released = mode === 'Suspended' ? this.#removeNullVersion(bucket, key) : undefined;
      const seq = this.#nextSeq(bucket, key);
      const marker: DeleteMarkerRecord = {
        bucket,
        key,
        versionId: mode === 'Enabled' ? encodeVersionId(seq) : 'null',
        versionSeq: seq,
        lastModified: now,
        deleteMarker: true,
      };
      this.#t.versions.put(versionKey(bucket, key, seq), marker);
      this.#t.objects.remove(k);
      return released ? { deleteMarker: marker, released } : { deleteMarker: marker };
    });
  }
  getVersion(bucket: string, key: string, versionId: string): VersionRecord | undefined {
    if (versionId === 'null') {
      const current = this.#t.objects.get(objectKey(bucket, key));
      if (current && current.versionId === undefined) return current;
      const { start, end } = keyVersionBounds(bucket, key);
      for (const v of this.#t.versions.values(start, end)) if (v.versionId === 'null') return v;
      return undefined;
    }
    const seq = decodeVersionId(versionId);
    if (seq === undefined) return undefined;
    const v = this.#t.versions.get(versionKey(bucket, key, seq));
    return v?.versionId === versionId ? v : undefined;
  }
  latestVersion(bucket: string, key: string): VersionRecord | undefined {
    return this.#newest(bucket, key) ?? this.#t.objects.get(objectKey(bucket, key));
  }
  deleteVersion(bucket: string, key: string, versionId: string): Promise<VersionRecord | undefined> {
    return this.backend.write(() => {
      const found = this.getVersion(bucket, key, versionId);
      if (!found) return undefined;
      if (found.versionSeq === undefined) {
        // The null version of an object written before versioning: it has no history entry.
        this.#t.objects.remove(objectKey(bucket, key));
      } else {
        this.#t.versions.remove(versionKey(bucket, key, found.versionSeq));
        this.#restoreCurrent(bucket, key);
      }
      if (!isDeleteMarker(found)) this.#journal.released(found.blobId);
      return found;
    });
  }
  /**
   * History and the objects written before versioning (which have none), merged in key order. A key has
   * one or the other, so the merge is by key alone; an object that has history is passed over when the
   * history scan reaches its key, so the objects scanned stay within the keys the page covers.
   */
  *listVersions(bucket: string, range: VersionRange = {}): Iterable<VersionRecord> {
    const { start, end } = versionBounds(bucket, range);
    const history = this.#t.versions.values(start, end)[Symbol.iterator]();
    const objectRange: KeyRange = {};
    if (range.prefix !== undefined) objectRange.prefix = range.prefix;
    if (range.after !== undefined) objectRange.after = range.after;
    if (range.skipDescendants) objectRange.skipDescendants = true;
    const ob = objectBounds(bucket, objectRange);
    const objects = this.#t.objects.values(ob.start, ob.end)[Symbol.iterator]();
    let v = history.next();
    let o = objects.next();
    try {
      for (;;) {
        if (o.done && v.done) return;
        if (!o.done && (v.done || Buffer.compare(Buffer.from(o.value.key), Buffer.from(v.value.key)) < 0)) {
          if (o.value.versionId === undefined) yield o.value;
          o = objects.next();
          continue;
        }
        if (!o.done && o.value.key === v.value!.key) {
          // Its history is about to be listed.
          o = objects.next();
          continue;
        }
        yield v.value!;
        v = history.next();
      }
    } finally {
      history.return?.();
      objects.return?.();
    }
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
  completeUpload(uploadId: string, object: ObjectRecord, check?: ReplaceCheck): Promise<Completion | undefined> {
    return this.backend.write(() => {
      if (!this.#t.uploadIds.get(utf8(uploadId))) return undefined;
      const { versionId, released } = this.#writeObject(object, check);
      const parts = this.#removeUpload(uploadId);
      const completion: Completion = released ? { previous: released, parts } : { parts };
      if (versionId !== undefined) completion.versionId = versionId;
      return completion;
    });
  }
}
