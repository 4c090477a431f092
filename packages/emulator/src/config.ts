import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FaultRuleError, validateFaultRules, type FaultRule, type FaultRuleInput } from './faults/rules.js';

/** The documented, well-known root account of every emulator (like Azurite's devstoreaccount1). */
export const DEFAULT_CREDENTIALS = Object.freeze({
  secretId: 'AKIDcosdirectEMULATOR',
  secretKey: 'cosdirectEmulatorSecretKey',
  appId: '1250000000',
});
export const DEFAULT_REGION = 'ap-guangzhou';

export interface EmulatorOptions {
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Plain HTTP port for COS. 0 picks a free port. Default 0 (CLI: 9000). */
  httpPort?: number;
  /** HTTPS port for COS and STS. 0 picks a free port; false disables HTTPS. Default 0 (CLI: 9443). */
  httpsPort?: number | false;
  /** Where objects, metadata, the CA and the token key live. Undefined keeps everything in memory. */
  dataDir?: string;
  /** Where the CA lives when there is no data directory. Default ~/.cache/cos-direct/emulator-ca. */
  caDir?: string;
  region?: string;
  appId?: string;
  secretId?: string;
  secretKey?: string;
  /** Buckets to create at start: short names get "-<appId>" appended. The first is the default bucket. */
  buckets?: string[];
  /** Extra names for the TLS certificate. */
  hostnames?: string[];
  /**
   * PEM files of your own HTTPS certificate and key (e.g. from mkcert) instead of one issued by the
   * emulator's CA; the emulator then has no CA to offer, and clients trust whatever signed this one.
   */
  tlsCert?: string;
  tlsKey?: string;
  /** Give created buckets a permissive CORS rule (any origin, ETag exposed), for browser development. Default true. */
  devCors?: boolean;
  /** Seconds a signature's start may lie in the future. Default 900. */
  clockSkewSeconds?: number;
  /** Fastify logger: false (default in the library), true, or pino options. */
  logger?: boolean | Record<string, unknown>;
  /**
   * Serve path-style requests (`/<bucket>-<appid>/<key>` on the bare address), as COS still does for buckets
   * created before 2024-01-01. Default false: COS answers 403 PathStyleDomainForbidden for newer buckets.
   */
  pathStyle?: boolean;
  /** Accept request headers the emulator does not implement (logged as a warning) instead of answering 501. Default false. */
  loose?: boolean;
  /**
   * Flush every write to the disk before acknowledging it, so an acknowledged object survives a power
   * loss, not only a killed process. Default false. Only with a data directory.
   */
  fsync?: boolean;
  /** Milliseconds a whole request may take before it is answered 400 RequestTimeout. 0 (default) sets no limit. */
  requestTimeoutMs?: number;
  /** Milliseconds a request body may stay silent before it is answered 400 RequestTimeout. Default 60000; 0 sets no limit. */
  bodyIdleTimeoutMs?: number;
  /** Clock in unix seconds, for tests. */
  now?: () => number;
  /** Fault rules in force from the start (see `emulator.faults` and //_emulator/faults). */
  faults?: FaultRuleInput[];
}

export interface EmulatorConfig {
  host: string;
  httpPort: number;
  httpsPort: number | false;
  dataDir: string | undefined;
  caDir: string;
  region: string;
  appId: string;
  credentials: { secretId: string; secretKey: string };
  buckets: string[];
  hostnames: string[];
  tls: { certPath: string; keyPath: string } | undefined;
  devCors: boolean;
  clockSkewSeconds: number;
  logger: boolean | Record<string, unknown>;
  pathStyle: boolean;
  loose: boolean;
  fsync: boolean;
  requestTimeoutMs: number;
  bodyIdleTimeoutMs: number;
  now: () => number;
  faults: readonly FaultRule[];
}

export class EmulatorConfigError extends Error {
  override readonly name = 'EmulatorConfigError';
  readonly code = 'EMU_ERR_CONFIG';
  constructor(readonly problems: string[]) {
    super(`invalid emulator configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const KNOWN = new Set([
  'host',
  'httpPort',
  'httpsPort',
  'dataDir',
  'caDir',
  'region',
  'appId',
  'secretId',
  'secretKey',
  'buckets',
  'hostnames',
  'tlsCert',
  'tlsKey',
  'devCors',
  'clockSkewSeconds',
  'logger',
  'pathStyle',
  'loose',
  'fsync',
  'requestTimeoutMs',
  'bodyIdleTimeoutMs',
  'now',
  'faults',
]);
const SHORT_BUCKET = /^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$|^[a-z0-9]$/;
const REGION = /^[a-z0-9-]+$/;

function isPort(v: unknown) {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
}

/** Validates options once, fills defaults and freezes the result. */
export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  const problems: string[] = [];
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) problems.push(`unknown option "${key}"`);
  const region = options.region ?? DEFAULT_REGION;
  if (!REGION.test(region)) problems.push(`region "${region}" must be lower-case letters, digits and "-"`);
  const appId = options.appId ?? DEFAULT_CREDENTIALS.appId;
  if (!/^\d{1,20}$/.test(appId)) problems.push(`appId "${appId}" must be digits`);
  if (options.httpPort !== undefined && !isPort(options.httpPort)) problems.push(`httpPort ${options.httpPort} is not a port number`);
  if (options.httpsPort !== undefined && options.httpsPort !== false && !isPort(options.httpsPort)) {
    problems.push(`httpsPort ${options.httpsPort} is not a port number (or false)`);
  }
  const secretId = options.secretId ?? DEFAULT_CREDENTIALS.secretId;
  const secretKey = options.secretKey ?? DEFAULT_CREDENTIALS.secretKey;
  if (!/^[\x21-\x7e]+$/.test(secretId) || secretId.includes('&')) problems.push('secretId must be printable ASCII without spaces or "&"');
  if (secretKey.length < 8) problems.push('secretKey must have at least 8 characters');
  const buckets: string[] = [];
  for (const name of options.buckets ?? ['dev']) {
    const m = /^(.*)-(\d+)$/.exec(name);
    const short = m && m[2] === appId ? m[1]! : name;
    if (!SHORT_BUCKET.test(short)) {
      problems.push(`bucket "${name}" must be lower-case letters, digits and "-" (optionally ending in -${appId})`);
      continue;
    }
    buckets.push(`${short}-${appId}`);
  }
  if (buckets.length === 0 && problems.length === 0) problems.push('at least one bucket is needed (the default bucket)');
  const skew = options.clockSkewSeconds ?? 900;
  if (!Number.isInteger(skew) || skew < 0) problems.push(`clockSkewSeconds ${skew} must be a non-negative integer`);
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    problems.push('tlsCert and tlsKey go together: give both PEM files or neither');
  for (const name of ['requestTimeoutMs', 'bodyIdleTimeoutMs'] as const) {
    const v = options[name];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) problems.push(`${name} ${v} must be a non-negative integer of milliseconds`);
  }
  for (const name of ['pathStyle', 'loose', 'devCors', 'fsync'] as const) {
    const v = options[name];
    if (v !== undefined && typeof v !== 'boolean') problems.push(`${name} must be true or false`);
  }
  let faults: FaultRule[] = [];
  try {
    if (options.faults !== undefined) faults = validateFaultRules(options.faults);
  } catch (e) {
    if (!(e instanceof FaultRuleError)) throw e;
    problems.push(...e.problems.map((p) => `faults: ${p}`));
  }
  if (problems.length > 0) throw new EmulatorConfigError(problems);

  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const hostnames = [
    'localhost',
    '127.0.0.1',
    '::1',
    `*.cos.${region}.localhost`,
    `cos.${region}.localhost`,
    `*.cos.${region}.myqcloud.com`,
    // GET Service: the regional endpoint, and the SDKs' ServiceDomain.
    `cos.${region}.myqcloud.com`,
    'service.cos.myqcloud.com',
    ...(options.hostnames ?? []),
  ];
  return Object.freeze({
    host: options.host ?? '127.0.0.1',
    httpPort: options.httpPort ?? 0,
    httpsPort: options.httpsPort ?? 0,
    dataDir,
    caDir: options.caDir ? resolve(options.caDir) : dataDir ? join(dataDir, 'tls') : join(homedir(), '.cache', 'cos-direct', 'emulator-ca'),
    region,
    appId,
    credentials: Object.freeze({ secretId, secretKey }),
    buckets,
    hostnames: [...new Set(hostnames)],
    tls:
      options.tlsCert && options.tlsKey
        ? Object.freeze({ certPath: resolve(options.tlsCert), keyPath: resolve(options.tlsKey) })
        : undefined,
    devCors: options.devCors ?? true,
    clockSkewSeconds: skew,
    logger: options.logger ?? false,
    pathStyle: options.pathStyle ?? false,
    loose: options.loose ?? false,
    fsync: options.fsync ?? false,
    requestTimeoutMs: options.requestTimeoutMs ?? 0,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs ?? 60_000,
    now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    faults: Object.freeze(faults),
  });
}
