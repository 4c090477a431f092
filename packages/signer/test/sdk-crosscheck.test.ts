import COS from 'cos-nodejs-sdk-v5';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../src/index.js';

/** mulberry32: a small seeded PRNG, so every run checks the same 10,000 requests. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY_PARTS = ['a', 'Z', '0', ' ', '+', '/', '~', '*', "'", '(', ')', '!', '中', '文', 'é', '%', '&', '=', '?', '#', '.', '-', '_', '😀', ':', '@', ',', ';'];
const PARAM_NAMES = ['prefix', 'max-keys', 'uploadId', 'partNumber', 'response-content-type', 'X-Custom', 'a b', 'Mixed-Case', 'delimiter', 'ñ'];
const HEADER_NAMES = ['Host', 'Content-Length', 'content-type', 'Content-MD5', 'x-cos-meta-Author', 'X-COS-ACL', 'Range', 'If-Match', 'Cache-Control', 'x-ci-pic', 'Origin', 'Expect', 'User-Agent', 'x-cos-security-token', 'Pic-Operations'];
const VALUES = ['', 'v', 'Zhang San', 'image/jpeg', 'bytes=0-9', '"etag"', 'a=b&c', '中文', 'max-age=600', '100-continue', 'tok/en+=='];

describe('signRequest equals cos-nodejs-sdk-v5 COS.getAuthorization', () => {
  it('on 10,000 seeded random requests', () => {
    const rand = prng(20261125);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
    const credentials = { secretId: 'AKIDEXAMPLEsecretid0000000000000000', secretKey: 'EXAMPLEsecretkey00000000000000000' };
    let checked = 0;
    for (let i = 0; i < 10_000; i++) {
      let key = '';
      const length = 1 + Math.floor(rand() * 12);
      for (let j = 0; j < length; j++) key += pick(KEY_PARTS);
      if (rand() < 0.2) key = '/' + key;
      const pathname = key.startsWith('/') ? key : '/' + key;
      const query: Record<string, string> = {};
      for (let j = Math.floor(rand() * 4); j > 0; j--) query[pick(PARAM_NAMES)] = rand() < 0.3 ? '' : pick(VALUES);
      const headers: Record<string, string> = {};
      for (let j = Math.floor(rand() * 7); j > 0; j--) headers[pick(HEADER_NAMES)] = pick(VALUES);
      const start = 1_600_000_000 + Math.floor(rand() * 100_000_000);
      const keyTime = `${start};${start + 1 + Math.floor(rand() * 7200)}`;
      const method = pick(['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'options']);
      const ours = signRequest({ method, pathname, query, headers }, { credentials, keyTime }).authorization;
      const sdk = (COS as unknown as { getAuthorization(o: unknown): string }).getAuthorization({
        SecretId: credentials.secretId,
        SecretKey: credentials.secretKey,
        Method: method,
        Pathname: pathname,
        Query: query,
        Headers: headers,
        KeyTime: keyTime,
      });
      if (ours !== sdk) expect({ i, method, pathname, query, headers, ours }).toEqual({ i, method, pathname, query, headers, ours: sdk });
      checked++;
    }
    expect(checked).toBe(10_000);
  });
});
