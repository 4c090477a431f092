import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ContentHasher } from './hashing.js';
import type { BlobInfo } from './types.js';

const BLOB_ID = /^[0-9a-f]{32}$/;

/** Flushes a directory's entries (a rename) to the disk. */
async function syncDir(dir: string) {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Blob files named by random ids. A blob is written under tmp/ and renamed into blobs/ only when
 * complete and verified, so an interrupted upload never becomes visible. With `fsync`, the file and
 * the rename are flushed to the disk before the blob is handed back.
 */
export class BlobFiles {
  readonly #blobs: string;
  readonly #tmp: string;
  /** Shard directories known to exist: one mkdir per shard, not per write. */
  readonly #shards = new Set<string>();

  constructor(
    dataDir: string,
    private readonly fsync: boolean,
  ) {
    this.#blobs = join(dataDir, 'blobs');
    this.#tmp = join(dataDir, 'tmp');
  }

  /** Creates the directories and empties tmp/ (what a stopped process was still writing). */
  async open() {
    await mkdir(this.#blobs, { recursive: true });
    await rm(this.#tmp, { recursive: true, force: true });
    await mkdir(this.#tmp, { recursive: true });
  }

  #path(id: string) {
    if (!BLOB_ID.test(id)) throw new Error(`invalid blob id ${id}`);
    return join(this.#blobs, id.slice(0, 2), id);
  }

  /**
   * Writes `head` (already hashed) and the rest of `rest` to a new file. `beforeRename` runs once the
   * body is complete and verified, before the file can be seen under blobs/.
   */
  async write(
    hasher: ContentHasher,
    head: Uint8Array[],
    rest: AsyncIterator<Uint8Array>,
    verify: ((info: Omit<BlobInfo, 'id'>) => void) | undefined,
    beforeRename: (id: string) => Promise<unknown>,
  ): Promise<BlobInfo> {
    // randomUUID draws from a pooled entropy cache: cheaper per write than randomBytes.
    const id = randomUUID().replaceAll('-', '');
    const tmp = join(this.#tmp, id);
    let committed = false;
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(tmp, 'w');
      const file = handle;
      // Network chunks are small (16-64 KiB): gather about 1 MiB per writev to save system calls.
      let batch: Uint8Array[] = head;
      let batched = head.reduce((n, c) => n + c.length, 0);
      const flush = async () => {
        if (batched === 0) return;
        const { bytesWritten } = await file.writev(batch);
        if (bytesWritten !== batched) throw new Error(`short write: ${bytesWritten} of ${batched} bytes`);
        batch = [];
        batched = 0;
      };
      for (;;) {
        const next = await rest.next();
        if (next.done) break;
        hasher.update(next.value);
        batch.push(next.value);
        batched += next.value.length;
        if (batched >= 1 << 20) await flush();
        const behind = hasher.ready();
        if (behind) await behind;
      }
      await flush();
      const info = await hasher.digest();
      verify?.(info);
      if (this.fsync) await handle.sync();
      await handle.close();
      handle = undefined;
      const shard = id.slice(0, 2);
      if (!this.#shards.has(shard)) {
        await mkdir(join(this.#blobs, shard), { recursive: true });
        this.#shards.add(shard);
      }
      await beforeRename(id);
      await rename(tmp, this.#path(id));
      if (this.fsync) await syncDir(join(this.#blobs, shard));
      committed = true;
      return { id, ...info };
    } finally {
      if (!committed) {
        hasher.abandon();
        await handle?.close().catch(() => undefined);
        await rm(tmp, { force: true });
      }
    }
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(
      this.#path(id),
      range ? { start: range.start, end: range.end, highWaterMark: 1 << 20 } : { highWaterMark: 1 << 20 },
    );
  }

  async delete(id: string) {
    await rm(this.#path(id), { force: true });
  }
}
