#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isLoopbackAddress } from './root-key.js';
import { DEFAULT_CREDENTIALS, DEFAULT_REGION, EmulatorConfigError, type EmulatorOptions, sourcesOf } from './config/index.js';
import { requestPrinter, type RequestLogFormat } from './diagnostics/format.js';
import { normalizeRuleInput, type FaultRuleInput } from './faults/rules.js';
import { startEmulator } from './server.js';

const HELP = `cos-emulator: an offline Tencent Cloud COS + STS emulator

Usage: cos-emulator [options]

Options (each also read from the environment variable shown):
  --host <addr>          listen address                   COS_EMULATOR_HOST       (127.0.0.1)
  --http-port <n>        COS over HTTP                    COS_EMULATOR_HTTP_PORT  (9000)
  --https-port <n>       COS and STS over HTTPS           COS_EMULATOR_HTTPS_PORT (9443)
  --no-https             serve plain HTTP only            COS_EMULATOR_NO_HTTPS=1
  --data-dir <path>      keep data here across restarts   COS_EMULATOR_DATA_DIR   (in memory)
  --in-memory            keep nothing on disk             COS_EMULATOR_IN_MEMORY=1
  --fsync                flush every write to the disk    COS_EMULATOR_FSYNC=1
                         before acknowledging it (survives power loss)
  --ca-dir <path>        CA location without a data dir   COS_EMULATOR_CA_DIR     (~/.cache/cos-direct/emulator-ca)
  --region <region>                                       COS_EMULATOR_REGION     (${DEFAULT_REGION})
  --app-id <digits>                                       COS_EMULATOR_APP_ID     (${DEFAULT_CREDENTIALS.appId})
  --secret-id <id>       root SecretId                    COS_EMULATOR_SECRET_ID  (${DEFAULT_CREDENTIALS.secretId})
  --secret-key <key>     root SecretKey                   COS_EMULATOR_SECRET_KEY (${DEFAULT_CREDENTIALS.secretKey})
  --bucket <name>        bucket to create (repeatable;    COS_EMULATOR_BUCKETS    (dev)
                         comma list in the env var)
  --hostname <name>      extra TLS certificate name       COS_EMULATOR_HOSTNAMES
  --tls-cert <path>      your own HTTPS certificate (PEM) COS_EMULATOR_TLS_CERT   (issued by the emulator's CA)
  --tls-key <path>       its private key (PEM)            COS_EMULATOR_TLS_KEY
  --no-dev-cors          don't give new buckets the permissive development CORS rule
  --path-style           serve /<bucket>-<appid>/<key>    COS_EMULATOR_PATH_STYLE=1
                         (COS refuses it for buckets created since 2024)
  --loose                accept unimplemented headers     COS_EMULATOR_LOOSE=1
                         with a warning (default: 501 naming them)
  --request-timeout <ms> limit on a whole request         COS_EMULATOR_REQUEST_TIMEOUT_MS   (none)
  --body-idle-timeout <ms>
                         limit on silence in a body       COS_EMULATOR_BODY_IDLE_TIMEOUT_MS (60000)
  --fault <json>         a fault rule to start with       COS_EMULATOR_FAULTS (a JSON array)
                         (repeatable), e.g. '{"operation":"PutObject","status":503,"code":"SlowDown","count":2}'
  --log-format <f>       the request log on stderr:       COS_EMULATOR_LOG_FORMAT (human)
                         human (one line per request, in colour on a terminal) or json
  --quiet                no request log on stderr
  -h, --help             this help

On start, one JSON line goes to stdout: {"event":"ready","cos":{...},"sts":{...},"credentials":{...},"admin":{...},...}.
The request log goes to stderr. The console is at http://<host>:<http port>//_emulator/console, fault rules at
//_emulator/faults (GET lists, PUT {"rules":[...]} replaces, DELETE clears). SIGINT or SIGTERM stops the emulator.`;

function fail(message: string): never {
  process.stderr.write(`cos-emulator: ${message}\n\n${HELP}\n`);
  process.exit(2);
}

// Numbers stay text when they are not digits, so the options' schema refuses them with the others.
function number(value: string | undefined): number | string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value) : value;
}

/** Each problem with the flag and variable that set its option, so the fix is plain from the command line. */
function explain(error: EmulatorConfigError): string {
  const lines = error.issues.map((issue) => {
    const { flag, env } = issue.option ? sourcesOf(issue.option) : {};
    const via = [flag, env].filter(Boolean).join(', ');
    return via ? `${issue.message} (${via})` : issue.message;
  });
  return `invalid emulator configuration:\n  - ${lines.join('\n  - ')}`;
}

const parseOptions = () =>
  parseArgs({
    options: {
      host: { type: 'string' },
      'http-port': { type: 'string' },
      'https-port': { type: 'string' },
      'no-https': { type: 'boolean' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean' },
      fsync: { type: 'boolean' },
      'ca-dir': { type: 'string' },
      region: { type: 'string' },
      'app-id': { type: 'string' },
      'secret-id': { type: 'string' },
      'secret-key': { type: 'string' },
      bucket: { type: 'string', multiple: true },
      hostname: { type: 'string', multiple: true },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'no-dev-cors': { type: 'boolean' },
      'path-style': { type: 'boolean' },
      loose: { type: 'boolean' },
      'request-timeout': { type: 'string' },
      'body-idle-timeout': { type: 'string' },
      quiet: { type: 'boolean' },
      fault: { type: 'string', multiple: true },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });

async function main() {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (e) {
    fail((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const env = process.env;
  const list = (s: string | undefined) =>
    s
      ? s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined;
  const faults: FaultRuleInput[] = [];
  for (const [source, text] of [
    ...(env.COS_EMULATOR_FAULTS ? [['COS_EMULATOR_FAULTS', env.COS_EMULATOR_FAULTS] as const] : []),
    ...(v.fault ?? []).map((f) => ['--fault', f] as const),
  ]) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      fail(`${source} ${JSON.stringify(text)} is not JSON: ${(e as Error).message}`);
    }
    const rules = normalizeRuleInput(value);
    if (!Array.isArray(rules)) fail(`${source} must be a rule object, an array of rules or {"rules":[...]}`);
    faults.push(...(rules as FaultRuleInput[]));
  }
  const format = v['log-format'] ?? env.COS_EMULATOR_LOG_FORMAT ?? 'human';
  if (format !== 'human' && format !== 'json') fail(`--log-format "${format}" must be human or json`);
  const quiet = v.quiet || env.COS_EMULATOR_QUIET === '1';
  const inMemory = v['in-memory'] || env.COS_EMULATOR_IN_MEMORY === '1';
  const noHttps = v['no-https'] || env.COS_EMULATOR_NO_HTTPS === '1';
  // Validated once, with the library's options, by the schema in config/: every mistake is listed at once.
  const options: Record<string, unknown> = {
    host: v.host ?? env.COS_EMULATOR_HOST ?? '127.0.0.1',
    httpPort: number(v['http-port'] ?? env.COS_EMULATOR_HTTP_PORT) ?? 9000,
    httpsPort: noHttps ? false : (number(v['https-port'] ?? env.COS_EMULATOR_HTTPS_PORT) ?? 9443),
    dataDir: inMemory ? undefined : (v['data-dir'] ?? env.COS_EMULATOR_DATA_DIR),
    caDir: v['ca-dir'] ?? env.COS_EMULATOR_CA_DIR,
    region: v.region ?? env.COS_EMULATOR_REGION,
    appId: v['app-id'] ?? env.COS_EMULATOR_APP_ID,
    secretId: v['secret-id'] ?? env.COS_EMULATOR_SECRET_ID,
    secretKey: v['secret-key'] ?? env.COS_EMULATOR_SECRET_KEY,
    buckets: v.bucket ?? list(env.COS_EMULATOR_BUCKETS),
    hostnames: v.hostname ?? list(env.COS_EMULATOR_HOSTNAMES),
    tlsCert: v['tls-cert'] ?? env.COS_EMULATOR_TLS_CERT,
    tlsKey: v['tls-key'] ?? env.COS_EMULATOR_TLS_KEY,
    devCors: !v['no-dev-cors'],
    pathStyle: v['path-style'] || env.COS_EMULATOR_PATH_STYLE === '1',
    loose: v.loose || env.COS_EMULATOR_LOOSE === '1',
    fsync: v.fsync || env.COS_EMULATOR_FSYNC === '1',
    requestTimeoutMs: number(v['request-timeout'] ?? env.COS_EMULATOR_REQUEST_TIMEOUT_MS),
    bodyIdleTimeoutMs: number(v['body-idle-timeout'] ?? env.COS_EMULATOR_BODY_IDLE_TIMEOUT_MS),
    // The request log below prints every request and refusal; Fastify's own log adds errors (or more, with COS_EMULATOR_LOG_LEVEL).
    logger: quiet ? false : { level: env.COS_EMULATOR_LOG_LEVEL ?? 'error', stream: process.stderr },
    faults: faults.length > 0 ? faults : undefined,
  };
  for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];

  /** What others on the network can reach, and with which key, when the address is not loopback. */
  const exposure = (host: string | undefined, key: { secretId: string; secretKey: string }) =>
    host === undefined || isLoopbackAddress(host)
      ? ''
      : `\n  listening on ${host}: COS, STS and (with the root key as Basic credentials) the console are open to the network` +
        `\n  root key: ${key.secretId} / ${key.secretKey}` +
        (options.secretId === undefined ? ' (made for this data dir: the published default is refused on a network address)' : '');

  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(options as EmulatorOptions);
  } catch (e) {
    if (e instanceof EmulatorConfigError) fail(explain(e));
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`cos-emulator: ${(e as Error).message}: choose other ports with --http-port/--https-port\n`);
      process.exit(1);
    }
    throw e;
  }
  const { caCert: _pem, ...line } = emulator.info;
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (!quiet) {
    const colour = Boolean(process.stderr.isTTY) && !env.NO_COLOR;
    const print = requestPrinter(process.stderr, format as RequestLogFormat, colour);
    // The console's own calls stay out of the terminal.
    emulator.requests.subscribe((entry) => {
      if (!entry.admin) print(entry);
    });
  }
  const rules = emulator.faults.list();
  process.stderr.write(
    `cos-emulator ready: COS ${emulator.info.cos.http}${emulator.info.cos.https ? ` and ${emulator.info.cos.https}` : ''}` +
      `${emulator.info.sts ? `, STS ${emulator.info.sts.url}` : ''}; buckets ${emulator.info.buckets.join(', ')}` +
      `\n  console: ${emulator.info.admin.console}` +
      `\n  faults:  ${emulator.info.admin.faults}${rules.length ? ` (${rules.length} rule${rules.length > 1 ? 's' : ''} in force: ${rules.map((r) => r.name).join(', ')})` : ''}` +
      `${emulator.info.caCertPath ? `\n  trust the CA: NODE_EXTRA_CA_CERTS=${emulator.info.caCertPath}` : ''}` +
      exposure(options.host as string | undefined, emulator.info.credentials) +
      '\n',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`cos-emulator: ${signal}, stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`cos-emulator: error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`cos-emulator: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
