// Processing on download: a 400 px thumbnail of a 12-megapixel JPEG through the emulator's CLI
// (GET ?imageMogr2/thumbnail/400x) against sharp called directly in this process on the same bytes, the
// least any emulator built on sharp can cost. Requests per second and p99 latency with 8 in flight, measured
// in pairs, back to back, alternating which goes first (the figure is the median of the pairs' ratios, as
// in put.bench.mjs); then the emulator's peak resident memory while 16 such requests are in flight.
// BENCH_IMAGE_PAIRS (3) and BENCH_IMAGE_REQUESTS (24 per measurement) scale it. Prints figures; asserts nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@cos-direct/signer';
import sharp from 'sharp';
import { memoryMiB, startEmulatorProcess } from './processes.mjs';

const PAIRS = Number(process.env.BENCH_IMAGE_PAIRS ?? 3);
const REQUESTS = Number(process.env.BENCH_IMAGE_REQUESTS ?? 24);
const IN_FLIGHT = 8;
const PEAK_IN_FLIGHT = 16;
const RULE = 'imageMogr2/thumbnail/400x';
const KEY = 'photos/12mp.jpg';
const host = 'dev-1250000000.cos.ap-guangzhou.myqcloud.com';
const agent = new Agent({ keepAlive: true, maxSockets: PEAK_IN_FLIGHT });

// A photo-like 4000×3000 JPEG: noise over a gradient, so it neither compresses to nothing nor is all noise.
const gradient = Buffer.alloc(4000 * 3000 * 3);
for (let i = 0; i < gradient.length; i += 3) {
  const x = (i / 3) % 4000;
  gradient[i] = (x * 255) / 4000;
  gradient[i + 1] = 140;
  gradient[i + 2] = 255 - gradient[i];
}
const noise = await sharp({ create: { width: 4000, height: 3000, channels: 3, noise: { type: 'gaussian', mean: 0, sigma: 18 } } })
  .raw()
  .toBuffer();
for (let i = 0; i < gradient.length; i++) gradient[i] = Math.min(255, gradient[i] + noise[i] - 9);
const photo = await sharp(gradient, { raw: { width: 4000, height: 3000, channels: 3 } })
  .jpeg({ quality: 85 })
  .toBuffer();

const dir = await mkdtemp(join(tmpdir(), 'cos-emulator-image-bench-'));
const emulator = await startEmulatorProcess(join(dir, 'data'));
const credentials = emulator.ready.credentials;

function send(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: emulator.port, path, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const putHeaders = { host, 'content-length': String(photo.length), 'content-type': 'image/jpeg' };
const put = signRequest({ method: 'PUT', pathname: `/${KEY}`, headers: putHeaders }, { credentials });
await send('PUT', `/${KEY}`, { ...putHeaders, authorization: put.authorization }, photo);
const idle = (await memoryMiB(emulator.pid)).rss;

// Signed once, before any round: the client's share of a request stays small.
const getHeaders = { host };
const get = signRequest({ method: 'GET', pathname: `/${KEY}`, query: { [RULE]: '' }, headers: getHeaders }, { credentials });
const viaEmulator = async () => {
  const body = await send('GET', `/${KEY}?${RULE}`, { ...getHeaders, authorization: get.authorization });
  return body.length;
};
const direct = async () => (await sharp(photo).resize({ width: 400 }).jpeg().toBuffer()).length;

/** `count` calls of `one`, `inFlight` at a time: calls per second and the 99th percentile latency (ms). */
async function rate(one, count, inFlight) {
  let next = 0;
  const times = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < count) {
        const t0 = performance.now();
        await one();
        times.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  return { rate: count / seconds, p99: times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)] };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm-up, not counted: the first decode loads libvips' JPEG code in both processes.
await rate(viaEmulator, IN_FLIGHT, IN_FLIGHT);
await rate(direct, IN_FLIGHT, IN_FLIGHT);
const got = { emu: [], sharp: [], ratio: [], p99: [], p99Sharp: [] };
for (let i = 0; i < PAIRS; i++) {
  const order = i % 2 === 0 ? ['sharp', 'emu'] : ['emu', 'sharp'];
  const pair = {};
  for (const side of order) pair[side] = await rate(side === 'emu' ? viaEmulator : direct, REQUESTS, IN_FLIGHT);
  got.emu.push(pair.emu.rate);
  got.sharp.push(pair.sharp.rate);
  got.ratio.push(pair.emu.rate / pair.sharp.rate);
  got.p99.push(pair.emu.p99);
  got.p99Sharp.push(pair.sharp.p99);
}

const before = (await memoryMiB(emulator.pid)).rss;
let peak = before;
const sampler = setInterval(async () => (peak = Math.max(peak, (await memoryMiB(emulator.pid)).rss)), 20);
await rate(viaEmulator, PEAK_IN_FLIGHT * 2, PEAK_IN_FLIGHT);
clearInterval(sampler);

const mb = (photo.length / 1024 / 1024).toFixed(1);
console.log(
  `thumbnail 400 px of a 12 MP JPEG (${mb} MiB), ${IN_FLIGHT} in flight, median of ${PAIRS} pairs: emulator ${median(got.emu).toFixed(2)} req/s ` +
    `(p99 ${median(got.p99).toFixed(0)} ms), sharp directly ${median(got.sharp).toFixed(2)} ops/s (p99 ${median(got.p99Sharp).toFixed(0)} ms), ` +
    `ratio ${median(got.ratio).toFixed(2)} (pairs from ${Math.min(...got.ratio).toFixed(2)} to ${Math.max(...got.ratio).toFixed(2)})`,
);
console.log(
  `thumbnail, ${PEAK_IN_FLIGHT} in flight: emulator RSS ${idle.toFixed(0)} MiB before any processing, ${before.toFixed(0)} MiB after the pairs, ` +
    `peak ${peak.toFixed(0)} MiB (${(peak - idle).toFixed(0)} MiB over the unprocessed emulator)`,
);

agent.destroy();
await emulator.stop();
await rm(dir, { recursive: true, force: true });
