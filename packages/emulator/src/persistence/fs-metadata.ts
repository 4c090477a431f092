import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFiles } from './atomic-file.js';
import { MemoryMetadataStore } from './memory-metadata.js';
import type { BucketRecord, ObjectRecord, PartRecord, UploadRecord } from './types.js';

const fileId = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/**
 * Metadata kept in memory and written through to one JSON file per record. File names are hashes,
 * never keys, so no key can name a path outside the data directory.
 */
export class FsMetadataStore extends MemoryMetadataStore {
  readonly #dir: string;
  readonly #files: AtomicFiles;

  constructor(dataDir: string) {
    super();
    this.#dir = join(dataDir, 'meta');
    this.#files = new AtomicFiles(join(this.#dir, 'tmp'));
  }

  #path(kind: 'buckets' | 'objects' | 'uploads' | 'parts', id: string) {
    return join(this.#dir, kind, `${id}.json`);
  }

  override async open(): Promise<void> {
    for (const kind of ['buckets', 'objects', 'uploads', 'parts', 'tmp']) await mkdir(join(this.#dir, kind), { recursive: true });
    await rm(join(this.#dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(this.#dir, 'tmp'), { recursive: true });
    for (const b of await this.#readAll<BucketRecord>('buckets')) await super.putBucket(b);
    for (const o of await this.#readAll<ObjectRecord>('objects')) await super.putObject(o);
    for (const u of await this.#readAll<UploadRecord>('uploads')) await super.putUpload(u);
    for (const p of await this.#readAll<PartRecord>('parts')) if (this.getUpload(p.uploadId)) await super.putPart(p);
  }

  override async close(): Promise<void> {
    await this.#files.drain();
  }

  async #readAll<T>(kind: string): Promise<T[]> {
    const dir = join(this.#dir, kind);
    const out: T[] = [];
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as T);
      } catch {
        // A record that cannot be read was never completely written (atomic rename): skip it.
      }
    }
    return out;
  }

  override async putBucket(record: BucketRecord) {
    await super.putBucket(record);
    await this.#files.write(this.#path('buckets', fileId(record.name)), JSON.stringify(record));
  }
  override async deleteBucket(name: string) {
    await super.deleteBucket(name);
    await this.#files.remove(this.#path('buckets', fileId(name)));
  }
  override async putObject(record: ObjectRecord) {
    const previous = await super.putObject(record);
    await this.#files.write(this.#path('objects', fileId(record.bucket, record.key)), JSON.stringify(record));
    return previous;
  }
  override async deleteObject(bucket: string, key: string) {
    const previous = await super.deleteObject(bucket, key);
    if (previous) await this.#files.remove(this.#path('objects', fileId(bucket, key)));
    return previous;
  }
  override async putUpload(record: UploadRecord) {
    await super.putUpload(record);
    await this.#files.write(this.#path('uploads', fileId(record.uploadId)), JSON.stringify(record));
  }
  override async deleteUpload(uploadId: string) {
    const parts = await super.deleteUpload(uploadId);
    await this.#files.remove(this.#path('uploads', fileId(uploadId)));
    await Promise.all(parts.map((p) => this.#files.remove(this.#path('parts', fileId(uploadId, String(p.partNumber))))));
    return parts;
  }
  override async putPart(record: PartRecord) {
    const previous = await super.putPart(record);
    await this.#files.write(this.#path('parts', fileId(record.uploadId, String(record.partNumber))), JSON.stringify(record));
    return previous;
  }
}
