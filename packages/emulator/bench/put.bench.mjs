// PUT and GET throughput of the emulator against a raw Node http server that writes bodies to a file
// on the same disk and reads them back (the limit), in the same run; and the emulator's memory while a
// 1 GiB object streams in. Prints ratios; asserts nothing. BENCH_LARGE_MB (256) and BENCH_HUGE_MB (1024)
// scale the big cases. restart.bench.mjs covers restart and listing at a large object count.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@cos-direct/signer';
import { startEmulator } from '../dist/index.js';

const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 256);
const HUGE_MB = Number(process.env.BENCH_HUGE_MB ?? 1024);
const dir = await mkdtemp(join(tmpdir(), 'cos-emulator-bench-'));
const chunk = Buffer.alloc(1 << 20, 7);

function get(port, path, headers) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function put(port, path, size, headers) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'PUT', headers: { ...headers, 'content-length': size } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

// Baseline: the least a server can do with an upload, stream it to a file; and with a download, stream
// a file back.
let fileNo = 0;
const raw = createServer((req, res) => {
  if (req.method === 'GET') {
    createReadStream(join(dir, 'raw-0')).pipe(res);
    return;
  }
  const out = createWriteStream(join(dir, `raw-${fileNo++}`));
  req.pipe(out);
  out.on('finish', () => res.end());
});
await new Promise((r) => raw.listen(0, '127.0.0.1', r));
const rawPort = raw.address().port;

const emulator = await startEmulator({ dataDir: join(dir, 'data'), httpsPort: false });
const emuPort = Number(new URL(emulator.info.cos.http).port);
const host = 'dev-1250000000.cos.ap-guangzhou.myqcloud.com';
const signed = (key, size) => ({
  host,
  authorization: signRequest(
    { method: 'PUT', pathname: `/${key}`, headers: { host, 'content-length': size } },
    { credentials: emulator.info.credentials },
  ).authorization,
});
const signedGet = (key) => ({
  host,
  authorization: signRequest({ method: 'GET', pathname: `/${key}`, headers: { host } }, { credentials: emulator.info.credentials })
    .authorization,
});

const CONCURRENCY = 16;

async function small(port, headersFor, count = 2000, concurrency = CONCURRENCY) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await put(port, `/small/${i}.bin`, 1024, headersFor(`small/${i}.bin`, 1024));
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

async function smallGets(port, headers, count = 2000, concurrency = CONCURRENCY) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await get(port, '/small/0.bin', headers);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

async function large(port, headersFor, rounds = 2) {
  const size = LARGE_MB << 20;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await put(port, `/large/${i}.bin`, size, headersFor(`large/${i}.bin`, size));
  return (rounds * LARGE_MB) / ((performance.now() - start) / 1000);
}

// Interleaved rounds, best of each side: background writeback left by one side's round must not count
// against whichever side happens to run next.
await small(rawPort, () => ({ host }), 200);
await small(emuPort, signed, 200);
let rawSmall = 0;
let emuSmall = 0;
let rawLarge = 0;
let emuLarge = 0;
for (let round = 0; round < 3; round++) {
  rawSmall = Math.max(rawSmall, await small(rawPort, () => ({ host })));
  emuSmall = Math.max(emuSmall, await small(emuPort, signed));
}
let rawGet = 0;
let emuGet = 0;
const getHeaders = signedGet('small/0.bin');
for (let round = 0; round < 3; round++) {
  rawGet = Math.max(rawGet, await smallGets(rawPort, { host }));
  emuGet = Math.max(emuGet, await smallGets(emuPort, getHeaders));
}
for (let round = 0; round < 3; round++) {
  rawLarge = Math.max(rawLarge, await large(rawPort, () => ({ host }), 1));
  emuLarge = Math.max(emuLarge, await large(emuPort, signed, 1));
}

// Memory while a huge object streams in: sampled RSS of this process (the emulator runs in it).
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
await put(emuPort, '/huge.bin', HUGE_MB << 20, signed('huge.bin', HUGE_MB << 20));
clearInterval(sampler);

const mb = (n) => (n / (1 << 20)).toFixed(0);
console.log(
  `PUT 1 KiB (${CONCURRENCY} in flight, best of 3): emulator ${emuSmall.toFixed(0)} req/s, raw file server ${rawSmall.toFixed(0)} req/s, ratio ${(emuSmall / rawSmall).toFixed(2)}`,
);
console.log(
  `GET 1 KiB (${CONCURRENCY} in flight, best of 3): emulator ${emuGet.toFixed(0)} req/s, raw file server ${rawGet.toFixed(0)} req/s, ratio ${(emuGet / rawGet).toFixed(2)}`,
);
console.log(
  `PUT ${LARGE_MB} MiB (best of 3): emulator ${emuLarge.toFixed(0)} MiB/s, raw file server ${rawLarge.toFixed(0)} MiB/s, ratio ${(emuLarge / rawLarge).toFixed(2)}`,
);
console.log(
  `PUT ${HUGE_MB} MiB: RSS before ${mb(before)} MiB, peak ${mb(peak)} MiB, growth ${mb(peak - before)} MiB (${(((peak - before) / (HUGE_MB << 20)) * 100).toFixed(1)}% of the object)`,
);

await emulator.close();
raw.close();
await rm(dir, { recursive: true, force: true });
