import { createHash, type Hash } from 'node:crypto';
import { Crc64Ecma } from '@cos-direct/signer/crc64';

/** MD5 and CRC-64 of a byte stream, updated chunk by chunk. */
export class ContentHasher {
  readonly #md5: Hash = createHash('md5');
  readonly #crc = new Crc64Ecma();
  size = 0;

  update(chunk: Uint8Array): void {
    this.#md5.update(chunk);
    this.#crc.update(chunk);
    this.size += chunk.length;
  }

  digest(): { size: number; md5: string; crc64: string } {
    return { size: this.size, md5: this.#md5.digest('hex'), crc64: this.#crc.digest() };
  }
}
