import { createHash, type Hash, hash } from 'node:crypto';
import { Crc64Ecma, crc64ecma } from '@cos-direct/signer/crc64';
import { type ByteSink, SinkWrites, ThreadedHash } from './hash-thread.js';

export type { ByteSink } from './hash-thread.js';

const EMPTY = new Uint8Array(0);

/** Bodies up to this size hash entirely in place: a worker round trip costs more than it saves. */
const IN_PLACE_LIMIT = 1 << 20;
/** Hashed in place, bytes are gathered to about this much per write. */
const WRITE_BATCH = 1 << 20;

/**
 * MD5 and CRC-64 of a byte stream, updated chunk by chunk. The first MiB is held unhashed: a body that
 * ends there is hashed in place, one that goes on moves to the hashing workers with its first MiB.
 * With a sink attached, every byte given to `update` is also written to it, in order, by `digest`.
 */
export class ContentHasher {
  #head: Uint8Array[] = [];
  #threaded?: ThreadedHash;
  #inPlace?: { md5: Hash; crc: Crc64Ecma };
  #writes?: SinkWrites;
  /** Hashed in place with a sink: chunks not yet handed to it. */
  #unwritten: Uint8Array[] = [];
  #unwrittenBytes = 0;
  size = 0;

  /** Sends the stream's bytes, those held so far included, to `sink`; before the first MiB only. */
  attach(sink: ByteSink): void {
    if (this.#threaded || this.#inPlace || this.#writes) throw new Error('a sink must be attached once, while the first MiB is still held');
    this.#writes = new SinkWrites(sink);
  }

  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.#threaded) this.#threaded.update(chunk);
    else if (this.#inPlace) this.#hashInPlace(chunk);
    else {
      this.#head.push(chunk);
      if (this.size >= IN_PLACE_LIMIT) this.#leaveHead(ThreadedHash.start(this.#writes));
    }
  }

  /** Await it when defined: the workers or the sink are behind and the stream should pause. */
  ready(): Promise<void> | undefined {
    if (this.#threaded) return this.#threaded.ready();
    const writes = this.#writes;
    if (!writes) return undefined;
    if (writes.error) return Promise.reject(writes.error);
    // In place, one write may run while the next batch gathers.
    return writes.pending > 1 ? writes.settled() : undefined;
  }

  /** The digests, once every byte is hashed and (with a sink) written. */
  async digest(): Promise<{ size: number; md5: string; crc64: string }> {
    if (this.#threaded) return { size: this.size, ...(await this.#threaded.digest()) };
    if (!this.#inPlace && this.#head.length <= 1) {
      // The usual small body, one chunk: one-shot hashes cost a fraction of incremental ones.
      const body = this.#head[0] ?? EMPTY;
      if (this.#writes && body.length > 0) this.#writes.write(body);
      await this.#writes?.settled();
      return { size: this.size, md5: hash('md5', body, 'hex'), crc64: crc64ecma(body) };
    }
    if (!this.#inPlace) this.#leaveHead(undefined);
    this.#flush();
    await this.#writes?.settled();
    const { md5, crc } = this.#inPlace!;
    return { size: this.size, md5: md5.digest('hex'), crc64: crc.digest() };
  }

  /** Frees the workers' share of an abandoned stream; resolves once no write to the sink is in flight. */
  abandon(): Promise<void> {
    if (this.#threaded) return this.#threaded.cancel();
    return this.#writes?.idle() ?? Promise.resolve();
  }

  /** Hands the held chunks to the workers, or (without them) hashes them here from now on. */
  #leaveHead(threaded: ThreadedHash | undefined) {
    const head = this.#head;
    this.#head = [];
    if (threaded) {
      this.#threaded = threaded;
      for (const chunk of head) threaded.update(chunk);
      return;
    }
    this.#inPlace = { md5: createHash('md5'), crc: new Crc64Ecma() };
    for (const chunk of head) this.#hashInPlace(chunk);
  }

  #hashInPlace(chunk: Uint8Array) {
    this.#inPlace!.md5.update(chunk);
    this.#inPlace!.crc.update(chunk);
    if (!this.#writes) return;
    this.#unwritten.push(chunk);
    this.#unwrittenBytes += chunk.length;
    if (this.#unwrittenBytes >= WRITE_BATCH) this.#flush();
  }

  #flush() {
    if (!this.#writes || this.#unwrittenBytes === 0) return;
    const bytes = this.#unwritten.length === 1 ? this.#unwritten[0]! : Buffer.concat(this.#unwritten, this.#unwrittenBytes);
    this.#unwritten = [];
    this.#unwrittenBytes = 0;
    this.#writes.write(bytes);
  }
}
