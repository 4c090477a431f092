import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bucketKey, objectKey, partKey, uploadKey } from './keys.js';
import type { KvBackend } from './kv-metadata.js';
import type { BucketRecord, ObjectRecord, PartRecord, UploadRecord } from './types.js';

/** Records per transaction while importing. */
const BATCH = 2000;

async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function* records<T>(dir: string): AsyncGenerator<T> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      yield JSON.parse(await readFile(join(dir, name), 'utf8')) as T;
    } catch {
      // A record that cannot be read was never completely written (the old layout renamed atomically).
    }
  }
}

async function inBatches<T>(source: AsyncIterable<T>, backend: KvBackend, apply: (record: T) => void) {
  let batch: T[] = [];
  const flush = async () => {
    const records = batch;
    batch = [];
    if (records.length > 0) await backend.write(() => records.forEach(apply));
  };
  for await (const record of source) {
    batch.push(record);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
}

/**
 * Imports a data directory of the earlier layout (meta/<kind>/<sha256>.json per record, blobs/ as now)
 * into the database once, then moves meta/ aside as meta.imported-<time>. Blob files keep their names.
 * Safe to interrupt: records are put by key, so a second run rewrites the same values.
 * Returns the number of objects imported, or undefined when there was nothing to import.
 */
export async function importJsonLayout(dataDir: string, backend: KvBackend): Promise<number | undefined> {
  const meta = join(dataDir, 'meta');
  if (!(await exists(join(meta, 'objects')))) return undefined;
  const t = backend.tables;
  await inBatches(records<BucketRecord>(join(meta, 'buckets')), backend, (b) => t.buckets.put(bucketKey(b.name), b));
  let objects = 0;
  /** Uploads whose Complete had written the object when the old process stopped. */
  const completed = new Set<string>();
  /** Blob files the imported records name; the old layout swept the others at every start. */
  const named = new Set<string>();
  await inBatches(records<ObjectRecord>(join(meta, 'objects')), backend, (o) => {
    const { completedUploadId, ...record } = o;
    if (completedUploadId) completed.add(completedUploadId);
    t.objects.put(objectKey(o.bucket, o.key), record);
    named.add(o.blobId);
    objects++;
  });
  await inBatches(records<UploadRecord>(join(meta, 'uploads')), backend, (u) => {
    if (completed.has(u.uploadId)) return;
    const k = uploadKey(u.bucket, u.key, u.uploadId);
    t.uploads.put(k, u);
    t.uploadIds.put(Buffer.from(u.uploadId), k);
  });
  await inBatches(records<PartRecord>(join(meta, 'parts')), backend, (p) => {
    // Parts of completed uploads are released: the sweep at start removes their files.
    if (completed.has(p.uploadId) || !t.uploadIds.get(Buffer.from(p.uploadId))) backend.journal.released(p.blobId);
    else {
      t.parts.put(partKey(p.uploadId, p.partNumber), p);
      named.add(p.blobId);
    }
  });
  // Once, at import: files left by a crash under the old layout are named by no record.
  const blobs = join(dataDir, 'blobs');
  for (const shard of await readdir(blobs).catch(() => [] as string[])) {
    for (const id of await readdir(join(blobs, shard)).catch(() => [] as string[])) {
      if (!named.has(id)) await rm(join(blobs, shard, id), { force: true });
    }
  }
  await rename(meta, join(dataDir, `meta.imported-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  return objects;
}
