import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { crashPoint } from './crash-points.js';
import { ContentHasher } from './hashing.js';
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
   * Writes `head` and the rest of `rest` to a new file. `beforeRename` runs once the body is complete
   * and verified, before the file can be seen under blobs/.
   */
  async write(
    head: Uint8Array[],
    rest: AsyncIterator<Uint8Array>,
    verify: ((info: Omit<BlobInfo, 'id'>) => void) | undefined,
    beforeRename: (id: string) => Promise<unknown>,
  ): Promise<BlobInfo> {
    // randomUUID draws from a pooled entropy cache: cheaper per write than randomBytes.
    const id = randomUUID().replaceAll('-', '');
    const tmp = join(this.#tmp, id);
    const hasher = new ContentHasher();
    let committed = false;
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(tmp, 'w');
      const file = handle;
      // The hasher writes the bytes as it hashes them, in batches of about 1 MiB at their positions.
      hasher.attach(async (bytes, position) => {
        const { bytesWritten } = await file.write(bytes, 0, bytes.length, position);
        if (bytesWritten !== bytes.length) throw new Error(`short write: ${bytesWritten} of ${bytes.length} bytes`);
      });
      for (const chunk of head) hasher.update(chunk);
      for (;;) {
        const next = await rest.next();
        if (next.done) break;
        hasher.update(next.value);
        const behind = hasher.ready();
        if (behind) await behind;
      }
      const info = await hasher.digest();
      verify?.(info);
      if (this.fsync) await handle.sync();
      await handle.close();
      handle = undefined;
      crashPoint('blob-written');
      const shard = id.slice(0, 2);
      if (!this.#shards.has(shard)) {
        await mkdir(join(this.#blobs, shard), { recursive: true });
        this.#shards.add(shard);
      }
      await beforeRename(id);
      await rename(tmp, this.#path(id));
      if (this.fsync) await syncDir(join(this.#blobs, shard));
      crashPoint('blob-renamed');
      committed = true;
      return { id, ...info };
    } finally {
      if (!committed) {
        // No write may still be using the file when it is closed.
        await hasher.abandon();
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
