import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkEmulatorOptions, EmulatorConfigError, EmulatorOptionsSchema, type EmulatorOptions, fullBucketName } from './config/index.js';
import { FaultRuleError, validateFaultRules, type FaultRule } from './faults/rules.js';

// The options' schema, their validators and the bucket-name rule live in ./config/, which loads no store,
// so the Testcontainers module can use them; this file adds what needs the rest of the emulator (the
// fault rules' validator, through the operation table) and the values derived from the options.
export {
  DEFAULT_CREDENTIALS,
  DEFAULT_REGION,
  EmulatorConfigError,
  type EmulatorConfigIssue,
  type EmulatorOptions,
} from './config/index.js';

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

/**
 * The schema's defaults for the options left out, in a copy: the caller's object stays as it was. Not
 * TypeBox's Value.Default, which clones every value and so fails on a logger's stream.
 */
function withDefaults(options: EmulatorOptions): Defaulted {
  const out: Record<string, unknown> = { ...options };
  for (const [name, node] of Object.entries(EmulatorOptionsSchema.properties)) {
    if (out[name] === undefined && node.default !== undefined) out[name] = structuredClone(node.default);
  }
  return out as Defaulted;
}

type Defaulted = EmulatorOptions & Required<Omit<EmulatorOptions, 'dataDir' | 'caDir' | 'tlsCert' | 'tlsKey' | 'now' | 'faults'>>;

/** Validates options once against the schema (and the fault rules against theirs), fills defaults and freezes the result. */
export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  const problems = checkEmulatorOptions(options);
  let faults: FaultRule[] = [];
  try {
    if (options.faults !== undefined) faults = validateFaultRules(options.faults);
  } catch (e) {
    if (!(e instanceof FaultRuleError)) throw e;
    problems.push(...e.problems.map((p) => ({ option: 'faults', message: `faults: ${p}` })));
  }
  if (problems.length > 0) throw new EmulatorConfigError(problems);
  const o = withDefaults(options);
  const dataDir = o.dataDir ? resolve(o.dataDir) : undefined;
  const hostnames = [
    'localhost',
    '127.0.0.1',
    '::1',
    `*.cos.${o.region}.localhost`,
    `cos.${o.region}.localhost`,
    `*.cos.${o.region}.myqcloud.com`,
    // GET Service: the regional endpoint, and the SDKs' ServiceDomain.
    `cos.${o.region}.myqcloud.com`,
    'service.cos.myqcloud.com',
    ...o.hostnames,
  ];
  return Object.freeze({
    host: o.host,
    httpPort: o.httpPort,
    httpsPort: o.httpsPort,
    dataDir,
    caDir: o.caDir ? resolve(o.caDir) : dataDir ? join(dataDir, 'tls') : join(homedir(), '.cache', 'cos-direct', 'emulator-ca'),
    region: o.region,
    appId: o.appId,
    credentials: Object.freeze({ secretId: o.secretId, secretKey: o.secretKey }),
    buckets: o.buckets.map((name) => fullBucketName(name, o.appId)),
    hostnames: [...new Set(hostnames)],
    tls: o.tlsCert && o.tlsKey ? Object.freeze({ certPath: resolve(o.tlsCert), keyPath: resolve(o.tlsKey) }) : undefined,
    devCors: o.devCors,
    clockSkewSeconds: o.clockSkewSeconds,
    logger: o.logger,
    pathStyle: o.pathStyle,
    loose: o.loose,
    fsync: o.fsync,
    requestTimeoutMs: o.requestTimeoutMs,
    bodyIdleTimeoutMs: o.bodyIdleTimeoutMs,
    now: o.now ?? (() => Math.floor(Date.now() / 1000)),
    faults: Object.freeze(faults),
  });
}
