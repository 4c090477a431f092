// Restart time and GET Bucket latency at a large object count, each against the same measurement at
// 1,000 objects in the same run (the baseline: what the count itself costs). The data directory is
// filled through the store API, not HTTP. BENCH_OBJECTS (1000000) sets the count. Asserts nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@cos-direct/signer';
import { startEmulator } from '../dist/index.js';
import { openStores } from '../dist/persistence/index.js';
import { memoryMiB, startEmulatorProcess } from './processes.mjs';

const COUNT = Number(process.env.BENCH_OBJECTS ?? 1_000_000);
const BUCKET = 'dev-1250000000';
const host = `${BUCKET}.cos.ap-guangzhou.myqcloud.com`;
const dir = await mkdtemp(join(tmpdir(), 'cos-emulator-restart-'));

async function fill(dataDir, count) {
  const stores = await openStores(dataDir);
  await stores.metadata.putBucket({ name: BUCKET, region: 'ap-guangzhou', created: Date.now(), acl: 'private' });
  const start = performance.now();
  const batch = 10_000;
  for (let i = 0; i < count; i += batch) {
    const writes = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      writes.push(
        stores.metadata.putObject({
          bucket: BUCKET,
          key: `data/${String(j).padStart(8, '0')}.bin`,
          blobId: (j.toString(16) + 'f'.repeat(32)).slice(0, 32),
          size: 1024,
          etag: 'd41d8cd98f00b204e9800998ecf8427e',
          crc64: '0',
          lastModified: Date.now(),
          headers: { 'content-type': 'application/octet-stream' },
          meta: {},
          acl: 'default',
          storageClass: 'STANDARD',
        }),
      );
    }
    await Promise.all(writes);
  }
  const seconds = (performance.now() - start) / 1000;
  await stores.metadata.close();
  await stores.blobs.close();
  return seconds;
}

function send(port, method, path, key, body) {
  const headers = { host, ...(body ? { 'content-length': body.length } : {}) };
  const [pathname, search = ''] = path.split('?');
  const query = Object.fromEntries(new URLSearchParams(search));
  const { authorization } = signRequest({ method, pathname, query, headers }, { credentials: key });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { ...headers, authorization } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode < 300 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Start time, then GET Bucket (1,000 keys) right after each of 20 PUTs of a new key. */
async function measure(dataDir) {
  const start = performance.now();
  const emulator = await startEmulator({ dataDir, httpPort: 0, httpsPort: false, logger: false });
  const startMs = performance.now() - start;
  const port = Number(new URL(emulator.info.cos.http).port);
  const body = Buffer.alloc(1024, 1);
  const lists = [];
  for (let i = 0; i < 20; i++) {
    // A new key inside the listed range, so the page must include it.
    await send(port, 'PUT', `/data/${String(i).padStart(8, '0')}a.bin`, emulator.info.credentials, body);
    const t = performance.now();
    const xml = await send(port, 'GET', '/?prefix=data%2F&max-keys=1000', emulator.info.credentials);
    lists.push(performance.now() - t);
    if ((xml.toString().match(/<Key>/g) ?? []).length !== 1000) throw new Error('GET Bucket did not list 1,000 keys');
  }
  await emulator.close();
  return { startMs, listMs: median(lists) };
}

/**
 * Resident memory of the CLI serving `dataDir` (its own process, so the fill's garbage does not count),
 * after a PUT and a GET Bucket page of 1,000 keys at each of 20 places across the bucket.
 */
async function cliMemory(dataDir, count) {
  const cli = await startEmulatorProcess(dataDir);
  try {
    const body = Buffer.alloc(1024, 1);
    for (let i = 0; i < 20; i++) {
      const at = String(Math.floor((i * count) / 20)).padStart(8, '0');
      await send(cli.port, 'PUT', `/data/${at}b.bin`, cli.ready.credentials, body);
      await send(cli.port, 'GET', `/?prefix=data%2F&max-keys=1000&marker=data%2F${at}.bin`, cli.ready.credentials);
    }
    return await memoryMiB(cli.pid);
  } finally {
    await cli.stop();
  }
}

const smallDir = join(dir, 'small');
const largeDir = join(dir, 'large');
await fill(smallDir, 1000);
const fillSeconds = await fill(largeDir, COUNT);
await measure(smallDir); // warm-up: module loading and JIT must not count against the baseline
const small = await measure(smallDir);
const large = await measure(largeDir);
const smallRss = await cliMemory(smallDir, 1000);
const largeRss = await cliMemory(largeDir, COUNT);

const n = COUNT.toLocaleString('en');
console.log(`fill ${n} objects through the store API: ${fillSeconds.toFixed(1)} s (${(COUNT / fillSeconds).toFixed(0)} records/s)`);
console.log(
  `restart with ${n} objects: ${large.startMs.toFixed(0)} ms, with 1,000: ${small.startMs.toFixed(0)} ms, ratio ${(large.startMs / small.startMs).toFixed(2)}`,
);
console.log(
  `GET Bucket (1,000 keys) right after a PUT, median of 20, at ${n} objects: ${large.listMs.toFixed(1)} ms, at 1,000: ${small.listMs.toFixed(1)} ms, ratio ${(large.listMs / small.listMs).toFixed(2)}`,
);
console.log(
  `RSS of the CLI after 20 PUTs and GET Bucket pages across the bucket, at ${n} objects: ${largeRss.rss.toFixed(0)} MiB (${largeRss.anon.toFixed(0)} MiB anonymous; the rest is mapped files: Node's code, database pages), at 1,000: ${smallRss.rss.toFixed(0)} MiB (${smallRss.anon.toFixed(0)} MiB anonymous)`,
);
await rm(dir, { recursive: true, force: true });
