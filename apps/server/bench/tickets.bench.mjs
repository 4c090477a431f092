// Ticket throughput and latency of /sts-direct-sign under concurrent load, each ticket a real STS call
// to the emulator, against /healthz on the same server as the baseline. Prints ratios; asserts nothing.
// Node reads NODE_EXTRA_CA_CERTS at start, so this script re-runs itself once with the emulator's CA.
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority, startEmulator } from '@cos-direct/emulator';
import { Pool } from 'undici';

if (!process.env.COS_DIRECT_BENCH_CA_DIR) {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-server-bench-ca-'));
  const { caCertPath } = await createCertificateAuthority(caDir);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, COS_DIRECT_BENCH_CA_DIR: caDir, NODE_EXTRA_CA_CERTS: caCertPath },
  });
  process.exit(child.status ?? 1);
}

const { createServer } = await import('../dist/index.js');
const emulator = await startEmulator({ caDir: process.env.COS_DIRECT_BENCH_CA_DIR });
const app = await createServer({
  secretId: emulator.info.credentials.secretId,
  secretKey: emulator.info.credentials.secretKey,
  bucket: emulator.info.buckets[0],
  region: emulator.info.region,
  stsEndpoint: emulator.info.sts.endpoint,
  cosHost: new URL(emulator.info.cos.https).host,
  rateLimit: false,
});
await app.listen({ port: 0, host: '127.0.0.1' });
const origin = `http://127.0.0.1:${app.server.address().port}`;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION = Number(process.env.BENCH_MS ?? 3000);

async function load(path) {
  const pool = new Pool(origin, { connections: CONCURRENCY });
  const latencies = [];
  const end = performance.now() + DURATION;
  let failures = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        const res = await pool.request({ path, method: 'GET' });
        const body = await res.body.json();
        if (res.statusCode !== 200 || (body.code !== undefined && body.code !== 0)) failures++;
        latencies.push(performance.now() - start);
      }
    }),
  );
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { rps: latencies.length / (DURATION / 1000), p50: q(0.5), p99: q(0.99), failures };
}

await load('/healthz');
const base = await load('/healthz');
const tickets = await load('/sts-direct-sign?ext=jpg');
const f = (n) => n.toFixed(1);
console.log(`/healthz: ${base.rps.toFixed(0)} req/s, p50 ${f(base.p50)} ms, p99 ${f(base.p99)} ms`);
console.log(
  `/sts-direct-sign (STS call each, ${CONCURRENCY} in flight): ${tickets.rps.toFixed(0)} tickets/s, p50 ${f(tickets.p50)} ms, p99 ${f(tickets.p99)} ms, failures ${tickets.failures}`,
);
console.log(
  `ratio tickets / healthz: throughput ${(tickets.rps / base.rps).toFixed(3)}, p50 latency ${(tickets.p50 / base.p50).toFixed(1)}x`,
);
await app.close();
await emulator.close();
