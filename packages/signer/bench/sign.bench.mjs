// Signing speed of @cos-direct/signer against cos-nodejs-sdk-v5's COS.getAuthorization.
//
//   npx tsc -p tsconfig.build.json && node bench/sign.bench.mjs
//
// Both sides sign the same 2,000 pre-generated requests (seeded, so every run uses the same ones).
// Each implementation is warmed up, then measured for BENCH_MS (default 1000 ms) per round over
// BENCH_ROUNDS rounds (default 5), rounds interleaved; the median round is reported.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import COS from 'cos-nodejs-sdk-v5';

const distIndex = new URL('../dist/index.js', import.meta.url);
if (!existsSync(distIndex)) {
  console.error('dist/ is missing: run `npx tsc -p tsconfig.build.json` in packages/signer first');
  process.exit(1);
}
const { signRequest } = await import(distIndex.href);
const { defaultCrypto: pureCrypto } = await import(new URL('../dist/crypto/pure.js', import.meta.url).href);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_MS ?? 1000);
const COUNT = 2000;

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY_PARTS = ['photos', 'uploads', '2026', 'a b', 'IMG_0001', '.jpg', '/', '中文', '(1)', '+', '~', 'report', '-', '_'];
const PARAMS = ['partNumber', 'uploadId', 'response-content-type', 'versionId', 'prefix'];
const VALUES = ['1', '42', '1585130821cbb7df1d1184', 'image/jpeg', 'text/plain; charset=utf-8', 'uploads/'];
const HEADERS = ['Content-Type', 'Content-MD5', 'x-cos-storage-class', 'x-cos-acl', 'Range', 'If-Match', 'User-Agent', 'Cache-Control'];

function generate(count, seed) {
  const rand = mulberry32(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const requests = [];
  for (let i = 0; i < count; i++) {
    let key = '';
    for (let j = 1 + Math.floor(rand() * 6); j > 0; j--) key += pick(KEY_PARTS);
    const query = {};
    for (let j = Math.floor(rand() * 3); j > 0; j--) query[pick(PARAMS)] = pick(VALUES);
    const headers = { Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'Content-Length': String(Math.floor(rand() * 1e8)) };
    for (let j = Math.floor(rand() * 4); j > 0; j--) headers[pick(HEADERS)] = pick(VALUES);
    if (rand() < 0.5) headers['x-cos-meta-author'] = 'Zhang San';
    const start = 1_700_000_000 + i;
    requests.push({
      method: pick(['PUT', 'GET', 'POST', 'HEAD']),
      pathname: `/${key}`,
      query,
      headers,
      keyTime: `${start};${start + 900}`,
    });
  }
  return requests;
}

const credentials = { secretId: 'AKIDEXAMPLEsecretid0000000000000000', secretKey: 'EXAMPLEsecretkey00000000000000000' };
const requests = generate(COUNT, 20261125);
// Same requests, one shared key time: what a server signing a burst within one second sees.
const sharedKeyTime = requests.map((r) => ({ ...r, keyTime: '1700000000;1700000900' }));

const ours = (r) => signRequest(r, { credentials, keyTime: r.keyTime }).authorization;
const oursPure = (r) => signRequest(r, { credentials, keyTime: r.keyTime, crypto: pureCrypto }).authorization;
const sdk = (r) =>
  COS.getAuthorization({
    SecretId: credentials.secretId,
    SecretKey: credentials.secretKey,
    Method: r.method,
    Pathname: r.pathname,
    Query: r.query,
    Headers: r.headers,
    KeyTime: r.keyTime,
  });

// Same output first: a benchmark of different work would mean nothing.
for (const list of [requests, sharedKeyTime]) {
  for (const r of list) {
    const expected = sdk(r);
    if (ours(r) !== expected || oursPure(r) !== expected) {
      console.error('signatures differ for', r);
      process.exit(1);
    }
  }
}

let sink = 0;
function runFor(fn, list, ms) {
  let ops = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < list.length; i++) sink += fn(list[i]).length;
    ops += list.length;
    elapsed = performance.now() - started;
  } while (elapsed < ms);
  return (ops * 1000) / elapsed;
}

const cases = [
  { name: 'signer (node:crypto)', fn: ours, list: requests },
  { name: 'signer (pure provider)', fn: oursPure, list: requests },
  { name: 'signer (node:crypto, shared key time)', fn: ours, list: sharedKeyTime },
  { name: 'cos-nodejs-sdk-v5 getAuthorization', fn: sdk, list: requests },
];

for (const c of cases) runFor(c.fn, c.list, Math.min(300, ROUND_MS)); // warm-up
const results = new Map(cases.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) results.get(c.name).push(runFor(c.fn, c.list, ROUND_MS));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n) => String(Math.round(n));
const opsOf = Object.fromEntries(cases.map((c) => [c.name, median(results.get(c.name))]));
const sdkOps = opsOf['cos-nodejs-sdk-v5 getAuthorization'];

console.log(`node ${process.version}, ${COUNT} requests, ${ROUNDS} rounds of ${ROUND_MS} ms, median round (min..max):`);
for (const c of cases) {
  const rounds = results.get(c.name);
  const ratio = c.fn === sdk ? '' : `  ratio ${(opsOf[c.name] / sdkOps).toFixed(2)}x`;
  console.log(
    `  ${c.name.padEnd(40)} ${fmt(opsOf[c.name]).padStart(8)} ops/s  (${fmt(Math.min(...rounds))}..${fmt(Math.max(...rounds))})${ratio}`,
  );
}
console.log(
  `signer: ${fmt(opsOf['signer (node:crypto)'])} ops/s, cos-nodejs-sdk-v5 getAuthorization: ${fmt(sdkOps)} ops/s, ratio ${(opsOf['signer (node:crypto)'] / sdkOps).toFixed(2)}x` +
    ` (pure provider: ${fmt(opsOf['signer (pure provider)'])} ops/s, ratio ${(opsOf['signer (pure provider)'] / sdkOps).toFixed(2)}x)`,
);
if (sink === 0) console.log('');
