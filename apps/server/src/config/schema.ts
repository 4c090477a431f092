import { type ConfirmedUpload, MULTIPART_COMPLETIONS } from '@cos-direct/protocol';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';

// Every setting once: its type, range or enum, default and environment variable. The types below are
// derived from it, the environment reader reads by it, and ajv checks library options and the environment
// alike against it. `env`, `hint` and `describe` are annotations: they word messages and constrain nothing.

/**
 * The request of whichever framework mounted the tickets: a FastifyRequest under the plugin, the Node
 * request (Express, Connect, node:http) under the middleware, a Web `Request` under the fetch handler,
 * or whatever the app passed to the core. Each app knows which one it mounted.
 */
// biome-ignore lint/suspicious/noExplicitAny: the app's own request type, which only the app knows
export type AppRequest = FastifyRequest | any;

/**
 * Who the caller is, as the app decided: its return value is handed to `keyFolder`, `onUploadConfirmed`
 * and the audit log. A string or number, or an object with `id` (or `sub`/`subject`), names the user:
 * rate limits then count per user instead of per address. Throw to refuse the caller.
 */
export type Authenticate = (request: AppRequest) => Promise<unknown> | unknown;
export type OnUploadConfirmed = (upload: ConfirmedUpload, request: AppRequest, user: unknown) => Promise<void> | void;

/** What `keyFolder` learns about the ticket it names a folder for. */
export interface KeyFolderContext {
  /** What `authenticate` returned (or the core was given as `user`). */
  user: unknown;
  request: AppRequest;
  ext: string;
  kind: 'direct' | 'post' | 'multipart';
}

/**
 * The folder a ticket's key goes in, under `keyPrefix`: e.g. `users/${id}/`. Folder names of letters,
 * digits, ".", "_", "-", each ending in "/"; the random file name (and the date folder) stay the server's.
 */
export type KeyFolder = (context: KeyFolderContext) => Promise<string> | string;

/** What the validator reads beside the JSON Schema keywords. */
export interface Annotations {
  /** The environment variable that sets this option. */
  env?: string;
  /** What a value of the right shape looks like, for a failed `pattern`. */
  hint?: string;
  /** The whole accepted shape in words, for options that take one of several shapes. */
  describe?: string;
}

const LONG_BUCKET = '^[a-z0-9][a-z0-9-]*-\\d+$';
const REGION = '^[a-z0-9-]+$';
const HOST_PORT = '^[A-Za-z0-9.-]+(:\\d{1,5})?$|^\\[[0-9a-fA-F:]+\\](:\\d{1,5})?$';
const ORIGIN = '^https?://[^/\\s]+$|^\\*$';
const DURATION = '^\\d+\\s*[A-Za-z ]*$';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_EXTENSIONS = ['jpg', 'jpeg', 'png', 'gif', 'bmp'];

/** Keys that sign JWTs must arrive over TLS; plain http is for a JWKS served on the same machine. */
function jwksUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return undefined;
  return 'must be an https URL (plain http only on loopback: localhost, 127.0.0.1, [::1])';
}

/** String formats of our own: each says what is wrong with a value, or nothing when it is right. */
export const FORMATS: Record<string, (value: string) => string | undefined> = { 'jwks-url': jwksUrlProblem };

type Options = Annotations & { default?: unknown; description?: string };

const str = (o: Options & { minLength?: number; pattern?: string; format?: string } = {}) => Type.String(o);
const int = (minimum: number, maximum: number, o: Options = {}) => Type.Integer({ minimum, maximum, ...o });
const bool = (o: Options = {}) => Type.Boolean(o);
// An enum of strings, not TypeBox's union of literals: one `enum` error reads better than one per literal.
const oneOf = <const T extends readonly string[]>(values: T, o: Options = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...o });
// Functions are not JSON: the `typeof` keyword checks them.
const fn = <F>(o: Options = {}) => Type.Unsafe<F>({ typeof: 'function', ...o });
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

export const ServerOptionsSchema = Type.Object(
  {
    secretId: str({ minLength: 1, env: 'COS_SECRET_ID' }),
    secretKey: str({ minLength: 1, env: 'COS_SECRET_KEY' }),
    bucket: str({ pattern: LONG_BUCKET, hint: '"<name>-<appid>", e.g. examplebucket-1250000000', env: 'PERSIST_BUCKET' }),
    region: str({ pattern: REGION, hint: 'a region such as ap-guangzhou', env: 'PERSIST_BUCKET_REGION' }),
    // The region must be one of COS_REGIONS (config/regions.ts) unless this is set: for a region newer than the list.
    allowUnknownRegion: opt(bool({ env: 'ALLOW_UNKNOWN_REGION', default: false })),
    // An STS call and a HEAD of the bucket with the key it issues; off for a start without network.
    startupChecks: opt(bool({ env: 'STARTUP_CHECKS', default: true })),
    // The standalone server's GET /metrics (Prometheus text); the core counts either way.
    metrics: opt(bool({ env: 'METRICS', default: false })),
    stsEndpoint: opt(str({ pattern: HOST_PORT, hint: 'host[:port]', env: 'STS_ENDPOINT', default: 'sts.tencentcloudapi.com' })),
    stsTimeoutMs: opt(
      int(1, 120_000, { env: 'STS_TIMEOUT_MS', default: 5000, description: 'Deadline of one STS call, waiting included.' }),
    ),
    stsConcurrency: opt(int(1, 1024, { env: 'STS_CONCURRENCY', default: 32, description: 'STS calls in flight at once.' })),
    stsQueueLimit: opt(int(0, 100_000, { env: 'STS_QUEUE_LIMIT', default: 256, description: 'STS calls that may wait for a slot.' })),
    // Its default depends on the bucket and region: see resolve.ts.
    cosHost: opt(str({ pattern: HOST_PORT, hint: 'host[:port]', env: 'COS_HOST' })),
    cosProtocol: opt(oneOf(['https', 'http'], { env: 'COS_PROTOCOL', default: 'https' })),
    keyPrefix: opt(
      str({
        pattern: '^([A-Za-z0-9._-]+/)*$',
        hint: 'folder names of letters, digits, ".", "_", "-", each ending in "/"',
        env: 'KEY_PREFIX',
        default: 'images/',
      }),
    ),
    keyFolder: opt(fn<KeyFolder>()),
    dateFolder: opt(bool({ env: 'DATE_FOLDER', default: true, description: 'A yyyymmdd folder before the random file name.' })),
    // Compared without case and without a leading dot: resolve.ts normalises them.
    allowedExtensions: opt(
      Type.Array(str({ pattern: '^\\.?[A-Za-z0-9]{1,10}$', hint: '1-10 letters or digits' }), {
        minItems: 1,
        env: 'ALLOWED_EXTENSIONS',
        default: DEFAULT_EXTENSIONS,
      }),
    ),
    maxSize: opt(int(1, Number.MAX_SAFE_INTEGER, { env: 'MAX_SIZE', description: 'Largest upload in bytes.' })),
    maxMultipartSize: opt(int(1, Number.MAX_SAFE_INTEGER, { env: 'MAX_MULTIPART_SIZE', default: 50 * 1024 ** 3 })),
    enforceContentType: opt(bool({ env: 'ENFORCE_CONTENT_TYPE', default: false })),
    allowActiveContent: opt(bool({ env: 'ALLOW_ACTIVE_CONTENT', default: false })),
    ticketKeys: opt(oneOf(['shared', 'per-ticket'], { env: 'TICKET_KEYS', default: 'shared' })),
    multipartCompletion: opt(oneOf(MULTIPART_COMPLETIONS, { env: 'MULTIPART_COMPLETION', default: 'server' })),
    durationSeconds: opt(int(60, 7200, { env: 'DURATION_SECONDS', default: 1800 })),
    // How long after its ticket a multipart upload may still get new keys (POST /sts-multipart-refresh).
    maxUploadSeconds: opt(int(60, 30 * 86400, { env: 'MAX_UPLOAD_SECONDS', default: 86400 })),
    // Never beyond the key's lifetime: resolve.ts bounds it by durationSeconds.
    signatureSeconds: opt(int(1, 7200, { env: 'SIGNATURE_SECONDS', default: 900 })),
    downloadUrlSeconds: opt(int(1, 7200, { env: 'DOWNLOAD_URL_SECONDS' })),
    authenticate: opt(fn<Authenticate>()),
    bearerTokens: opt(Type.Array(str({ minLength: 16 }), { env: 'AUTH_TOKENS' })),
    jwt: opt(
      Type.Object(
        {
          secret: opt(str({ minLength: 32, env: 'JWT_SECRET' })),
          jwksUrl: opt(str({ format: 'jwks-url', env: 'JWKS_URL' })),
          issuer: opt(str({ minLength: 1, env: 'JWT_ISSUER' })),
          audience: opt(str({ minLength: 1, env: 'JWT_AUDIENCE' })),
        },
        { additionalProperties: false },
      ),
    ),
    allowUnauthenticated: opt(bool({ env: 'ALLOW_UNAUTHENTICATED', default: false })),
    production: opt(bool({ default: false })),
    corsOrigins: opt(Type.Array(str({ pattern: ORIGIN, hint: 'scheme://host[:port] or *' }), { env: 'CORS_ORIGINS', default: [] })),
    // The environment sets it through RATE_LIMIT_MAX and RATE_LIMIT_WINDOW (see env.ts).
    rateLimit: opt(
      Type.Union(
        [
          Type.Literal(false),
          Type.Object(
            {
              max: Type.Integer({ minimum: 1 }),
              timeWindow: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: DURATION })]),
              // Confirmations (POST /confirm, /complete-multipart) count apart from tickets; default 3 × max.
              confirmMax: opt(Type.Integer({ minimum: 1 })),
            },
            { additionalProperties: false },
          ),
        ],
        {
          describe:
            'false or { max: whole number ≥ 1, timeWindow: milliseconds or a duration such as "1 minute", confirmMax?: whole number ≥ 1 }',
          default: { max: 60, timeWindow: '1 minute' },
        },
      ),
    ),
    redisUrl: opt(str({ pattern: '^rediss?://\\S+$', hint: 'a redis:// or rediss:// URL', env: 'REDIS_URL' })),
    trustProxy: opt(
      Type.Union([Type.Boolean(), Type.String()], { describe: 'a boolean or a comma list of proxy addresses', default: false }),
    ),
    logger: opt(
      Type.Union([Type.Boolean(), Type.Record(Type.String(), Type.Unknown())], {
        describe: 'a boolean, pino options, or a pino logger of your own',
        default: false,
      }),
    ),
    onUploadConfirmed: opt(fn<OnUploadConfirmed>()),
    now: opt(fn<() => number>({ description: 'Clock in unix seconds, for tests.' })),
  },
  { additionalProperties: false },
);

/** The sign server's options; see the README's Configuration for each one's meaning and default. */
export type ServerOptions = Static<typeof ServerOptionsSchema>;

/** Settings only the environment has: the listen address, and the parts of composite options. */
export const EnvOnlySchema = Type.Object(
  {
    PORT: opt(int(0, 65535, { default: 3000 })),
    HOST: opt(str({ minLength: 1, default: '0.0.0.0' })),
    RATE_LIMIT_MAX: opt(int(0, 1_000_000)),
    RATE_LIMIT_WINDOW: opt(str({ pattern: DURATION, hint: 'milliseconds or a duration such as "1 minute"' })),
    RATE_LIMIT_CONFIRM_MAX: opt(int(1, 1_000_000)),
    TRUST_PROXY: opt(bool()),
    LOG_LEVEL: opt(oneOf(LOG_LEVELS, { default: 'info' })),
  },
  { additionalProperties: false },
);
export type EnvOnlySettings = Static<typeof EnvOnlySchema>;
