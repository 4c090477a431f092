#!/usr/bin/env node
// Runs the official browser SDK's own test page (tencentyun/cos-js-sdk-v5, test/index.html with
// test/qunit_test.js, written against real COS) against the emulator in Chromium, with nothing in the
// page changed. The page names its bucket and region itself (test-1250000000 in ap-guangzhou) and asks
// its own origin's /sts for a temporary key, as the SDK's server/sts.js answers it; here a small server
// on loopback serves the checkout and answers /sts from the emulator's STS. Chromium resolves every COS
// domain to the emulator's plain HTTP port (--host-resolver-rules), so requests keep their
// virtual-hosted Host and signature exactly as against COS, and CORS is the browser's own.
//
// Usage (no install needed in the checkout: the page loads the SDK's committed dist/):
//   git clone https://github.com/tencentyun/cos-js-sdk-v5
//   node packages/emulator/conformance/browser-sdk-suite.mjs <path to that checkout> [report.json]
// Prints a summary (passed, failed, and each failure with its title and first failed assertion) and
// writes every test's result, with the emulator's refusals (each saying why), as JSON. CHROMIUM_PATH
// overrides /usr/bin/chromium.
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const [checkout, reportPath = join(process.cwd(), 'browser-sdk-suite.json')] = process.argv.slice(2);
if (!checkout) {
  console.error('usage: browser-sdk-suite.mjs <cos-js-sdk-v5 checkout> [report.json]');
  process.exit(2);
}
const sdkRoot = resolve(checkout);
try {
  await stat(join(sdkRoot, 'test', 'qunit_test.js'));
} catch {
  console.error(`${sdkRoot} has no test/qunit_test.js: pass a checkout of tencentyun/cos-js-sdk-v5`);
  process.exit(2);
}
const { createCertificateAuthority, startEmulator } = await import('../dist/index.js');

// Node reads NODE_EXTRA_CA_CERTS at start, and /sts calls the emulator's STS over HTTPS: make the CA,
// then run again trusting it.
if (!process.env.COS_SDK_SUITE_CA_DIR) {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-browser-suite-ca-'));
  const { caCertPath } = await createCertificateAuthority(caDir);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, COS_SDK_SUITE_CA_DIR: caDir, NODE_EXTRA_CA_CERTS: caCertPath },
  });
  process.exit(child.status ?? 1);
}

const require = createRequire(import.meta.url);
const STS = require('qcloud-cos-sts');
const { chromium } = require('playwright-core');

// The page's own config, which it does not take from outside.
const bucket = 'test-1250000000';
const emulator = await startEmulator({
  caDir: process.env.COS_SDK_SUITE_CA_DIR,
  host: '127.0.0.1',
  httpPort: 0,
  httpsPort: 0,
  region: 'ap-guangzhou',
  buckets: [bucket],
  logger: false,
});
const { secretId, secretKey } = emulator.info.credentials;
const cosPort = new URL(emulator.info.cos.http).port;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
const policy = { version: '2.0', statement: [{ action: ['name/cos:*'], effect: 'allow', resource: ['*'] }] };
const site = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/sts') {
    STS.getCredential(
      { secretId, secretKey, host: emulator.info.sts.endpoint, region: emulator.info.region, durationSeconds: 1800, policy },
      (err, data) =>
        res.writeHead(err ? 500 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(err ? { error: String(err) } : data)),
    );
    return;
  }
  const file = join(sdkRoot, decodeURIComponent(url.pathname));
  if (!file.startsWith(sdkRoot + sep)) return res.writeHead(403).end();
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch {
    return res.writeHead(404).end();
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((r) => site.listen(0, '127.0.0.1', r));
const pageUrl = `http://127.0.0.1:${site.address().port}/test/index.html`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-quic',
    // Everything else (the page's polyfill CDN, the SDK's usage beacon) fails at once, as offline.
    `--host-resolver-rules=MAP *.myqcloud.com 127.0.0.1:${cosPort}, MAP *.tencentcos.cn 127.0.0.1:${cosPort}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
  ],
});
const page = await browser.newPage();
const results = [];
let finish;
const finished = new Promise((r) => (finish = r));
await page.exposeFunction('__suiteTestDone', (t) => {
  results.push(t);
  process.stdout.write(t.failed ? 'F' : '.');
});
await page.exposeFunction('__suiteDone', (d) => finish(d));
// QUnit is a global the page's script tag defines: catch it as it is set, before any test runs, to
// hear each test's end. A test that never calls back would hang the run, so each gets a time limit.
await page.addInitScript(() => {
  let qunit;
  Object.defineProperty(window, 'QUnit', {
    configurable: true,
    get: () => qunit,
    set(q) {
      qunit = q;
      if (!q?.testDone) return;
      q.config.testTimeout = 120000;
      const failures = [];
      q.log((a) => {
        if (!a.result) failures.push({ message: a.message, actual: a.actual, expected: a.expected, source: a.source });
      });
      q.testDone((t) => {
        window.__suiteTestDone({
          module: t.module,
          name: t.name,
          passed: t.passed,
          failed: t.failed,
          total: t.total,
          runtime: t.runtime,
          failures: failures.splice(0),
        });
      });
      q.done((d) => window.__suiteDone(d));
    },
  });
});
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
await page.goto(pageUrl);
const details = await Promise.race([finished, new Promise((r) => setTimeout(() => r(undefined), 30 * 60 * 1000))]);
process.stdout.write('\n');
await browser.close();
site.close();
const refusals = emulator.refusals(200);
await emulator.close();

await writeFile(reportPath, JSON.stringify({ details, results, pageErrors, refusals }, null, 2));
const failed = results.filter((t) => t.failed > 0);
console.log(
  `${results.length - failed.length} passed, ${failed.length} failed of ${results.length} tests` +
    `${details ? '' : ' (the run did not finish in 30 minutes)'} (report: ${reportPath})`,
);
for (const t of failed) {
  const first = t.failures[0];
  const why = first ? `${first.message ?? ''} ${first.actual !== undefined ? `(actual ${JSON.stringify(first.actual)})` : ''}` : '';
  console.log(`- ${t.name}: ${why.replace(/\s+/g, ' ').trim().slice(0, 200)}`);
}
if (pageErrors.length) console.log(`uncaught page errors:\n${pageErrors.map((e) => `  ${e}`).join('\n')}`);
process.exit(0);
