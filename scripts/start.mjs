#!/usr/bin/env node
// The README's start command: with no configuration, the emulator (COS + STS), the sign server pointed at
// it, and the demo page. With the seed's variables (COS_SECRET_ID, COS_SECRET_KEY, PERSIST_BUCKET,
// PERSIST_BUCKET_REGION) set, the sign server targets real COS and no emulator starts.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const host = env.COS_DIRECT_HOST ?? '127.0.0.1';
const serverPort = Number(env.PORT ?? 3000);
const webPort = Number(env.WEB_PORT ?? 5173);
const realCos = Boolean(env.COS_SECRET_ID && env.COS_SECRET_KEY && env.PERSIST_BUCKET && env.PERSIST_BUCKET_REGION);

const load = (path) => import(pathToFileURL(join(root, path)).href);
const stops = [];
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const fn of stops.reverse()) await fn().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** COS_EMULATOR_FAULTS as the CLI reads it: a rule, an array of rules or {"rules":[...]}; the emulator validates them. */
function faultsFromEnv(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`COS_EMULATOR_FAULTS is not JSON: ${e.message}`);
  }
  if (Array.isArray(value)) return value;
  return value && typeof value === 'object' && Array.isArray(value.rules) ? value.rules : [value];
}

function fail(message) {
  process.stderr.write(`start: ${message}\n`);
  return stop(1);
}

async function main() {
  const serverEnv = { ...env, PORT: String(serverPort), HOST: host };
  let emulatorLines = [];
  if (!realCos) {
    const { startEmulator, requestPrinter } = await load('packages/emulator/dist/index.js');
    const dataDir = env.COS_EMULATOR_DATA_DIR ?? join(root, '.cos-direct', 'emulator-data');
    await mkdir(dataDir, { recursive: true });
    let emulator;
    try {
      emulator = await startEmulator({
        host,
        httpPort: Number(env.COS_EMULATOR_HTTP_PORT ?? 9000),
        httpsPort: Number(env.COS_EMULATOR_HTTPS_PORT ?? 9443),
        dataDir,
        buckets: ['dev'],
        // COS_EMULATOR_FAULTS: fault rules to start with, e.g. '[{"operation":"PutObject","status":503,"count":2}]'.
        ...(env.COS_EMULATOR_FAULTS ? { faults: faultsFromEnv(env.COS_EMULATOR_FAULTS) } : {}),
      });
    } catch (e) {
      return fail(e.code === 'EADDRINUSE' ? `${e.message}: set COS_EMULATOR_HTTP_PORT / COS_EMULATOR_HTTPS_PORT to free ports` : e.message);
    }
    stops.push(() => emulator.close());
    const info = emulator.info;
    // The live request log: one line per request on stderr (COS_EMULATOR_LOG_FORMAT=json for machines, COS_EMULATOR_QUIET=1 for none).
    if (env.COS_EMULATOR_QUIET !== '1') {
      const print = requestPrinter(
        process.stderr,
        env.COS_EMULATOR_LOG_FORMAT === 'json' ? 'json' : 'human',
        process.stderr.isTTY && !env.NO_COLOR,
      );
      emulator.requests.subscribe((entry) => {
        if (!entry.admin) print(entry);
      });
    }
    Object.assign(serverEnv, {
      COS_SECRET_ID: info.credentials.secretId,
      COS_SECRET_KEY: info.credentials.secretKey,
      PERSIST_BUCKET: info.buckets[0],
      PERSIST_BUCKET_REGION: info.region,
      STS_ENDPOINT: info.sts.endpoint,
      // The page talks plain HTTP to the emulator, so a browser needs no trusted CA; apps that insist on
      // https://cosHost (the seed's Flutter client) can set COS_PROTOCOL=https and trust the CA.
      COS_HOST: new URL((env.COS_PROTOCOL ?? 'http') === 'https' ? info.cos.https : info.cos.http).host,
      COS_PROTOCOL: env.COS_PROTOCOL ?? 'http',
      NODE_EXTRA_CA_CERTS: info.caCertPath,
      ALLOWED_EXTENSIONS: env.ALLOWED_EXTENSIONS ?? 'jpg,jpeg,png,gif,bmp,webp,heic,pdf,txt,md,mp4,mov,zip,bin',
      CORS_ORIGINS: env.CORS_ORIGINS ?? `http://${host}:${webPort},http://localhost:${webPort}`,
      ALLOW_UNAUTHENTICATED: 'true',
      // The demo page links each upload through a presigned GET: the bucket stays private.
      DOWNLOAD_URL_SECONDS: env.DOWNLOAD_URL_SECONDS ?? '3600',
    });
    emulatorLines = [
      `  emulator COS   ${info.cos.http}  (https: ${info.cos.https})`,
      `  emulator STS   ${info.sts.url}`,
      // The bare address sends a browser to the console: a shorter URL than //_emulator/console, which a key cannot shadow.
      `  console        ${info.cos.http}/   (in a browser: objects, live requests, refusals explained)`,
      `  faults         ${info.admin.faults}   (PUT {"rules":[{"operation":"PutObject","status":503,"code":"SlowDown","count":2}]})`,
      `  credentials    ${info.credentials.secretId} / ${info.credentials.secretKey}   bucket ${info.buckets[0]} (${info.region})`,
      `  CA certificate ${info.caCertPath}`,
      `  data           ${dataDir}`,
    ];
  }
  for (const name of Object.keys(serverEnv))
    if (name.startsWith('COS_EMULATOR_') || name === 'WEB_PORT' || name === 'COS_DIRECT_HOST') delete serverEnv[name];

  const server = spawn(process.execPath, [join(root, 'apps/server/dist/cli.js')], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  stops.push(
    () =>
      new Promise((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', resolve);
        server.kill('SIGTERM');
      }),
  );
  const signUrl = `http://${host}:${serverPort}`;
  let serverOut = '';
  const ready = await new Promise((resolve) => {
    server.stdout.on('data', (chunk) => {
      serverOut += chunk;
      if (serverOut.includes('Server listening')) resolve(true);
    });
    server.stderr.on('data', (chunk) => process.stderr.write(chunk));
    server.once('exit', () => resolve(false));
  });
  // Its own stderr (passed through above) says why: a port in use (PORT), a setting it refused.
  if (!ready) return fail(`the sign server did not start on ${signUrl}${serverOut.trim() ? `\n${serverOut}` : ''}`);
  server.stdout.removeAllListeners('data');
  if (env.LOG_LEVEL === 'debug') server.stdout.pipe(process.stderr);
  else {
    // Its warnings and errors (STS unreachable, a ticket refused upstream) belong in this terminal too, in words;
    // lines that came in the same chunk as "Server listening" (a start-up check failing at once) included.
    let pending = serverOut.slice(serverOut.indexOf('\n', serverOut.indexOf('Server listening')) + 1);
    const print = (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        if (!(entry.level >= 40)) continue;
        const detail = entry.sts ?? entry.cos ?? entry.err?.message;
        process.stderr.write(`sign server: ${entry.msg}${detail ? `: ${detail}` : ''}\n`);
      }
    };
    print('');
    server.stdout.on('data', print);
  }
  server.once('exit', (code) => {
    if (!stopping) fail(`the sign server exited (${code})`);
  });

  const { serveWeb } = await load('apps/web/serve.mjs');
  let web;
  try {
    web = await serveWeb({ host, port: webPort, signUrl });
  } catch (e) {
    return fail(e.code === 'EADDRINUSE' ? `port ${webPort} is busy: set WEB_PORT` : e.message);
  }
  stops.push(() => web.close());

  const cli = `node packages/cli/dist/cli.js upload ./photo.jpg --sign-url ${signUrl}`;
  const checks = await readiness(signUrl, serverEnv.STS_ENDPOINT || 'sts.tencentcloudapi.com');
  process.stdout.write(
    [
      '',
      realCos
        ? `cos-direct is up, targeting real COS bucket ${env.PERSIST_BUCKET} (${env.PERSIST_BUCKET_REGION})`
        : 'cos-direct is up, fully offline',
      '',
      `  demo page      ${web.url}`,
      `  sign server    ${signUrl}/sts-direct-sign?ext=jpg`,
      ...checks,
      ...emulatorLines,
      ...exposure(),
      '',
      'Upload from a terminal:',
      `  ${cli}`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

/**
 * The sign server's start-up checks as the banner says them: whether STS issued a key for the configured
 * SecretId, and whether the bucket answered. GET /readyz waits for the checks that are running.
 */
async function readiness(signUrl, stsEndpoint) {
  let report;
  try {
    report = await (await fetch(`${signUrl}/readyz`, { signal: AbortSignal.timeout(30_000) })).json();
  } catch (e) {
    return [`  STS            not checked: ${signUrl}/readyz did not answer (${e.message})`];
  }
  const { sts, bucket } = report.checks ?? {};
  if (!sts || sts.state === 'skipped') return ['  STS            not checked (STARTUP_CHECKS=off)'];
  const line = (label, check, ok) =>
    `  ${label.padEnd(15)}${check.state === 'ok' ? ok : `${check.state === 'pending' ? 'not checked' : 'FAILED'}${check.failure ? ` (${check.failure})` : ''}: ${check.reason}`}`;
  return [
    line('STS', sts, `${stsEndpoint} is reachable and issued a key for COS_SECRET_ID`),
    line('bucket', bucket, 'answers a HEAD with that temporary key'),
    ...(report.ready ? [] : [`  ! not ready: tickets fail until this is fixed; ${signUrl}/readyz says more`]),
  ];
}

/** What a non-loopback COS_DIRECT_HOST opens to the network, said where a developer reads it. */
function exposure() {
  if (host === 'localhost' || host === '::1' || host.startsWith('127.')) return [];
  const auth = env.JWT_SECRET || env.JWKS_URL || env.AUTH_TOKENS;
  return [
    '',
    `  ! listening on ${host}: anyone on this network can reach`,
    `    - the sign server, ${auth ? 'with the tokens you set' : 'which hands out upload tickets to anyone (set JWT_SECRET or AUTH_TOKENS to require sign-in)'}`,
    ...(realCos
      ? []
      : [
          '    - the emulator: COS and STS with the root key above (made for this data dir, not the published default),',
          '      and its console with that key as HTTP Basic credentials',
        ]),
    '    - the demo page',
  ];
}

main().catch((e) => fail(e.stack ?? String(e)));
