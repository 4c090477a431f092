export type * from './types.js';
export { MemoryMetadataStore } from './memory-metadata.js';
export { FsMetadataStore } from './fs-metadata.js';
export { MemoryBlobStore } from './memory-blobs.js';
export { FsBlobStore } from './fs-blobs.js';

import { FsBlobStore } from './fs-blobs.js';
import { FsMetadataStore } from './fs-metadata.js';
import { MemoryBlobStore } from './memory-blobs.js';
import { MemoryMetadataStore } from './memory-metadata.js';
import type { BlobStore, MetadataStore } from './types.js';

export interface Stores {
  metadata: MetadataStore;
  blobs: BlobStore;
}

/** Memory stores without a data directory, filesystem stores with one. */
export async function openStores(dataDir: string | undefined): Promise<Stores> {
  const stores: Stores = dataDir
    ? { metadata: new FsMetadataStore(dataDir), blobs: new FsBlobStore(dataDir) }
    : { metadata: new MemoryMetadataStore(), blobs: new MemoryBlobStore() };
  await stores.metadata.open();
  await stores.blobs.open();
  await finishCompletedUploads(stores.metadata);
  await stores.blobs.collect(stores.metadata.referencedBlobs());
  return stores;
}

/**
 * Removes the uploads a Complete Multipart Upload had already turned into an object when the process
 * stopped; their parts' bytes are then unreferenced and collected. Uploads that were not completed stay.
 */
export async function finishCompletedUploads(metadata: MetadataStore): Promise<number> {
  let finished = 0;
  for (const bucket of metadata.listBuckets()) {
    for (const upload of metadata.listUploads(bucket.name)) {
      if (metadata.getObject(upload.bucket, upload.key)?.completedUploadId !== upload.uploadId) continue;
      await metadata.deleteUpload(upload.uploadId);
      finished++;
    }
  }
  return finished;
}
