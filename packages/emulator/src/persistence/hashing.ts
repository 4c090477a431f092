import { createHash, type Hash } from 'node:crypto';
import { Crc64Ecma } from '@cos-direct/signer/crc64';
import { ThreadedCrc64 } from './crc64-thread.js';

/** Bodies up to this size hash entirely in place: a worker round trip costs more than it saves. */
const IN_PLACE_LIMIT = 1 << 20;

/** MD5 and CRC-64 of a byte stream, updated chunk by chunk; CRC-64 moves to a worker past 1 MiB. */
export class ContentHasher {
  readonly #md5: Hash = createHash('md5');
  readonly #crc = new Crc64Ecma();
  #threaded?: ThreadedCrc64;
  #inPlace = true;
  size = 0;

  update(chunk: Uint8Array): void {
    this.#md5.update(chunk);
    this.size += chunk.length;
    if (this.#threaded) {
      this.#threaded.update(chunk);
      return;
    }
    this.#crc.update(chunk);
    if (this.#inPlace && this.size >= IN_PLACE_LIMIT) {
      this.#threaded = ThreadedCrc64.start(this.#crc.digest());
      this.#inPlace = false;
    }
  }

  /** Await it when defined: the worker is behind and the stream should pause. */
  ready(): Promise<void> | undefined {
    return this.#threaded?.ready();
  }

  async digest(): Promise<{ size: number; md5: string; crc64: string }> {
    const crc64 = this.#threaded ? await this.#threaded.digest() : this.#crc.digest();
    return { size: this.size, md5: this.#md5.digest('hex'), crc64 };
  }

  /** Frees the worker's share of an abandoned stream. */
  abandon(): void {
    this.#threaded?.cancel();
  }
}
