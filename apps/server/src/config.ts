import type { FastifyRequest } from 'fastify';

const kConfigError = Symbol.for('cos-direct.server.config-error');

/** Thrown when configuration is missing, malformed or misspelled; `problems` lists every issue at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'SRV_ERR_CONFIG';
  readonly [kConfigError] = true;
  constructor(readonly problems: string[]) {
    super(`invalid sign server configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export type Authenticate = (request: FastifyRequest) => Promise<unknown> | unknown;

export interface ServerOptions {
  secretId: string;
  secretKey: string;
  /** Long bucket name, e.g. examplebucket-1250000000. */
  bucket: string;
  region: string;
  /** host[:port] of the STS API. Default sts.tencentcloudapi.com. */
  stsEndpoint?: string;
  stsTimeoutMs?: number;
  /** STS calls in flight at once. Default 32. */
  stsConcurrency?: number;
  /** STS calls that may wait for a slot; beyond that tickets answer 503 with Retry-After. Default 256. */
  stsQueueLimit?: number;
  /** host[:port] that tickets name. Default <bucket>.cos.<region>.myqcloud.com. */
  cosHost?: string;
  cosProtocol?: 'https' | 'http';
  /** Key prefix before the date folder. Default "images/". */
  keyPrefix?: string;
  allowedExtensions?: string[];
  /** Largest upload in bytes, written into the policy as cos:content-length. */
  maxSize?: number;
  /** Largest multipart upload in bytes (the size parameter of /sts-multipart). Default 5 GiB × 10000 parts is COS's; default here 50 GiB. */
  maxMultipartSize?: number;
  /** Bind each ticket to the extension's MIME type (cos:content-type); the ticket then says which type to send. */
  enforceContentType?: boolean;
  /**
   * Let uploads store types a browser runs (HTML, SVG, JavaScript, XML) when their extension is
   * allowed. Off by default: such uploads may then only be stored as application/octet-stream.
   */
  allowActiveContent?: boolean;
  /** Lifetime of temporary keys in seconds. Default 1800. */
  durationSeconds?: number;
  /** Lifetime of a signed PUT in seconds, never beyond the key's. Default 900. */
  signatureSeconds?: number;
  /**
   * When set, tickets also carry `downloadUrl`: a presigned GET of the new key, valid for this many
   * seconds, so the uploader can show what it uploaded in a private bucket. Off by default.
   */
  downloadUrlSeconds?: number;
  /** Ticket authentication: a function, bearer tokens, or JWT. */
  authenticate?: Authenticate;
  bearerTokens?: string[];
  jwt?: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  /** Start without authentication. Required to start unauthenticated when production is set. */
  allowUnauthenticated?: boolean;
  production?: boolean;
  corsOrigins?: string[];
  rateLimit?: { max: number; timeWindow: string | number } | false;
  redisUrl?: string;
  trustProxy?: boolean | string;
  logger?: boolean | Record<string, unknown>;
  /** Clock in unix seconds, for tests. */
  now?: () => number;
}

export interface ResolvedServerOptions
  extends Required<Omit<ServerOptions, 'authenticate' | 'jwt' | 'maxSize' | 'redisUrl' | 'bearerTokens' | 'downloadUrlSeconds'>> {
  downloadUrlSeconds?: number;
  authenticate?: Authenticate;
  bearerTokens?: string[];
  jwt?: ServerOptions['jwt'];
  maxSize?: number;
  redisUrl?: string;
}

const OPTION_KEYS = new Set<string>([
  'secretId',
  'secretKey',
  'bucket',
  'region',
  'stsEndpoint',
  'stsTimeoutMs',
  'stsConcurrency',
  'stsQueueLimit',
  'cosHost',
  'cosProtocol',
  'keyPrefix',
  'allowedExtensions',
  'maxSize',
  'maxMultipartSize',
  'enforceContentType',
  'allowActiveContent',
  'durationSeconds',
  'signatureSeconds',
  'downloadUrlSeconds',
  'authenticate',
  'bearerTokens',
  'jwt',
  'allowUnauthenticated',
  'production',
  'corsOrigins',
  'rateLimit',
  'redisUrl',
  'trustProxy',
  'logger',
  'now',
]);

const LONG_BUCKET = /^[a-z0-9][a-z0-9-]*-\d+$/;
const REGION = /^[a-z0-9-]+$/;
const HOST_PORT = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/;
const EXT = /^[a-z0-9]{1,10}$/;

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length]![b.length]!;
}

function suggest(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestScore) [best, bestScore] = [k, d];
  }
  return best && bestScore <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

/** Keys that sign JWTs must arrive over TLS; plain http is for a JWKS served on the same machine. */
function jwksUrlOk(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** Validates library options once against a closed schema, fills defaults and freezes them. */
export function resolveOptions(options: ServerOptions): Readonly<ResolvedServerOptions> {
  const problems: string[] = [];
  for (const key of Object.keys(options ?? {})) {
    if (!OPTION_KEYS.has(key)) problems.push(`unknown option "${key}"${suggest(key, OPTION_KEYS)}`);
  }
  const o = options ?? ({} as ServerOptions);
  if (!o.secretId) problems.push('secretId is required (COS_SECRET_ID)');
  if (!o.secretKey) problems.push('secretKey is required (COS_SECRET_KEY)');
  if (!o.bucket || !LONG_BUCKET.test(o.bucket))
    problems.push(`bucket "${o.bucket ?? ''}" must be "<name>-<appid>", e.g. examplebucket-1250000000 (PERSIST_BUCKET)`);
  if (!o.region || !REGION.test(o.region)) problems.push(`region "${o.region ?? ''}" must look like ap-guangzhou (PERSIST_BUCKET_REGION)`);
  const stsEndpoint = o.stsEndpoint ?? 'sts.tencentcloudapi.com';
  if (!HOST_PORT.test(stsEndpoint)) problems.push(`stsEndpoint "${stsEndpoint}" must be host[:port] (STS_ENDPOINT)`);
  const cosHost = o.cosHost ?? `${o.bucket}.cos.${o.region}.myqcloud.com`;
  if (!HOST_PORT.test(cosHost)) problems.push(`cosHost "${cosHost}" must be host[:port] (COS_HOST)`);
  const cosProtocol = o.cosProtocol ?? 'https';
  if (cosProtocol !== 'https' && cosProtocol !== 'http') problems.push(`cosProtocol "${cosProtocol}" must be https or http (COS_PROTOCOL)`);
  const keyPrefix = o.keyPrefix ?? 'images/';
  if (!/^([A-Za-z0-9._-]+\/)*$/.test(keyPrefix)) {
    problems.push(`keyPrefix "${keyPrefix}" must be folder names of letters, digits, ".", "_", "-", each ending in "/" (KEY_PREFIX)`);
  }
  const allowedExtensions = (o.allowedExtensions ?? ['jpg', 'jpeg', 'png', 'gif', 'bmp']).map((e) => e.toLowerCase().replace(/^\./, ''));
  for (const e of allowedExtensions)
    if (!EXT.test(e)) problems.push(`extension "${e}" must be 1-10 letters or digits (ALLOWED_EXTENSIONS)`);
  if (allowedExtensions.length === 0) problems.push('allowedExtensions must not be empty (ALLOWED_EXTENSIONS)');
  const positiveInt = (v: unknown, name: string) => {
    if (v !== undefined && (!Number.isSafeInteger(v) || (v as number) <= 0))
      problems.push(`${name} must be a positive integer, got ${String(v)}`);
  };
  positiveInt(o.maxSize, 'maxSize (MAX_SIZE)');
  positiveInt(o.maxMultipartSize, 'maxMultipartSize (MAX_MULTIPART_SIZE)');
  positiveInt(o.stsTimeoutMs, 'stsTimeoutMs (STS_TIMEOUT_MS)');
  positiveInt(o.stsConcurrency, 'stsConcurrency (STS_CONCURRENCY)');
  if (o.stsQueueLimit !== undefined && (!Number.isSafeInteger(o.stsQueueLimit) || o.stsQueueLimit < 0))
    problems.push(`stsQueueLimit must be a whole number, got ${String(o.stsQueueLimit)} (STS_QUEUE_LIMIT)`);
  const durationSeconds = o.durationSeconds ?? 1800;
  if (!Number.isInteger(durationSeconds) || durationSeconds < 60 || durationSeconds > 7200) {
    problems.push(`durationSeconds must be an integer from 60 to 7200 (DURATION_SECONDS), got ${durationSeconds}`);
  }
  const signatureSeconds = o.signatureSeconds ?? 900;
  positiveInt(signatureSeconds, 'signatureSeconds (SIGNATURE_SECONDS)');
  if (
    o.downloadUrlSeconds !== undefined &&
    (!Number.isInteger(o.downloadUrlSeconds) || o.downloadUrlSeconds < 1 || o.downloadUrlSeconds > 7200)
  ) {
    problems.push(`downloadUrlSeconds must be an integer from 1 to 7200 (DOWNLOAD_URL_SECONDS), got ${o.downloadUrlSeconds}`);
  }
  if (o.bearerTokens)
    for (const t of o.bearerTokens) if (t.length < 16) problems.push('each bearer token must have at least 16 characters (AUTH_TOKENS)');
  if (o.jwt && !o.jwt.secret && !o.jwt.jwksUrl) problems.push('jwt needs a secret (JWT_SECRET) or a jwksUrl (JWKS_URL)');
  if (o.jwt?.secret !== undefined && o.jwt.secret.length < 32)
    problems.push('the JWT secret must have at least 32 characters (JWT_SECRET)');
  if (o.jwt?.jwksUrl !== undefined && !jwksUrlOk(o.jwt.jwksUrl)) {
    problems.push(`jwksUrl "${o.jwt.jwksUrl}" must be an https URL (http only on loopback: localhost, 127.0.0.1, [::1]) (JWKS_URL)`);
  }
  const authConfigured = Boolean(o.authenticate || o.bearerTokens?.length || o.jwt);
  const production = o.production ?? false;
  if (!authConfigured && production && !o.allowUnauthenticated) {
    problems.push(
      'no authentication is configured and NODE_ENV=production: set AUTH_TOKENS, JWT_SECRET or JWKS_URL (or pass authenticate), ' +
        'or ALLOW_UNAUTHENTICATED=true if another layer authenticates callers',
    );
  }
  const corsOrigins = o.corsOrigins ?? [];
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin))
      problems.push(`CORS origin "${origin}" must be scheme://host[:port] (CORS_ORIGINS)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    secretId: o.secretId,
    secretKey: o.secretKey,
    bucket: o.bucket,
    region: o.region,
    stsEndpoint,
    stsTimeoutMs: o.stsTimeoutMs ?? 5000,
    stsConcurrency: o.stsConcurrency ?? 32,
    stsQueueLimit: o.stsQueueLimit ?? 256,
    cosHost,
    cosProtocol,
    keyPrefix,
    allowedExtensions: Object.freeze([...new Set(allowedExtensions)]) as string[],
    maxSize: o.maxSize,
    maxMultipartSize: o.maxMultipartSize ?? 50 * 1024 ** 3,
    enforceContentType: o.enforceContentType ?? false,
    allowActiveContent: o.allowActiveContent ?? false,
    durationSeconds,
    signatureSeconds: Math.min(signatureSeconds, durationSeconds),
    downloadUrlSeconds: o.downloadUrlSeconds,
    authenticate: o.authenticate,
    bearerTokens: o.bearerTokens,
    jwt: o.jwt,
    allowUnauthenticated: o.allowUnauthenticated ?? false,
    production,
    corsOrigins,
    rateLimit: o.rateLimit ?? { max: 60, timeWindow: '1 minute' },
    redisUrl: o.redisUrl,
    trustProxy: o.trustProxy ?? false,
    logger: o.logger ?? false,
    now: o.now ?? (() => Math.floor(Date.now() / 1000)),
  });
}

const ENV_KEYS = [
  'COS_SECRET_ID',
  'COS_SECRET_KEY',
  'PERSIST_BUCKET',
  'PERSIST_BUCKET_REGION',
  'PORT',
  'HOST',
  'STS_ENDPOINT',
  'STS_TIMEOUT_MS',
  'STS_CONCURRENCY',
  'STS_QUEUE_LIMIT',
  'COS_HOST',
  'COS_PROTOCOL',
  'KEY_PREFIX',
  'ALLOWED_EXTENSIONS',
  'MAX_SIZE',
  'MAX_MULTIPART_SIZE',
  'ENFORCE_CONTENT_TYPE',
  'ALLOW_ACTIVE_CONTENT',
  'DURATION_SECONDS',
  'SIGNATURE_SECONDS',
  'DOWNLOAD_URL_SECONDS',
  'AUTH_TOKENS',
  'JWT_SECRET',
  'JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'ALLOW_UNAUTHENTICATED',
  'CORS_ORIGINS',
  'RATE_LIMIT_MAX',
  'RATE_LIMIT_WINDOW',
  'REDIS_URL',
  'TRUST_PROXY',
  'LOG_LEVEL',
] as const;

export interface EnvConfig {
  options: ServerOptions;
  port: number;
  host: string;
}

/**
 * Reads configuration from the environment once. Names near one of ours (a typo such as
 * PERSIST_BUKET or COS_SECRETKEY) are errors, since a misspelled setting silently falls back otherwise.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): EnvConfig {
  const problems: string[] = [];
  const known = new Set<string>(ENV_KEYS);
  for (const name of Object.keys(env)) {
    if (known.has(name) || name.startsWith('COS_EMULATOR_') || name.startsWith('COS_DIRECT_')) continue;
    const looksOurs =
      /^(COS_|PERSIST_|STS_|JWT_|JWKS|AUTH_|CORS_|RATE_LIMIT|MAX_|KEY_PREFIX|ALLOWED_|ENFORCE_|DURATION|SIGNATURE_|DOWNLOAD_)/.test(name);
    // Long names one or two edits from ours are typos too (PERSIST_BUKET); short ones (PATH, HOME) are not.
    const nearMiss = name.length >= 10 && suggest(name, known) !== '';
    if (looksOurs || nearMiss) problems.push(`unknown setting ${name}${suggest(name, known) || '; see the README for the settings'}`);
  }
  const get = (k: (typeof ENV_KEYS)[number]) => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (k: (typeof ENV_KEYS)[number]) => {
    const v = get(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) {
      problems.push(`${k}="${v}" must be a whole number`);
      return undefined;
    }
    return Number(v);
  };
  const bool = (k: (typeof ENV_KEYS)[number]) => {
    const v = get(k)?.toLowerCase();
    if (v === undefined) return undefined;
    if (['1', 'true', 'yes'].includes(v)) return true;
    if (['0', 'false', 'no'].includes(v)) return false;
    problems.push(`${k}="${v}" must be true or false`);
    return undefined;
  };
  const list = (k: (typeof ENV_KEYS)[number]) =>
    get(k)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const port = int('PORT') ?? 3000;
  if (port > 65535) problems.push(`PORT=${port} is not a port number`);
  const protocol = get('COS_PROTOCOL');
  const jwtSecret = get('JWT_SECRET');
  const jwksUrl = get('JWKS_URL');
  const options: ServerOptions = {
    secretId: get('COS_SECRET_ID') ?? '',
    secretKey: get('COS_SECRET_KEY') ?? '',
    bucket: get('PERSIST_BUCKET') ?? '',
    region: get('PERSIST_BUCKET_REGION') ?? '',
    stsEndpoint: get('STS_ENDPOINT'),
    stsTimeoutMs: int('STS_TIMEOUT_MS'),
    stsConcurrency: int('STS_CONCURRENCY'),
    stsQueueLimit: int('STS_QUEUE_LIMIT'),
    cosHost: get('COS_HOST'),
    cosProtocol: protocol as 'https' | 'http' | undefined,
    keyPrefix: get('KEY_PREFIX'),
    allowedExtensions: list('ALLOWED_EXTENSIONS'),
    maxSize: int('MAX_SIZE'),
    maxMultipartSize: int('MAX_MULTIPART_SIZE'),
    enforceContentType: bool('ENFORCE_CONTENT_TYPE'),
    allowActiveContent: bool('ALLOW_ACTIVE_CONTENT'),
    durationSeconds: int('DURATION_SECONDS'),
    signatureSeconds: int('SIGNATURE_SECONDS'),
    downloadUrlSeconds: int('DOWNLOAD_URL_SECONDS') || undefined,
    bearerTokens: list('AUTH_TOKENS'),
    jwt: jwtSecret || jwksUrl ? { secret: jwtSecret, jwksUrl, issuer: get('JWT_ISSUER'), audience: get('JWT_AUDIENCE') } : undefined,
    allowUnauthenticated: bool('ALLOW_UNAUTHENTICATED'),
    production: env.NODE_ENV === 'production',
    corsOrigins: list('CORS_ORIGINS'),
    rateLimit:
      int('RATE_LIMIT_MAX') === 0 ? false : { max: int('RATE_LIMIT_MAX') ?? 60, timeWindow: get('RATE_LIMIT_WINDOW') ?? '1 minute' },
    redisUrl: get('REDIS_URL'),
    trustProxy: bool('TRUST_PROXY'),
    logger: { level: get('LOG_LEVEL') ?? 'info' },
  };
  for (const k of Object.keys(options) as Array<keyof ServerOptions>) if (options[k] === undefined) delete options[k];
  // Report every problem at once: the names first, then the values.
  try {
    resolveOptions(options);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { options, port, host: get('HOST') ?? '0.0.0.0' };
}
