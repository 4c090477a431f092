import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FaultRuleInput } from '../faults/rules.js';

// The emulator's options once: type, range, default, and the CLI flag and environment variable that set
// each one. EmulatorOptions is derived from it. `problem`, `flag`, `env` and `of` are annotations: they
// word messages and constrain nothing. In `problem`, {value} stands for the value given.

/** What the validator reads beside the JSON Schema keywords. */
export interface Annotations {
  /** The whole message for any mistake in this option. */
  problem?: string;
  /** The CLI flag that sets this option. */
  flag?: string;
  /** The environment variable that sets this option. */
  env?: string;
  /** What a list holds, in words ("bucket names"). */
  of?: string;
}

/** The documented, well-known root account of every emulator (like Azurite's devstoreaccount1). */
export const DEFAULT_CREDENTIALS = Object.freeze({
  secretId: 'AKIDcosdirectEMULATOR',
  secretKey: 'cosdirectEmulatorSecretKey',
  appId: '1250000000',
});
export const DEFAULT_REGION = 'ap-guangzhou';

type Options = Annotations & { default?: unknown; description?: string };

const port = (name: string, o: Options) =>
  Type.Integer({ minimum: 0, maximum: 65535, problem: `${name} {value} is not a port number`, ...o });
const millis = (name: string, o: Options) =>
  Type.Integer({ minimum: 0, problem: `${name} {value} must be a non-negative integer of milliseconds`, ...o });
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const strings = (o: Options & { minItems?: number }) => Type.Array(Type.String(), o);

export const EmulatorOptionsSchema = Type.Object(
  {
    host: opt(Type.String({ minLength: 1, flag: '--host', env: 'COS_EMULATOR_HOST', default: '127.0.0.1' })),
    httpPort: opt(port('httpPort', { flag: '--http-port', env: 'COS_EMULATOR_HTTP_PORT', default: 0 })),
    httpsPort: opt(
      Type.Union([port('httpsPort', {}), Type.Literal(false)], {
        problem: 'httpsPort {value} is not a port number (or false)',
        flag: '--https-port',
        env: 'COS_EMULATOR_HTTPS_PORT',
        default: 0,
      }),
    ),
    // Undefined keeps everything in memory.
    dataDir: opt(Type.String({ minLength: 1, flag: '--data-dir', env: 'COS_EMULATOR_DATA_DIR' })),
    caDir: opt(Type.String({ minLength: 1, flag: '--ca-dir', env: 'COS_EMULATOR_CA_DIR' })),
    region: opt(
      Type.String({
        pattern: '^[a-z0-9-]+$',
        problem: 'region {value} must be lower-case letters, digits and "-"',
        flag: '--region',
        env: 'COS_EMULATOR_REGION',
        default: DEFAULT_REGION,
      }),
    ),
    appId: opt(
      Type.String({
        pattern: '^\\d{1,20}$',
        problem: 'appId {value} must be digits',
        flag: '--app-id',
        env: 'COS_EMULATOR_APP_ID',
        default: DEFAULT_CREDENTIALS.appId,
      }),
    ),
    secretId: opt(
      Type.String({
        pattern: '^[\\x21-\\x25\\x27-\\x7e]+$',
        problem: 'secretId must be printable ASCII without spaces or "&"',
        flag: '--secret-id',
        env: 'COS_EMULATOR_SECRET_ID',
        default: DEFAULT_CREDENTIALS.secretId,
      }),
    ),
    secretKey: opt(
      Type.String({
        minLength: 8,
        problem: 'secretKey must have at least 8 characters',
        flag: '--secret-key',
        env: 'COS_EMULATOR_SECRET_KEY',
        default: DEFAULT_CREDENTIALS.secretKey,
      }),
    ),
    // Each name is checked by bucketNameProblem, which needs the appId; the first is the default bucket.
    buckets: opt(
      strings({
        minItems: 1,
        of: 'bucket names',
        flag: '--bucket',
        env: 'COS_EMULATOR_BUCKETS',
        default: ['dev'],
      }),
    ),
    hostnames: opt(strings({ of: 'host names', flag: '--hostname', env: 'COS_EMULATOR_HOSTNAMES', default: [] })),
    tlsCert: opt(Type.String({ minLength: 1, flag: '--tls-cert', env: 'COS_EMULATOR_TLS_CERT' })),
    tlsKey: opt(Type.String({ minLength: 1, flag: '--tls-key', env: 'COS_EMULATOR_TLS_KEY' })),
    devCors: opt(Type.Boolean({ flag: '--no-dev-cors', default: true })),
    clockSkewSeconds: opt(Type.Integer({ minimum: 0, problem: 'clockSkewSeconds {value} must be a non-negative integer', default: 900 })),
    logger: opt(
      Type.Union([Type.Boolean(), Type.Record(Type.String(), Type.Unknown())], {
        problem: 'logger must be true, false or pino options',
        default: false,
      }),
    ),
    requestTimeoutMs: opt(millis('requestTimeoutMs', { flag: '--request-timeout', env: 'COS_EMULATOR_REQUEST_TIMEOUT_MS', default: 0 })),
    bodyIdleTimeoutMs: opt(
      millis('bodyIdleTimeoutMs', { flag: '--body-idle-timeout', env: 'COS_EMULATOR_BODY_IDLE_TIMEOUT_MS', default: 60_000 }),
    ),
    pathStyle: opt(Type.Boolean({ flag: '--path-style', env: 'COS_EMULATOR_PATH_STYLE', default: false })),
    loose: opt(Type.Boolean({ flag: '--loose', env: 'COS_EMULATOR_LOOSE', default: false })),
    fsync: opt(Type.Boolean({ flag: '--fsync', env: 'COS_EMULATOR_FSYNC', default: false })),
    now: opt(Type.Unsafe<() => number>({ typeof: 'function', description: 'Clock in unix seconds, for tests.' })),
    // Fault rules have a validator of their own (faults/rules.ts), which the full configuration runs.
    faults: opt(Type.Unsafe<FaultRuleInput[]>({ flag: '--fault', env: 'COS_EMULATOR_FAULTS' })),
  },
  { additionalProperties: false },
);

/** Options of `startEmulator`; see the README for each one's meaning and default. */
export type EmulatorOptions = Static<typeof EmulatorOptionsSchema>;

/** A short bucket name: 1-50 lower-case letters, digits and "-", starting and ending with a letter or digit. */
const SHORT_BUCKET = /^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/;

/** The one rule for bucket names: why `name` cannot be a bucket of `appId`, or nothing when it can. */
export function bucketNameProblem(name: string, appId: string = DEFAULT_CREDENTIALS.appId): string | undefined {
  if (SHORT_BUCKET.test(shortBucketName(name, appId))) return undefined;
  return (
    `bucket ${JSON.stringify(name)} must be 1-50 lower-case letters, digits and "-", starting and ending with a ` +
    `letter or digit (optionally followed by -${appId})`
  );
}

/** The name without its "-<appId>" suffix, when it has that suffix. */
export function shortBucketName(name: string, appId: string): string {
  return name.endsWith(`-${appId}`) ? name.slice(0, -(appId.length + 1)) : name;
}

/** The bucket's full name, "<short name>-<appId>". */
export function fullBucketName(name: string, appId: string): string {
  return `${shortBucketName(name, appId)}-${appId}`;
}
