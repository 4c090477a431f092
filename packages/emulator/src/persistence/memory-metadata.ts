import type { BucketRecord, MetadataStore, ObjectRecord, PartRecord, UploadRecord } from './types.js';

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Metadata held in memory; also the in-memory index of the filesystem store. */
export class MemoryMetadataStore implements MetadataStore {
  protected readonly buckets = new Map<string, BucketRecord>();
  protected readonly objects = new Map<string, Map<string, ObjectRecord>>();
  protected readonly uploads = new Map<string, UploadRecord>();
  protected readonly parts = new Map<string, Map<number, PartRecord>>();
  #sortedKeys = new Map<string, string[]>();

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  referencedBlobs(): Set<string> {
    const ids = new Set<string>();
    for (const bucket of this.objects.values()) for (const o of bucket.values()) ids.add(o.blobId);
    for (const parts of this.parts.values()) for (const p of parts.values()) ids.add(p.blobId);
    return ids;
  }

  getBucket(name: string) {
    return this.buckets.get(name);
  }
  async putBucket(record: BucketRecord) {
    this.buckets.set(record.name, record);
    if (!this.objects.has(record.name)) this.objects.set(record.name, new Map());
  }
  async deleteBucket(name: string) {
    this.buckets.delete(name);
    this.objects.delete(name);
    this.#sortedKeys.delete(name);
  }
  listBuckets() {
    return [...this.buckets.values()].sort((a, b) => utf8Order(a.name, b.name));
  }

  getObject(bucket: string, key: string) {
    return this.objects.get(bucket)?.get(key);
  }
  async putObject(record: ObjectRecord) {
    let bucket = this.objects.get(record.bucket);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(record.bucket, bucket);
    }
    const previous = bucket.get(record.key);
    bucket.set(record.key, record);
    if (!previous) this.#sortedKeys.delete(record.bucket);
    return previous;
  }
  async deleteObject(bucket: string, key: string) {
    const map = this.objects.get(bucket);
    const previous = map?.get(key);
    if (previous) {
      map!.delete(key);
      this.#sortedKeys.delete(bucket);
    }
    return previous;
  }
  listKeys(bucket: string): string[] {
    let keys = this.#sortedKeys.get(bucket);
    if (!keys) {
      keys = [...(this.objects.get(bucket)?.keys() ?? [])].sort(utf8Order);
      this.#sortedKeys.set(bucket, keys);
    }
    return keys;
  }

  getUpload(uploadId: string) {
    return this.uploads.get(uploadId);
  }
  async putUpload(record: UploadRecord) {
    this.uploads.set(record.uploadId, record);
  }
  async deleteUpload(uploadId: string) {
    this.uploads.delete(uploadId);
    const parts = [...(this.parts.get(uploadId)?.values() ?? [])];
    this.parts.delete(uploadId);
    return parts;
  }
  listUploads(bucket: string) {
    return [...this.uploads.values()]
      .filter((u) => u.bucket === bucket)
      .sort((a, b) => utf8Order(a.key, b.key) || a.initiated - b.initiated || (a.uploadId < b.uploadId ? -1 : 1));
  }
  async putPart(record: PartRecord) {
    let parts = this.parts.get(record.uploadId);
    if (!parts) {
      parts = new Map();
      this.parts.set(record.uploadId, parts);
    }
    const previous = parts.get(record.partNumber);
    parts.set(record.partNumber, record);
    return previous;
  }
  listParts(uploadId: string) {
    return [...(this.parts.get(uploadId)?.values() ?? [])].sort((a, b) => a.partNumber - b.partNumber);
  }
}
