import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ContentHasher } from './hashing.js';
import type { BlobInfo, BlobStore } from './types.js';

/** Blobs up to this size are answered in one write (as the database store answers its inline ones). */
const SMALL = 64 * 1024;

export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Buffer>();

  async open() {}
  async close() {}

  async write(source: AsyncIterable<Uint8Array>, verify?: (info: Omit<BlobInfo, 'id'>) => void): Promise<BlobInfo> {
    const hasher = new ContentHasher();
    const chunks: Buffer[] = [];
    let info: Omit<BlobInfo, 'id'>;
    try {
      for await (const chunk of source) {
        hasher.update(chunk);
        chunks.push(Buffer.from(chunk));
        const behind = hasher.ready();
        if (behind) await behind;
      }
      info = await hasher.digest();
    } catch (e) {
      hasher.abandon();
      throw e;
    }
    verify?.(info);
    const id = randomUUID().replaceAll('-', '');
    this.#blobs.set(id, Buffer.concat(chunks));
    return { id, ...info };
  }

  async concat(ids: string[]): Promise<BlobInfo> {
    const self = this;
    return this.write(
      (async function* () {
        for (const id of ids) yield self.#get(id);
      })(),
    );
  }

  #get(id: string): Buffer {
    const blob = this.#blobs.get(id);
    if (!blob) throw new Error(`blob ${id} is missing`);
    return blob;
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    const blob = this.#get(id);
    const bytes = range ? blob.subarray(range.start, range.end + 1) : blob;
    // Chunked so that large objects stream with backpressure instead of one huge write.
    return Readable.from(
      (function* () {
        for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
      })(),
    );
  }

  readSmall(id: string, range?: { start: number; end: number }): Buffer | undefined {
    const blob = this.#get(id);
    if (blob.length > SMALL) return undefined;
    return range ? blob.subarray(range.start, range.end + 1) : blob;
  }

  async delete(id: string) {
    this.#blobs.delete(id);
  }
}
