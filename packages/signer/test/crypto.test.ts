import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc64Combine, crc64ecma, Crc64Ecma } from '../src/crc64.js';
import { defaultCrypto as nodeCrypto } from '../src/crypto/node.js';
import { defaultCrypto as pureCrypto } from '../src/crypto/pure.js';
import { mulberry32 } from './support/prng.js';

// The pure provider encodes strings itself and reuses hash states between calls, so it must agree with
// node:crypto bit for bit, notably around the 55/56/64-byte padding boundaries, keys longer than a
// block, and multi-byte UTF-8.
const rand = mulberry32(7);
const ALPHABET = ['a', 'Z', '0', ' ', '\n', '中', 'é', '😀', '\u0000', '~'];
const text = (length: number) => Array.from({ length }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join('');
const bytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(rand() * 256));
const LENGTHS = [0, 1, 19, 20, 31, 32, 55, 56, 57, 63, 64, 65, 100, 119, 120, 127, 128, 129, 1000];

describe('pure provider equals node:crypto', () => {
  it.each(LENGTHS)('hashes and HMACs of %i-unit inputs', (n) => {
    for (const data of [text(n), 'x'.repeat(n)]) {
      expect(pureCrypto.sha1Hex(data)).toBe(nodeCrypto.sha1Hex(data));
      expect(pureCrypto.sha256Hex(data)).toBe(nodeCrypto.sha256Hex(data));
      for (const key of [text(n), 'k'.repeat(n), '']) {
        expect(pureCrypto.hmacSha1Hex(key, data)).toBe(nodeCrypto.hmacSha1Hex(key, data));
        expect(pureCrypto.hmacSha1Base64(key, data)).toBe(nodeCrypto.hmacSha1Base64(key, data));
        expect(pureCrypto.hmacSha256Hex(key, data)).toBe(nodeCrypto.hmacSha256Hex(key, data));
      }
    }
    const raw = bytes(n);
    expect(pureCrypto.sha1Hex(raw)).toBe(nodeCrypto.sha1Hex(raw));
    expect(pureCrypto.sha256Hex(raw)).toBe(nodeCrypto.sha256Hex(raw));
    const binaryKey = bytes(n);
    expect([...pureCrypto.hmacSha256(binaryKey, 'data')]).toEqual([...nodeCrypto.hmacSha256(binaryKey, 'data')]);
  });

  it('encodes lone surrogates as U+FFFD and survives inputs that outgrow its buffers', () => {
    const odd = ['\ud800', 'a\udc00b', 'x\ud83d', '\ude00\ud83d', '\ud83d\ude00', '中'.repeat(700), '😀'.repeat(3000), 'k'.repeat(5000)];
    for (const data of odd) {
      expect(pureCrypto.sha1Hex(data)).toBe(createHash('sha1').update(data).digest('hex'));
      expect(pureCrypto.sha256Hex(data)).toBe(createHash('sha256').update(data).digest('hex'));
      for (const key of [...odd, '', 'k'.repeat(64), 'é'.repeat(32), 'é'.repeat(33)]) {
        expect(pureCrypto.hmacSha1Hex(key, data)).toBe(createHmac('sha1', key).update(data).digest('hex'));
        expect(pureCrypto.hmacSha1Hex(data, key)).toBe(createHmac('sha1', data).update(key).digest('hex'));
      }
    }
  });

  it('matches the FIPS 180 digests of "abc"', () => {
    for (const crypto of [pureCrypto, nodeCrypto]) {
      expect(crypto.sha1Hex('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
      expect(crypto.sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    }
    expect(pureCrypto.sha256Hex('a'.repeat(1_000_000))).toBe(createHash('sha256').update('a'.repeat(1_000_000)).digest('hex'));
  });
});

describe.each([
  ['node', nodeCrypto],
  ['pure', pureCrypto],
])('%s provider HMAC-SHA1 equals createHmac', (_name, crypto) => {
  // Both providers keep the keyed state of the last two keys; rotating through more keys than that,
  // repeating them, and mixing in keys the node provider does not pad itself (non-ASCII, longer than a
  // block) must not matter.
  const keys = ['EXAMPLEsecretkey00000000000000000', '', 'k'.repeat(64), 'k'.repeat(65), '密钥', 'é'.repeat(40), '\u0000x', 'a'.repeat(63)];
  it('for every order of keys', () => {
    const order = [0, 0, 1, 0, 2, 3, 2, 4, 5, 0, 1, 6, 7, 7, 0, 6, 2, 1];
    for (let round = 0; round < 3; round++) {
      for (const [i, k] of order.entries()) {
        const key = keys[k]!;
        const data = `sha1\n1700000000;${1700000900 + i}\n${'ab'.repeat(round * 40)}中\n`;
        expect(crypto.hmacSha1Hex(key, data), JSON.stringify(key)).toBe(createHmac('sha1', key).update(data).digest('hex'));
        expect(crypto.hmacSha1Base64(key, data), JSON.stringify(key)).toBe(createHmac('sha1', key).update(data).digest('base64'));
      }
    }
  });
});

describe('pure provider results', () => {
  it('are not overwritten by later calls', () => {
    const first = pureCrypto.hmacSha256('key', 'one');
    const copy = [...first];
    pureCrypto.hmacSha256('key', 'two');
    pureCrypto.hmacSha1Hex('key', 'three');
    pureCrypto.sha1Hex('four');
    expect([...first]).toEqual(copy);
  });

  it("hash a caller's bytes without changing them", () => {
    const data = bytes(200);
    const before = [...data];
    const expected = createHash('sha1').update(data).digest('hex');
    expect(pureCrypto.sha1Hex(data)).toBe(expected);
    expect(pureCrypto.sha1Hex(data)).toBe(expected);
    expect(pureCrypto.sha256Hex(data)).toBe(createHash('sha256').update(data).digest('hex'));
    expect([...data]).toEqual(before);
  });
});

describe('CRC-64 combine', () => {
  it('combines part checksums into the checksum of the whole', () => {
    const whole = bytes(10_000);
    for (const cut of [0, 1, 7, 4096, 9_999, 10_000]) {
      const a = whole.subarray(0, cut);
      const b = whole.subarray(cut);
      expect(crc64Combine(crc64ecma(a), crc64ecma(b), b.length), `cut ${cut}`).toBe(crc64ecma(whole));
    }
    const streamed = new Crc64Ecma();
    for (let i = 0; i < whole.length; i += 333) streamed.update(whole.subarray(i, i + 333));
    expect(streamed.digest()).toBe(crc64ecma(whole));
    for (const cut of [0, 1, 7, 8, 9, 500, whole.length]) {
      const resumed = new Crc64Ecma(crc64ecma(whole.subarray(0, cut))).update(whole.subarray(cut));
      expect(resumed.digest(), `resumed at ${cut}`).toBe(crc64ecma(whole));
    }
    expect(() => new Crc64Ecma('18446744073709551616')).toThrow(RangeError);
    expect(() => new Crc64Ecma('0x12')).toThrow(/not a CRC-64 digest/);
  });
});
