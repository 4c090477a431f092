import { createHash, randomBytes } from 'node:crypto';
import { crc64ecma } from '@cos-direct/signer/crc64';
import { describe, expect, it } from 'vitest';
import { ContentHasher } from '../src/persistence/hashing.js';

/** Feeds `body` in chunks of the given sizes (cycled), pausing when the hasher asks. */
async function hashInChunks(body: Buffer, sizes: number[], hasher = new ContentHasher()) {
  for (let offset = 0, i = 0; offset < body.length; i++) {
    const n = sizes[i % sizes.length]!;
    hasher.update(body.subarray(offset, offset + n));
    offset += n;
    const behind = hasher.ready();
    if (behind) await behind;
  }
  return hasher.digest();
}

const mib = 1024 * 1024;

describe('ContentHasher', () => {
  it('matches MD5 and CRC-64 across the in-place limit, for chunks that straddle every batch boundary', async () => {
    const cases: [number, number[]][] = [
      [0, [1]],
      [mib - 1, [65_536]],
      [mib, [mib]],
      [mib + 1, [7, 65_529, 300_001]],
      [5 * mib + 13, [3 * mib + 1]],
      [12 * mib, [1_000_003, 17]],
    ];
    const results = await Promise.all(
      cases.map(async ([size, chunks]) => {
        const body = randomBytes(size);
        return { body, digest: await hashInChunks(body, chunks) };
      }),
    );
    for (const { body, digest } of results) {
      expect(digest.size).toBe(body.length);
      expect(digest.md5, `md5 of ${body.length} bytes`).toBe(createHash('md5').update(body).digest('hex'));
      expect(digest.crc64, `crc64 of ${body.length} bytes`).toBe(crc64ecma(body));
    }
  });

  it('keeps hashing other streams after one is abandoned past the limit', async () => {
    const abandoned = new ContentHasher();
    abandoned.update(randomBytes(3 * mib));
    abandoned.abandon();
    const body = randomBytes(2 * mib + 5);
    const digest = await hashInChunks(body, [65_536]);
    expect(digest.md5).toBe(createHash('md5').update(body).digest('hex'));
    expect(digest.crc64).toBe(crc64ecma(body));
  });

  it('writes every byte to an attached sink at its position, and waits for the writes before the digest', async () => {
    for (const size of [0, 70_000, mib, 9 * mib + 3]) {
      const body = randomBytes(size);
      const file = Buffer.alloc(size);
      let inFlight = 0;
      let most = 0;
      const hasher = new ContentHasher();
      hasher.attach(async (bytes, position) => {
        most = Math.max(most, ++inFlight);
        // Writes finish out of order; each lands at its own position.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        file.set(bytes, position);
        inFlight--;
      });
      const digest = await hashInChunks(body, [65_536, 4_097], hasher);
      expect(inFlight, `writes still running after the digest of ${size} bytes`).toBe(0);
      expect(file.equals(body), `the sink's copy of ${size} bytes`).toBe(true);
      expect(digest.md5).toBe(createHash('md5').update(body).digest('hex'));
      expect(most, 'the writes in flight are bounded').toBeLessThanOrEqual(8);
    }
  });

  it("fails the digest with the sink's error, and abandon waits for the writes still running", async () => {
    const hasher = new ContentHasher();
    let running = 0;
    hasher.attach(async () => {
      running++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      throw new Error('disk full');
    });
    await expect(hashInChunks(randomBytes(4 * mib), [65_536], hasher)).rejects.toThrow('disk full');
    await hasher.abandon();
    expect(running).toBe(0);
  });
});
