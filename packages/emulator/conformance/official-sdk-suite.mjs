#!/usr/bin/env node
// Runs the official Node SDK's own test suite (tencentyun/cos-nodejs-sdk-v5, test/test.js, written
// against real COS) against the emulator, with nothing in the suite changed: the suite's COS domains
// resolve to loopback (conformance/resolve-cos-to-loopback.cjs), the emulator serves HTTPS on 443 and
// HTTP on 80 with its CA trusted, and a small STS endpoint answers the suite's /sts and /uploadSign.
//
// Usage (ports 80 and 443 must be free and bindable, e.g. as root):
//   git clone https://github.com/tencentyun/cos-nodejs-sdk-v5 && (cd cos-nodejs-sdk-v5 && npm install)
//   node packages/emulator/conformance/official-sdk-suite.mjs <path to that checkout> [report.json]
// Prints a summary (passed, failed, and each failure with its title and message) and writes mocha's JSON
// report. Some tests need Tencent's own fixtures (buckets such as cos-sdk-err-retry-*, other accounts)
// or the internet; the emulator README lists them.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [checkout, reportPath = join(process.cwd(), 'official-sdk-suite.json')] = process.argv.slice(2);
if (!checkout) {
  console.error('usage: official-sdk-suite.mjs <cos-nodejs-sdk-v5 checkout> [report.json]');
  process.exit(2);
}
const sdkRoot = resolve(checkout);
const here = fileURLToPath(new URL('.', import.meta.url));
const { createCertificateAuthority, startEmulator } = await import('../dist/index.js');

// Node reads NODE_EXTRA_CA_CERTS at start, and this process calls the emulator's STS over HTTPS: it
// makes the CA, then runs again trusting it.
if (!process.env.COS_SDK_SUITE_CA_DIR) {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-sdk-suite-ca-'));
  const { caCertPath } = await createCertificateAuthority(caDir);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, COS_SDK_SUITE_CA_DIR: caDir, NODE_EXTRA_CA_CERTS: caCertPath },
  });
  process.exit(child.status ?? 1);
}
const caDir = process.env.COS_SDK_SUITE_CA_DIR;
const bucket = 'sdksuite-1250000000';
const emulator = await startEmulator({
  caDir,
  host: '127.0.0.1',
  httpPort: 80,
  httpsPort: 443,
  buckets: [bucket],
  hostnames: ['service.cos.myqcloud.com'],
  logger: false,
});
const { secretId, secretKey } = emulator.info.credentials;

// The suite's STS server: a temporary key for the whole bucket from the emulator's STS, via the SDK's own
// STS package, and a signed PutObject for /uploadSign.
const require = createRequire(join(sdkRoot, 'package.json'));
const STS = require('qcloud-cos-sts');
const COS = require(sdkRoot);
const policy = { version: '2.0', statement: [{ action: ['name/cos:*'], effect: 'allow', resource: ['*'] }] };
const sts = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const send = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (url.pathname === '/sts') {
    STS.getCredential(
      { secretId, secretKey, host: emulator.info.sts.endpoint, region: emulator.info.region, durationSeconds: 1800, policy },
      (err, data) => (err ? send(500, { error: String(err) }) : send(200, data)),
    );
  } else if (url.pathname === '/uploadSign') {
    const key = url.searchParams.get('key') ?? '1.txt';
    send(200, {
      signMap: { PutObject: COS.getAuthorization({ SecretId: secretId, SecretKey: secretKey, Method: 'put', Key: key, Expires: 900 }) },
    });
  } else {
    send(404, {});
  }
});
await new Promise((r) => sts.listen(0, '127.0.0.1', r));

const env = {
  ...process.env,
  SecretId: secretId,
  SecretKey: secretKey,
  Bucket: bucket,
  Region: emulator.info.region,
  Uin: emulator.info.appId,
  nodejssdkStsUrl: `http://127.0.0.1:${sts.address().port}`,
  NODE_EXTRA_CA_CERTS: emulator.info.caCertPath,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(here, 'resolve-cos-to-loopback.cjs')}`.trim(),
};
const mocha = spawn(
  process.execPath,
  [join(sdkRoot, 'node_modules', 'mocha', 'bin', '_mocha'), 'test/test.js', '--reporter', 'json', '--timeout', '30000'],
  {
    cwd: sdkRoot,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let out = '';
mocha.stdout.on('data', (d) => (out += d));
await new Promise((r) => mocha.on('close', r));
sts.close();
await emulator.close();

// The suite prints its own lines on stdout before the JSON report.
const start = out.indexOf('{\n  "stats"');
if (start < 0) {
  console.error('the suite produced no report; its output:\n', out.slice(-4000));
  process.exit(1);
}
const report = JSON.parse(out.slice(start));
await writeFile(reportPath, JSON.stringify(report, null, 2));
console.log(`${report.stats.passes} passed, ${report.stats.failures} failed of ${report.stats.tests} (report: ${reportPath})`);
for (const f of report.failures) console.log(`- ${f.fullTitle}: ${(f.err.message ?? '').split('\n')[0].slice(0, 160)}`);
// The report is out: exit without waiting for what the suite left open, which otherwise keeps this
// process (and the parent waiting for it) alive.
process.exit(0);
