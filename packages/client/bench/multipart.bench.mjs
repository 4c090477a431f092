// A large multipart upload with @cos-direct/client against cos-nodejs-sdk-v5's sliceUploadFile, to the
// same emulator in the same run, each in its own child process so their peak memory can be compared.
// Prints times, throughput, peak RSS and ratios; asserts nothing. BENCH_MB sets the file size (256).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@cos-direct/emulator';

const MB = Number(process.env.BENCH_MB ?? 256);
const PART = 8 * 1024 * 1024;
const CONCURRENCY = 4;

if (process.argv[2] === 'child') {
  const [, , , mode, file, target] = process.argv;
  const t = JSON.parse(target);
  const start = performance.now();
  if (mode === 'ours') {
    const { upload } = await import('../dist/node.js');
    await upload(file, {
      getMultipartTicket: async () => t.ticket,
      getTicket: async () => {
        throw new Error('unused');
      },
      partSize: PART,
      concurrency: CONCURRENCY,
      resume: false,
    });
  } else {
    const { default: COS } = await import('cos-nodejs-sdk-v5');
    const cos = new COS({
      SecretId: t.ticket.credentials.tmpSecretId,
      SecretKey: t.ticket.credentials.tmpSecretKey,
      SecurityToken: t.ticket.credentials.sessionToken,
      Protocol: 'http:',
      Ip: t.ip,
    });
    await new Promise((resolve, reject) =>
      cos.sliceUploadFile(
        {
          Bucket: t.bucket,
          Region: t.region,
          Key: `${t.ticket.cosKey}.sdk`,
          FilePath: file,
          ChunkSize: PART,
          ChunkParallelLimit: CONCURRENCY,
        },
        (e, d) => (e ? reject(e) : resolve(d)),
      ),
    );
  }
  process.stdout.write(JSON.stringify({ ms: performance.now() - start, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), 'cos-client-bench-'));
const file = join(dir, 'big.bin');
await new Promise((resolve) => {
  const out = createWriteStream(file);
  const chunk = Buffer.alloc(1 << 20, 3);
  let i = 0;
  const write = () => {
    while (i < MB) {
      i++;
      if (!out.write(chunk)) return out.once('drain', write);
    }
    out.end(resolve);
  };
  write();
});

const emulator = await startEmulator({ dataDir: join(dir, 'data'), httpsPort: false });
const ip = new URL(emulator.info.cos.http).host;
// Both sides use the same key; getting tickets from a sign server is not part of the measurement.
const credentials = {
  tmpSecretId: emulator.info.credentials.secretId,
  tmpSecretKey: emulator.info.credentials.secretKey,
  sessionToken: '',
};

function run(mode, n) {
  const key = `bench/${mode}-${n}.bin`;
  const ticket = {
    cosHost: ip,
    cosKey: key,
    cosUrl: `http://${ip}/${key}`,
    credentials,
    expiredTime: Math.floor(Date.now() / 1000) + 3600,
  };
  const target = JSON.stringify({ ticket, ip, bucket: emulator.info.buckets[0], region: emulator.info.region });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child', mode, file, target], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${mode} exited ${code}`))));
  });
}

const results = { ours: [], sdk: [] };
for (let round = 0; round < 2; round++) {
  results.sdk.push(await run('sdk', round));
  results.ours.push(await run('ours', round));
}
const best = (list) => list.reduce((a, b) => (a.ms < b.ms ? a : b));
const o = best(results.ours);
const s = best(results.sdk);
const rate = (r) => (MB / (r.ms / 1000)).toFixed(0);
console.log(`multipart ${MB} MiB, ${PART >> 20} MiB parts, ${CONCURRENCY} in flight (best of 2):`);
console.log(`  @cos-direct/client      ${(o.ms / 1000).toFixed(2)} s, ${rate(o)} MiB/s, peak RSS ${(o.maxRssKiB / 1024).toFixed(0)} MiB`);
console.log(`  cos-nodejs-sdk-v5       ${(s.ms / 1000).toFixed(2)} s, ${rate(s)} MiB/s, peak RSS ${(s.maxRssKiB / 1024).toFixed(0)} MiB`);
console.log(`ratio client / SDK: speed ${(s.ms / o.ms).toFixed(2)}x, peak memory ${(o.maxRssKiB / s.maxRssKiB).toFixed(2)}x`);
await emulator.close();
await rm(dir, { recursive: true, force: true });
