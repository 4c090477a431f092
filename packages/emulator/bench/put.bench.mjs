// PUT and GET throughput of the emulator's CLI against a raw Node file server (the limit: stream a body to
// a file, a file back), and the emulator's memory while a 1 GiB object streams in. Each server runs in a
// process of its own and this process is the load generator, as a test suite is to the emulator. The two
// servers are measured in pairs, back to back and in alternating order, and each figure is the median of
// the pairs' ratios: a machine's load and disk writeback drift within seconds, and a pair sees the same
// drift on both sides. Requests are signed before a round starts, so the client's share stays small.
// BENCH_LARGE_MB (256), BENCH_HUGE_MB (1024) and BENCH_PAIRS (9) scale it. Prints ratios; asserts nothing.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@cos-direct/signer';
import { cpuMs, memoryMiB, startEmulatorProcess, startRawFileServer } from './processes.mjs';

const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 256);
const HUGE_MB = Number(process.env.BENCH_HUGE_MB ?? 1024);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 9);
const CONCURRENCY = 16;
const SMALL_COUNT = 2000;
const host = 'dev-1250000000.cos.ap-guangzhou.myqcloud.com';
const chunk = Buffer.alloc(1 << 20, 7);
const smallBody = chunk.subarray(0, 1024);
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

const dir = await mkdtemp(join(tmpdir(), 'cos-emulator-bench-'));
await mkdir(join(dir, 'raw'));
const raw = await startRawFileServer(join(dir, 'raw'));
const emulator = await startEmulatorProcess(join(dir, 'data'));
const credentials = emulator.ready.credentials;

function signed(method, key, size) {
  const headers = { host, ...(size === undefined ? {} : { 'content-length': size }) };
  return { ...headers, authorization: signRequest({ method, pathname: `/${key}`, headers }, { credentials }).authorization };
}

function send(port, method, key, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/${key}`, method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${method} /${key}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    if (!body || body.length <= chunk.length) return req.end(body);
    let sent = 0;
    const pump = () => {
      while (sent < body.length) {
        const n = Math.min(chunk.length, body.length - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** Requests per second of `requests`, `CONCURRENCY` in flight, and the server's CPU time per request (µs). */
async function rate(server, requests) {
  let next = 0;
  const cpuBefore = await cpuMs(server.pid);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const { method, key, headers, body } = requests[next++];
        await send(server.port, method, key, headers, body);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { rate: requests.length / seconds, cpu: (((await cpuMs(server.pid)) - cpuBefore) * 1000) / requests.length };
}

let round = 0;
const smallPuts = () => {
  const r = round++;
  return Array.from({ length: SMALL_COUNT }, (_, i) => {
    const key = `small/${r}-${i}.bin`;
    return { method: 'PUT', key, headers: signed('PUT', key, 1024), body: smallBody };
  });
};
const GET_KEY = 'small/read.bin';
const smallGets = () => {
  const headers = signed('GET', GET_KEY);
  return Array.from({ length: SMALL_COUNT }, () => ({ method: 'GET', key: GET_KEY, headers }));
};
// A stand-in body of the size: send() streams the shared chunk, so no large buffer is held.
const largePut = () => {
  const key = `large/${round++}.bin`;
  return [{ method: 'PUT', key, headers: signed('PUT', key, LARGE_MB << 20), body: { length: LARGE_MB << 20 } }];
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `pairs` back-to-back measurements of both servers, alternating which goes first: the medians of the
 * emulator's and the raw server's figures and of the pairs' throughput ratios, and the ratio of the raw
 * server's CPU time per request to the emulator's (steadier than throughput on a busy machine).
 */
async function compare(make, pairs, scale = 1) {
  const emu = [];
  const base = [];
  const ratios = [];
  const cpuRatios = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [raw, emulator] : [emulator, raw];
    const got = new Map();
    for (const server of order) got.set(server, await rate(server, make()));
    const e = got.get(emulator);
    const r = got.get(raw);
    emu.push(e.rate * scale);
    base.push(r.rate * scale);
    ratios.push(e.rate / r.rate);
    cpuRatios.push(r.cpu / e.cpu);
  }
  return {
    emu: median(emu),
    base: median(base),
    ratio: median(ratios),
    low: Math.min(...ratios),
    high: Math.max(...ratios),
    cpu: median(cpuRatios),
  };
}

// Warm-up of both servers (JIT, the first files and database pages), not counted. The raw server's GET
// reads the first file it wrote.
await compare(smallPuts, 2);
await send(emulator.port, 'PUT', GET_KEY, signed('PUT', GET_KEY, 1024), smallBody);
const puts = await compare(smallPuts, PAIRS);
const gets = await compare(smallGets, PAIRS);
const large = await compare(largePut, Math.max(3, Math.ceil(PAIRS / 2)), LARGE_MB);

const before = (await memoryMiB(emulator.pid)).rss;
let peak = before;
const sampler = setInterval(async () => (peak = Math.max(peak, (await memoryMiB(emulator.pid)).rss)), 20);
const hugeKey = 'huge.bin';
await send(emulator.port, 'PUT', hugeKey, signed('PUT', hugeKey, HUGE_MB << 20), { length: HUGE_MB << 20 });
clearInterval(sampler);

const spread = (c) =>
  `ratio ${c.ratio.toFixed(2)} (pairs from ${c.low.toFixed(2)} to ${c.high.toFixed(2)}); CPU per request, raw over emulator: ${c.cpu.toFixed(2)}`;
console.log(
  `PUT 1 KiB (${CONCURRENCY} in flight, median of ${PAIRS} pairs): emulator ${puts.emu.toFixed(0)} req/s, raw file server ${puts.base.toFixed(0)} req/s, ${spread(puts)}`,
);
console.log(
  `GET 1 KiB (${CONCURRENCY} in flight, median of ${PAIRS} pairs): emulator ${gets.emu.toFixed(0)} req/s, raw file server ${gets.base.toFixed(0)} req/s, ${spread(gets)}`,
);
console.log(
  `PUT ${LARGE_MB} MiB: emulator ${large.emu.toFixed(0)} MiB/s, raw file server ${large.base.toFixed(0)} MiB/s, ${spread(large)}`,
);
console.log(
  `PUT ${HUGE_MB} MiB: emulator RSS before ${before.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, growth ${(peak - before).toFixed(0)} MiB (${(((peak - before) / HUGE_MB) * 100).toFixed(1)}% of the object)`,
);

agent.destroy();
await Promise.all([emulator.stop(), raw.stop()]);
await rm(dir, { recursive: true, force: true });
