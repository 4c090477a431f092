#!/usr/bin/env node
// Runs the official Python SDK's own test suite (tencentyun/cos-python-sdk-v5, ut/test.py, written
// against real COS) against the emulator with Debian's python3, with nothing in the suite changed: the
// SDK is imported from the checkout, the suite's settings come from the environment variables it reads,
// its COS domains reach the emulator through python-sdk-suite-driver.py, and requests trusts the
// emulator's CA (REQUESTS_CA_BUNDLE).
//
// Usage (Debian: apt-get install python3-requests python3-six python3-xmltodict python3-crcmod
// python3-pycryptodome; scripts/system-deps.sh installs them):
//   git clone https://github.com/tencentyun/cos-python-sdk-v5
//   node packages/emulator/conformance/python-sdk-suite.mjs <path to that checkout> [report.json]
// Prints a summary (passed, failed, and each failure with its test and error) and writes every test's
// result, with the emulator's refusals (each saying why), as JSON. The suite's own switches are set as a
// run without Tencent's fixtures needs them: TEST_CI=false (its Cloud Infinite tests return at once),
// TRAVIS_FLAG=true (5 MB files, not 128 MB). COS_SUITE_ONLY=test_a,test_b runs only those tests (after
// the suite's setUp), COS_SUITE_TEST_TIMEOUT the seconds each may take (300).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [checkout, reportPath = join(process.cwd(), 'python-sdk-suite.json')] = process.argv.slice(2);
if (!checkout) {
  console.error('usage: python-sdk-suite.mjs <cos-python-sdk-v5 checkout> [report.json]');
  process.exit(2);
}
const sdkRoot = resolve(checkout);
try {
  await stat(join(sdkRoot, 'ut', 'test.py'));
} catch {
  console.error(`${sdkRoot} has no ut/test.py: pass a checkout of tencentyun/cos-python-sdk-v5`);
  process.exit(2);
}
// Debian's own interpreter, by path: a pyenv or venv python earlier on PATH lacks the Debian packages.
const python = process.env.PYTHON ?? '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'cos-python-suite-'));

// The SDK imports pycryptodome as `Crypto`; Debian installs the same library as `Cryptodome` only.
const shim = join(work, 'shim');
await mkdir(shim);
const probe = (code) => spawnSync(python, ['-c', code], { encoding: 'utf8' });
if (probe('import Crypto.Cipher.AES').status !== 0) {
  const found = probe('import Cryptodome, os; print(os.path.dirname(Cryptodome.__file__))');
  if (found.status !== 0) {
    console.error(`${python} has neither Crypto nor Cryptodome: apt-get install python3-pycryptodome`);
    process.exit(1);
  }
  await symlink(found.stdout.trim(), join(shim, 'Crypto'));
}
const missing = probe('import requests, six, xmltodict, crcmod');
if (missing.status !== 0) {
  console.error(`${python} lacks the SDK's dependencies (${missing.stderr.trim().split('\n').pop()}):`);
  console.error('apt-get install python3-requests python3-six python3-xmltodict python3-crcmod python3-pycryptodome');
  process.exit(1);
}

const { startEmulator } = await import('../dist/index.js');
const region = 'ap-guangzhou';
const emulator = await startEmulator({
  caDir: join(work, 'ca'),
  host: '127.0.0.1',
  httpPort: 0,
  httpsPort: 0,
  region,
  logger: false,
});
const { secretId, secretKey } = emulator.info.credentials;
const cwd = join(work, 'cwd');
await mkdir(cwd);
const resultsPath = join(work, 'results.jsonl');
const logPath = join(work, 'suite.log');
const env = {
  ...process.env,
  PYTHONPATH: [sdkRoot, shim].join(':'),
  PYTHONDONTWRITEBYTECODE: '1',
  REQUESTS_CA_BUNDLE: emulator.info.caCertPath,
  COS_EMULATOR_HTTP_PORT: new URL(emulator.info.cos.http).port,
  COS_EMULATOR_HTTPS_PORT: new URL(emulator.info.cos.https).port,
  COS_SECRET_ID: secretId,
  COS_SECRET_KEY: secretKey,
  COS_REGION: region,
  COS_APPID: emulator.info.appId,
  TRAVIS_FLAG: 'true',
  TEST_CI: 'false',
  USE_CREDENTIAL_INST: 'false',
  // Tencent's failure-injecting server: nothing listens on port 1, so its tests fail as unreachable.
  ERR_HOST: '127.0.0.1:1',
  // COS Vectors is another service with buckets of its own; the suite needs the names set to load.
  COS_VECTORS_BUCKET: 'vectors-none',
  COS_VECTORS_BUCKET_FOR_CREATE_DELETE: 'vectors-none-tmp',
  COS_VECTORS_APPID: emulator.info.appId,
  COS_VECTORS_SECRET_ID: secretId,
  COS_VECTORS_SECRET_KEY: secretKey,
  COS_VECTORS_REGION: region,
  COS_VECTORS_USE_IP: 'false',
};
const log = createWriteStream(logPath);
const child = spawn(python, [join(here, 'python-sdk-suite-driver.py'), sdkRoot, resultsPath], {
  cwd,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
child.stdout.pipe(log);
child.stderr.on('data', (d) => {
  // The driver writes one character per test on stderr; the suite's own noise goes to the log.
  const s = d.toString();
  if (/^[.F\n]+$/.test(s)) process.stdout.write(s);
  else log.write(s);
});
await new Promise((r) => child.on('close', r));
const refusals = emulator.refusals(200);
await emulator.close();

const results = (await readFile(resultsPath, 'utf8').catch(() => ''))
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
await writeFile(reportPath, JSON.stringify({ results, refusals }, null, 2));
const failed = results.filter((r) => r.outcome !== 'passed');
console.log(
  `${results.length - failed.length} passed, ${failed.length} failed of ${results.length} (setUp and tearDown included; report: ${reportPath}, suite output: ${logPath})`,
);
for (const f of failed) console.log(`- ${f.name}: ${f.error.replace(/\s+/g, ' ').slice(0, 220)}`);
process.exit(0);
