export type * from './types.js';
export { isDeleteMarker } from './types.js';
export { decodeVersionId } from './version-keys.js';
export { MemoryMetadataStore } from './memory-metadata.js';
export { MemoryBlobStore } from './memory-blobs.js';
export { INLINE_LIMIT, LmdbBlobStore, LmdbMetadataStore } from './lmdb-store.js';
export { firstOf, type ListEntry, listGrouped } from './listing.js';

import { lmdbStores } from './lmdb-store.js';
import { MemoryBlobStore } from './memory-blobs.js';
import { MemoryMetadataStore } from './memory-metadata.js';
import type { BlobStore, MetadataStore } from './types.js';

export interface Stores {
  metadata: MetadataStore;
  blobs: BlobStore;
}

export interface StoreOptions {
  /** Flush every write to the disk before acknowledging it (data directory only). */
  fsync?: boolean;
}

/**
 * Memory stores without a data directory; with one, metadata and small bodies in LMDB and larger
 * bodies as files. Opening a data directory imports the earlier JSON layout once and removes the blob
 * files a stopped process left unreferenced (tracked in the database, so this does not visit every object).
 */
export async function openStores(dataDir: string | undefined, options: StoreOptions = {}): Promise<Stores> {
  const stores: Stores = dataDir
    ? lmdbStores(dataDir, { fsync: options.fsync ?? false })
    : { metadata: new MemoryMetadataStore(), blobs: new MemoryBlobStore() };
  await stores.metadata.open();
  await stores.blobs.open();
  return stores;
}
