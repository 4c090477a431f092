import { KvMetadataStore, type KvBackend, type KvTable } from './kv-metadata.js';

/** An ordered table in memory: entries sorted by key bytes, found by binary search. */
class SortedTable<V> implements KvTable<V> {
  readonly #keys: Buffer[] = [];
  readonly #values: V[] = [];

  /** The index of the first key not below `key`. */
  #lowerBound(key: Buffer): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(this.#keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  #find(key: Buffer): number {
    const i = this.#lowerBound(key);
    return i < this.#keys.length && this.#keys[i]!.equals(key) ? i : -1;
  }

  get(key: Buffer) {
    const i = this.#find(key);
    return i < 0 ? undefined : this.#values[i];
  }
  put(key: Buffer, value: V) {
    const i = this.#lowerBound(key);
    if (i < this.#keys.length && this.#keys[i]!.equals(key)) this.#values[i] = value;
    else {
      this.#keys.splice(i, 0, key);
      this.#values.splice(i, 0, value);
    }
  }
  remove(key: Buffer) {
    const i = this.#find(key);
    if (i >= 0) {
      this.#keys.splice(i, 1);
      this.#values.splice(i, 1);
    }
  }
  *values(start: Buffer, end: Buffer): Iterable<V> {
    // By key, not by index: the table may change between two steps of a lazy listing.
    let from = start;
    let inclusive = true;
    for (;;) {
      let i = this.#lowerBound(from);
      if (!inclusive && i < this.#keys.length && this.#keys[i]!.equals(from)) i++;
      if (i >= this.#keys.length || Buffer.compare(this.#keys[i]!, end) >= 0) return;
      from = this.#keys[i]!;
      inclusive = false;
      yield this.#values[i]!;
    }
  }
}

function memoryBackend(): KvBackend {
  return {
    tables: {
      buckets: new SortedTable(),
      objects: new SortedTable(),
      uploads: new SortedTable(),
      uploadIds: new SortedTable(),
      parts: new SortedTable(),
      versions: new SortedTable(),
      bucketConfigs: new SortedTable(),
    },
    // Memory blobs are released by the caller's BlobStore.delete; nothing to journal.
    journal: { referenced() {}, released() {} },
    async write(fn) {
      return fn();
    },
    async open() {},
    async close() {},
  };
}

/** Metadata held in memory (`--in-memory`), with the same ordered keys and the same logic as the database. */
export class MemoryMetadataStore extends KvMetadataStore {
  constructor() {
    super(memoryBackend());
  }
}
