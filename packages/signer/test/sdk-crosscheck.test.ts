import COS from 'cos-nodejs-sdk-v5';
import { describe, expect, it } from 'vitest';
import { defaultCrypto as pureCrypto } from '../src/crypto/pure.js';
import { signRequest, type CosRequest } from '../src/index.js';
import { mulberry32 } from './support/prng.js';

const KEY_PARTS = [
  'a',
  'Z',
  '0',
  '9',
  'photo',
  '.jpg',
  ' ',
  '  ',
  '+',
  '/',
  '//',
  '~',
  '*',
  "'",
  '(',
  ')',
  '!',
  '%',
  '%20',
  '&',
  '=',
  '?',
  '#',
  '-',
  '_',
  '.',
  ':',
  '@',
  ',',
  ';',
  '[',
  ']',
  '"',
  '<',
  '>',
  '\\',
  '^',
  '`',
  '{',
  '|',
  '}',
  '$',
  '中',
  '文',
  '腾讯云',
  'é',
  'ß',
  'Ω',
  '😀',
  '𝄞',
  '\u00a0',
  '\t',
];
const PARAM_NAMES = [
  'prefix',
  'max-keys',
  'uploadId',
  'partNumber',
  'UploadId',
  'PartNumber',
  'response-content-type',
  'Response-Cache-Control',
  'versionId',
  'X-Custom',
  'a b',
  'Mixed-Case',
  'delimiter',
  'marker',
  'uploads',
  'acl',
  'ñ',
  'k+1',
  "it's",
  'x(y)',
  '中文',
  'a*',
  'A',
];
const HEADER_NAMES = [
  'Host',
  'host',
  'Content-Length',
  'content-length',
  'Content-Type',
  'content-type',
  'Content-MD5',
  'Content-Disposition',
  'Content-Encoding',
  'Range',
  'If-Match',
  'If-None-Match',
  'If-Modified-Since',
  'Expires',
  'Expect',
  'Origin',
  'Transfer-Encoding',
  'Pic-Operations',
  'Cache-Control',
  'Date',
  'User-Agent',
  'Accept',
  'Authorization',
  'X-Forwarded-For',
  'x-cos-acl',
  'X-COS-ACL',
  'x-cos-storage-class',
  'x-cos-security-token',
  'x-cos-traffic-limit',
  'x-cos-grant-read',
  'x-ci-pic',
  'X-Ci-Security-Token',
  'x-not-cos-x-cos-y',
  'my-x-cos-header',
];
const VALUES = [
  '',
  'v',
  'V',
  '0',
  '5',
  '1048576',
  'Zhang San',
  'image/jpeg',
  'text/plain; charset=utf-8',
  'bytes=0-9',
  '"etag"',
  'a=b&c',
  '中文',
  'max-age=600',
  '100-continue',
  'tok/en+==',
  'uin="100000000011"',
  'Thu, 16 May 2019 06:45:51 GMT',
  ' padded ',
  "(it's)*!~",
  '😀',
  'a;b',
  'https://example.com/x?y=z',
];
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'Put', 'post'];

interface GeneratedRequest {
  method: string;
  key: string;
  pathname: string;
  query: Record<string, string | null | undefined>;
  headers: Record<string, string | number | string[]>;
  keyTime: string;
}

/** Random COS requests with awkward keys, parameters and header sets. */
function generateRequests(count: number, seed: number): GeneratedRequest[] {
  const rand = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const out: GeneratedRequest[] = [];
  for (let i = 0; i < count; i++) {
    let key = '';
    for (let j = 1 + Math.floor(rand() * 12); j > 0; j--) key += pick(KEY_PARTS);
    const leadingSlashes = rand() < 0.15 ? 1 + Math.floor(rand() * 2) : 0;
    key = '/'.repeat(leadingSlashes) + key;

    const query: GeneratedRequest['query'] = {};
    for (let j = Math.floor(rand() * 5); j > 0; j--) {
      const r = rand();
      query[pick(PARAM_NAMES)] = r < 0.15 ? '' : r < 0.2 ? null : r < 0.25 ? undefined : pick(VALUES);
    }

    const headers: GeneratedRequest['headers'] = {};
    if (rand() < 0.8) headers[rand() < 0.5 ? 'Host' : 'host'] = 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com';
    for (let j = Math.floor(rand() * 3); j > 0; j--) headers[`x-cos-meta-${pick(['author', 'Author', 'a b', 'x_y', '中'])}`] = pick(VALUES);
    for (let j = Math.floor(rand() * 6); j > 0; j--) {
      const r = rand();
      headers[pick(HEADER_NAMES)] = r < 0.1 ? Math.floor(rand() * 1e6) : r < 0.15 ? [pick(VALUES), pick(VALUES)] : pick(VALUES);
    }
    if (rand() < 0.3) headers['Content-Length'] = Math.floor(rand() * 5e9);
    if (rand() < 0.2) headers.Range = `bytes=${Math.floor(rand() * 100)}-`;

    const start = 1_500_000_000 + Math.floor(rand() * 400_000_000);
    out.push({
      method: pick(METHODS),
      key,
      pathname: `/${key}`,
      query,
      headers,
      keyTime: `${start};${start + 1 + Math.floor(rand() * 7200)}`,
    });
  }
  return out;
}

const getAuthorization = (COS as unknown as { getAuthorization(o: Record<string, unknown>): string }).getAuthorization;
const credentials = { secretId: 'AKIDcrosscheck00000000000000000000', secretKey: 'crosscheck-secret-key-000000000000' };

describe('signRequest equals cos-nodejs-sdk-v5 COS.getAuthorization', () => {
  const requests = generateRequests(10_000, 0x5eed2026);

  it('on 10,000 seeded random requests', () => {
    const mismatches: unknown[] = [];
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      const request: CosRequest = { method: r.method, pathname: r.pathname, query: r.query, headers: r.headers };
      const ours = signRequest(request, { credentials, keyTime: r.keyTime }).authorization;
      const sdk = getAuthorization({
        SecretId: credentials.secretId,
        SecretKey: credentials.secretKey,
        Method: r.method,
        Pathname: r.pathname,
        Query: r.query,
        Headers: r.headers,
        KeyTime: r.keyTime,
      });
      // Every 10th request also goes through the pure provider and the SDK's Key option.
      if (i % 10 === 0) {
        expect(signRequest(request, { credentials, keyTime: r.keyTime, crypto: pureCrypto }).authorization).toBe(sdk);
        if (!r.key.startsWith('/')) {
          expect(
            getAuthorization({
              SecretId: credentials.secretId,
              SecretKey: credentials.secretKey,
              Method: r.method,
              Key: r.key,
              Query: r.query,
              Headers: r.headers,
              KeyTime: r.keyTime,
            }),
          ).toBe(sdk);
        }
      }
      if (ours !== sdk && mismatches.length < 5) mismatches.push({ i, request: r, ours, sdk });
    }
    expect(mismatches).toEqual([]);
  });

  it('covers the awkward cases it claims to', () => {
    const keys = requests.map((r) => r.key);
    for (const c of [' ', '+', '/', '~', '*', "'", '(', ')', '😀', '中'])
      expect(
        keys.some((k) => k.includes(c)),
        c,
      ).toBe(true);
    expect(keys.some((k) => k.startsWith('//'))).toBe(true);
    const queries = requests.map((r) => r.query);
    expect(queries.some((q) => Object.values(q).includes(''))).toBe(true);
    expect(queries.some((q) => Object.values(q).includes(null))).toBe(true);
    expect(queries.some((q) => Object.keys(q).some((k) => k !== k.toLowerCase()))).toBe(true);
    const headerNames = requests.flatMap((r) => Object.keys(r.headers));
    for (const h of ['x-cos-meta-author', 'Content-Length', 'Host', 'host', 'Content-Type', 'Range', 'User-Agent'])
      expect(headerNames, h).toContain(h);
    expect(requests.some((r) => 'Host' in r.headers && 'host' in r.headers)).toBe(true);
  });
});
