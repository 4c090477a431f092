import { createHash, type Hash } from 'node:crypto';
import { Crc64Ecma } from '@cos-direct/signer/crc64';
import { ThreadedHash } from './hash-thread.js';

/** Bodies up to this size hash entirely in place: a worker round trip costs more than it saves. */
const IN_PLACE_LIMIT = 1 << 20;

/**
 * MD5 and CRC-64 of a byte stream, updated chunk by chunk. The first MiB is held unhashed: a body that
 * ends there is hashed in place, one that goes on moves to the hashing worker with its first MiB.
 */
export class ContentHasher {
  #head: Uint8Array[] = [];
  #threaded?: ThreadedHash;
  #inPlace?: { md5: Hash; crc: Crc64Ecma };
  size = 0;

  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.#threaded) this.#threaded.update(chunk);
    else if (this.#inPlace) this.#hashInPlace(chunk);
    else {
      this.#head.push(chunk);
      if (this.size >= IN_PLACE_LIMIT) this.#leaveHead(ThreadedHash.start());
    }
  }

  /** Await it when defined: the worker is behind and the stream should pause. */
  ready(): Promise<void> | undefined {
    return this.#threaded?.ready();
  }

  async digest(): Promise<{ size: number; md5: string; crc64: string }> {
    if (this.#threaded) return { size: this.size, ...(await this.#threaded.digest()) };
    if (!this.#inPlace) this.#leaveHead(undefined);
    const { md5, crc } = this.#inPlace!;
    return { size: this.size, md5: md5.digest('hex'), crc64: crc.digest() };
  }

  /** Frees the worker's share of an abandoned stream. */
  abandon(): void {
    this.#threaded?.cancel();
  }

  /** Hands the held chunks to the worker, or (without one) hashes them here from now on. */
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
  }
}
