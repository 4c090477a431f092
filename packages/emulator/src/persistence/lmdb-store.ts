import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Database, open, type RootDatabase } from 'lmdb';
import { crashPoint } from './crash-points.js';
import { BlobFiles } from './fs-blobs.js';
import { importJsonLayout } from './json-import.js';
import { type BlobJournal, type KvBackend, KvMetadataStore, type KvTable, type KvTables } from './kv-metadata.js';
import { ContentHasher } from './hashing.js';
import type {
  BlobInfo,
  BlobStore,
  BucketConfigRecord,
  BucketRecord,
  ObjectRecord,
  PartRecord,
  UploadRecord,
  VersionRecord,
} from './types.js';

/** Bodies below this size live in the database, in the transaction of the record that names them. */
export const INLINE_LIMIT = 64 * 1024;

export interface LmdbOptions {
  /** Flush every write to the disk before it is acknowledged (power-loss durability). */
  fsync: boolean;
}

/** A blob the database holds: the id says so, so that releasing it needs no look-up. */
const isInline = (id: string) => id.startsWith('i');

/** Orphan journal values: written but not yet named by a record, or no longer named and to be removed. */
type Orphan = 'written' | 'released';

/**
 * Where each table keeps the msgpack structures its records share, so that a record names its shape by a
 * number instead of carrying (and having decoded) its field names. Keys are UTF-8 text, never starting
 * with 0xFF, so no scan reaches it.
 */
const STRUCTURES_KEY = Buffer.from([0xff, 0xff]);

/** LMDB's largest key: no record has a longer one, so a look-up by one finds nothing. */
const MAX_DB_KEY = 1978;

function table<V>(db: Database<V, Buffer>): KvTable<V> {
  return {
    get: (key) => (key.length > MAX_DB_KEY ? undefined : db.get(key)),
    put: (key, value) => void db.putSync(key, value),
    remove: (key) => void db.removeSync(key),
    values: (start, end) => db.getRange({ start, end }).map((e) => e.value),
  };
}

/**
 * The data directory's database: metadata.mdb (LMDB) with the metadata tables, the bodies below
 * INLINE_LIMIT, and a journal of blob files not (or no longer) named by a record, so that the sweep at
 * start visits those files only.
 */
class LmdbBackend implements KvBackend {
  #root?: RootDatabase;
  #tables?: KvTables;
  #inline?: Database<Buffer, string>;
  #orphans?: Database<Orphan, string>;
  /** Small bodies received but not yet committed by a record: bounded by the uploads in flight. */
  readonly pendingInline = new Map<string, Buffer>();

  constructor(
    readonly dataDir: string,
    readonly options: LmdbOptions,
  ) {}

  get tables(): KvTables {
    if (!this.#tables) throw new Error('the metadata database is not open');
    return this.#tables;
  }
  get inline() {
    return this.#inline!;
  }
  get orphans() {
    return this.#orphans!;
  }

  readonly journal: BlobJournal = {
    referenced: (blobId) => {
      if (isInline(blobId)) {
        const bytes = this.pendingInline.get(blobId);
        if (bytes) {
          this.#inline!.putSync(blobId, bytes);
          this.pendingInline.delete(blobId);
        }
      } else this.#orphans!.removeSync(blobId);
    },
    released: (blobId) => {
      if (isInline(blobId)) this.#inline!.removeSync(blobId);
      else this.#orphans!.putSync(blobId, 'released');
    },
  };

  async open() {
    const root = open({
      path: join(this.dataDir, 'metadata.mdb'),
      // Without fsync a commit is written to the OS (it survives kill -9), not flushed to the disk.
      noSync: !this.options.fsync,
      overlappingSync: false,
      maxDbs: 12,
    });
    this.#root = root;
    const binary = <V>(name: string) => root.openDB<V, Buffer>({ name, keyEncoding: 'binary', sharedStructuresKey: STRUCTURES_KEY });
    this.#tables = {
      buckets: table(binary<BucketRecord>('buckets')),
      objects: table(binary<ObjectRecord>('objects')),
      uploads: table(binary<UploadRecord>('uploads')),
      uploadIds: table(root.openDB<Buffer, Buffer>({ name: 'upload-ids', keyEncoding: 'binary', encoding: 'binary' })),
      parts: table(binary<PartRecord>('parts')),
      versions: table(binary<VersionRecord>('versions')),
      bucketConfigs: table(binary<BucketConfigRecord>('bucket-configs')),
    };
    this.#inline = root.openDB<Buffer, string>({ name: 'inline', encoding: 'binary' });
    this.#orphans = root.openDB<Orphan, string>({ name: 'orphans' });
    await importJsonLayout(this.dataDir, this);
  }

  async close() {
    await this.#root?.close();
    this.#root = undefined;
  }

  async write<T>(fn: () => T): Promise<T> {
    crashPoint('before-commit');
    const result = await this.#root!.transaction(fn);
    if (this.options.fsync) await this.#root!.flushed;
    crashPoint('after-commit');
    return result;
  }
}

/** Metadata in LMDB: ordered keys, range-scan listings, one transaction per operation. */
export class LmdbMetadataStore extends KvMetadataStore {
  constructor(readonly lmdb: LmdbBackend) {
    super(lmdb);
  }
}

/**
 * Object bytes: below INLINE_LIMIT in the database (committed with the record that names them), above it
 * as files named by random ids, written under tmp/ and renamed into blobs/ once complete and verified.
 */
export class LmdbBlobStore implements BlobStore {
  readonly #files: BlobFiles;
  constructor(readonly lmdb: LmdbBackend) {
    this.#files = new BlobFiles(lmdb.dataDir, lmdb.options.fsync);
  }

  /** Clears tmp/ and removes the blob files the journal names: the sweep is bounded by orphans, not objects. */
  async open() {
    await this.#files.open();
    const orphans = [...this.lmdb.orphans.getKeys()];
    for (const id of orphans) await this.#files.delete(id);
    if (orphans.length === 0) return;
    await this.lmdb.orphans.transaction(() => {
      for (const id of orphans) this.lmdb.orphans.removeSync(id);
    });
  }
  async close() {}

  async write(source: AsyncIterable<Uint8Array>, verify?: (info: Omit<BlobInfo, 'id'>) => void): Promise<BlobInfo> {
    const iterator = source[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      if (size >= INLINE_LIMIT) {
        // Too large for the database: the file takes what was read and the rest of the stream.
        return this.#files.write(head, iterator, verify, (id) => this.lmdb.orphans.put(id, 'written'));
      }
      const next = await iterator.next();
      if (next.done) break;
      head.push(next.value);
      size += next.value.length;
    }
    const hasher = new ContentHasher();
    for (const chunk of head) hasher.update(chunk);
    const info = await hasher.digest();
    verify?.(info);
    // randomUUID draws from a pooled entropy cache: cheaper per write than randomBytes.
    const id = `i${randomUUID().replaceAll('-', '')}`;
    this.lmdb.pendingInline.set(id, Buffer.concat(head, size));
    return { id, ...info };
  }

  async concat(ids: string[]): Promise<BlobInfo> {
    const self = this;
    return this.write(
      (async function* () {
        for (const id of ids) yield* self.read(id) as AsyncIterable<Uint8Array>;
      })(),
    );
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    if (!isInline(id)) return this.#files.read(id, range);
    return Readable.from([this.readSmall(id, range)]);
  }

  readSmall(id: string, range?: { start: number; end: number }): Buffer | undefined {
    if (!isInline(id)) return undefined;
    const bytes = this.lmdb.inline.getBinary(id) ?? this.lmdb.pendingInline.get(id);
    if (!bytes) throw new Error(`blob ${id} is missing`);
    // getBinary hands back a copy of its own (getBinaryFast would reuse one buffer).
    return range ? bytes.subarray(range.start, range.end + 1) : bytes;
  }

  async delete(id: string) {
    if (isInline(id)) {
      // A committed one left the database with the record that released it.
      this.lmdb.pendingInline.delete(id);
      return;
    }
    await this.#files.delete(id);
    this.lmdb.orphans.remove(id).catch(() => undefined);
  }
}

/** Opens the data directory's stores. */
export function lmdbStores(dataDir: string, options: LmdbOptions) {
  const backend = new LmdbBackend(dataDir, options);
  return { metadata: new LmdbMetadataStore(backend), blobs: new LmdbBlobStore(backend) };
}

export type { LmdbBackend };
