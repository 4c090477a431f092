// Ticket throughput and latency of /sts-direct-sign under concurrent load (100 connections by default),
// in both key modes: shared keys (one STS call per policy shape and key lifetime) and per-ticket keys
// (one real STS call to the emulator per ticket), against /healthz as the baseline. Asserts nothing.
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
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const DURATION = Number(process.env.BENCH_MS ?? 3000);

async function serve(ticketKeys) {
  const app = await createServer({
    secretId: emulator.info.credentials.secretId,
    secretKey: emulator.info.credentials.secretKey,
    bucket: emulator.info.buckets[0],
    region: emulator.info.region,
    stsEndpoint: emulator.info.sts.endpoint,
    cosHost: new URL(emulator.info.cos.https).host,
    rateLimit: false,
    ticketKeys,
    // Let the per-ticket mode queue rather than refuse: the point is its throughput, not the 503s.
    stsConcurrency: CONCURRENCY,
    stsQueueLimit: CONCURRENCY,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, origin: `http://127.0.0.1:${app.server.address().port}` };
}

async function load(origin, path) {
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

const f = (n) => n.toFixed(1);
const line = (name, r) =>
  `${name}: ${r.rps.toFixed(0)} req/s, p50 ${f(r.p50)} ms, p99 ${f(r.p99)} ms${r.failures ? `, failures ${r.failures}` : ''}`;
console.log(`${CONCURRENCY} connections, ${DURATION} ms per run`);
const results = {};
for (const mode of ['shared', 'per-ticket']) {
  const { app, origin } = await serve(mode);
  await load(origin, '/healthz');
  if (mode === 'shared') console.log(line('/healthz', await load(origin, '/healthz')));
  await load(origin, '/sts-direct-sign?ext=jpg');
  results[mode] = await load(origin, '/sts-direct-sign?ext=jpg');
  console.log(line(`/sts-direct-sign, ${mode} keys`, results[mode]));
  await app.close();
}
console.log(
  `shared / per-ticket: throughput ${(results.shared.rps / results['per-ticket'].rps).toFixed(1)}x, ` +
    `p50 latency ${(results['per-ticket'].p50 / results.shared.p50).toFixed(1)}x lower, p99 ${(results['per-ticket'].p99 / results.shared.p99).toFixed(1)}x lower`,
);
await emulator.close();
