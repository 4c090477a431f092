import { type ConfirmedUpload, MULTIPART_COMPLETIONS, type MultipartCompletion } from '@cos-direct/protocol';
import type { FastifyRequest } from 'fastify';

const kConfigError = Symbol.for('cos-direct.server.config-error');

/** What can be wrong with one setting; `code` is stable, match on it. */
export const CONFIG_ISSUE_CODES = [
  'SRV_ERR_CONFIG_REQUIRED',
  'SRV_ERR_CONFIG_TYPE',
  'SRV_ERR_CONFIG_RANGE',
  'SRV_ERR_CONFIG_ENUM',
  'SRV_ERR_CONFIG_FORMAT',
  'SRV_ERR_CONFIG_UNKNOWN',
  'SRV_ERR_CONFIG_CONFLICT',
] as const;
export type ConfigIssueCode = (typeof CONFIG_ISSUE_CODES)[number];

export interface ConfigIssue {
  code: ConfigIssueCode;
  /** The library option (e.g. "jwt.jwksUrl"), when there is one. */
  option?: string;
  /** The environment variable, when there is one. */
  env?: string;
  message: string;
}

/** Thrown when configuration is missing, malformed or misspelled; `issues` lists every mistake at once, one coded issue each. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'SRV_ERR_CONFIG';
  readonly [kConfigError] = true;
  /** The issues' messages, one line each. */
  readonly problems: string[];
  constructor(readonly issues: ConfigIssue[]) {
    const problems = issues.map((i) => `${i.message} [${i.code}]`);
    super(`invalid sign server configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kConfigError] === true;
  }
}

export type Authenticate = (request: FastifyRequest) => Promise<unknown> | unknown;

/** An object the server has confirmed (HEAD after the upload, or after completing a multipart upload). */
export type { ConfirmedUpload };

export interface ServerOptions {
  secretId: string;
  secretKey: string;
  /** Long bucket name, e.g. examplebucket-1250000000. */
  bucket: string;
  region: string;
  /** host[:port] of the STS API. Default sts.tencentcloudapi.com. */
  stsEndpoint?: string;
  /** Deadline of one STS call in ms, waiting included; the request is aborted when it passes. Default 5000. */
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
  /** Largest multipart upload in bytes (the size parameter of /sts-multipart). Default 50 GiB. */
  maxMultipartSize?: number;
  /** Bind each ticket to the extension's MIME type (cos:content-type); the ticket then says which type to send. */
  enforceContentType?: boolean;
  /**
   * Let uploads store types a browser runs (HTML, SVG, JavaScript, XML) when their extension is
   * allowed. Off by default: such uploads may then only be stored as application/octet-stream.
   */
  allowActiveContent?: boolean;
  /**
   * 'shared' (default): /sts-direct-sign and /post-policy sign with one temporary key per policy shape,
   * scoped to the key prefix and refreshed before it expires, so most tickets need no STS call.
   * 'per-ticket': every ticket asks STS for a key scoped to its one object key.
   */
  ticketKeys?: 'shared' | 'per-ticket';
  /**
   * Who completes multipart uploads. 'server': the ticket's key may not complete; the client calls
   * POST /complete-multipart, and the server lists the parts, aborts when they exceed the ticket's size,
   * and completes with its own key (default). 'client' (for clients that complete with the ticket's key,
   * such as the official SDKs' sliceUploadFile): only each part is limited.
   */
  multipartCompletion?: MultipartCompletion;
  /** Lifetime of temporary keys in seconds. Default 1800. */
  durationSeconds?: number;
  /** Lifetime of a signed PUT in seconds, never beyond the key's. Default 900. */
  signatureSeconds?: number;
  /**
   * When set, tickets also carry `downloadUrl`: a presigned GET of the new key, valid for this many
   * seconds (1 to 7200), made with a temporary key that may only read that key. Off by default.
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
  /** Called with every upload the server confirmed (POST /confirm, POST /complete-multipart). */
  onUploadConfirmed?: (upload: ConfirmedUpload, request: FastifyRequest) => Promise<void> | void;
  /** Clock in unix seconds, for tests. */
  now?: () => number;
}

export interface ResolvedServerOptions
  extends Required<
    Omit<ServerOptions, 'authenticate' | 'jwt' | 'maxSize' | 'redisUrl' | 'bearerTokens' | 'downloadUrlSeconds' | 'onUploadConfirmed'>
  > {
  downloadUrlSeconds?: number;
  authenticate?: Authenticate;
  bearerTokens?: string[];
  jwt?: ServerOptions['jwt'];
  maxSize?: number;
  redisUrl?: string;
  onUploadConfirmed?: ServerOptions['onUploadConfirmed'];
}

// ---------------------------------------------------------------------------------------------
// The schema: every setting once, with its type, range or enum, default and environment variable.
// The environment reader turns strings into these types, then the library validator checks them.

type Spec =
  | { type: 'string'; pattern?: RegExp; hint?: string; minLength?: number; check?: (v: string) => string | undefined }
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'list'; item: Extract<Spec, { type: 'string' }>; nonEmpty?: boolean; normalise?: (v: string) => string }
  | { type: 'function' }
  | { type: 'object'; fields: Record<string, Field> }
  | { type: 'custom'; describe: string; check: (v: unknown) => boolean };

interface Field {
  spec: Spec;
  env?: string;
  required?: boolean;
}

const LONG_BUCKET = /^[a-z0-9][a-z0-9-]*-\d+$/;
const REGION = /^[a-z0-9-]+$/;
const HOST_PORT = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/;
const EXT = /^[a-z0-9]{1,10}$/;
const ORIGIN = /^https?:\/\/[^/\s]+$|^\*$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

const str = (extra: Omit<Extract<Spec, { type: 'string' }>, 'type'> = {}): Spec => ({ type: 'string', ...extra });
const int = (min: number, max: number): Spec => ({ type: 'int', min, max });
const bool: Spec = { type: 'bool' };
const fn: Spec = { type: 'function' };

export const SCHEMA: Record<string, Field> = {
  secretId: { spec: str({ minLength: 1 }), env: 'COS_SECRET_ID', required: true },
  secretKey: { spec: str({ minLength: 1 }), env: 'COS_SECRET_KEY', required: true },
  bucket: {
    spec: str({ pattern: LONG_BUCKET, hint: '"<name>-<appid>", e.g. examplebucket-1250000000' }),
    env: 'PERSIST_BUCKET',
    required: true,
  },
  region: { spec: str({ pattern: REGION, hint: 'a region such as ap-guangzhou' }), env: 'PERSIST_BUCKET_REGION', required: true },
  stsEndpoint: { spec: str({ pattern: HOST_PORT, hint: 'host[:port]' }), env: 'STS_ENDPOINT' },
  stsTimeoutMs: { spec: int(1, 120_000), env: 'STS_TIMEOUT_MS' },
  stsConcurrency: { spec: int(1, 1024), env: 'STS_CONCURRENCY' },
  stsQueueLimit: { spec: int(0, 100_000), env: 'STS_QUEUE_LIMIT' },
  cosHost: { spec: str({ pattern: HOST_PORT, hint: 'host[:port]' }), env: 'COS_HOST' },
  cosProtocol: { spec: { type: 'enum', values: ['https', 'http'] }, env: 'COS_PROTOCOL' },
  keyPrefix: {
    spec: str({ pattern: /^([A-Za-z0-9._-]+\/)*$/, hint: 'folder names of letters, digits, ".", "_", "-", each ending in "/"' }),
    env: 'KEY_PREFIX',
  },
  allowedExtensions: {
    spec: {
      type: 'list',
      item: { type: 'string', pattern: EXT, hint: '1-10 letters or digits' },
      nonEmpty: true,
      normalise: (e) => e.toLowerCase().replace(/^\./, ''),
    },
    env: 'ALLOWED_EXTENSIONS',
  },
  maxSize: { spec: int(1, Number.MAX_SAFE_INTEGER), env: 'MAX_SIZE' },
  maxMultipartSize: { spec: int(1, Number.MAX_SAFE_INTEGER), env: 'MAX_MULTIPART_SIZE' },
  enforceContentType: { spec: bool, env: 'ENFORCE_CONTENT_TYPE' },
  allowActiveContent: { spec: bool, env: 'ALLOW_ACTIVE_CONTENT' },
  ticketKeys: { spec: { type: 'enum', values: ['shared', 'per-ticket'] }, env: 'TICKET_KEYS' },
  multipartCompletion: { spec: { type: 'enum', values: [...MULTIPART_COMPLETIONS] }, env: 'MULTIPART_COMPLETION' },
  durationSeconds: { spec: int(60, 7200), env: 'DURATION_SECONDS' },
  signatureSeconds: { spec: int(1, 7200), env: 'SIGNATURE_SECONDS' },
  downloadUrlSeconds: { spec: int(1, 7200), env: 'DOWNLOAD_URL_SECONDS' },
  authenticate: { spec: fn },
  bearerTokens: { spec: { type: 'list', item: { type: 'string', minLength: 16 } }, env: 'AUTH_TOKENS' },
  jwt: {
    spec: {
      type: 'object',
      fields: {
        secret: { spec: str({ minLength: 32 }), env: 'JWT_SECRET' },
        jwksUrl: { spec: str({ check: jwksUrlProblem }), env: 'JWKS_URL' },
        issuer: { spec: str({ minLength: 1 }), env: 'JWT_ISSUER' },
        audience: { spec: str({ minLength: 1 }), env: 'JWT_AUDIENCE' },
      },
    },
  },
  allowUnauthenticated: { spec: bool, env: 'ALLOW_UNAUTHENTICATED' },
  production: { spec: bool },
  corsOrigins: {
    spec: { type: 'list', item: { type: 'string', pattern: ORIGIN, hint: 'scheme://host[:port] or *' } },
    env: 'CORS_ORIGINS',
  },
  rateLimit: {
    spec: {
      type: 'custom',
      describe: 'false or { max: whole number ≥ 1, timeWindow: milliseconds or a duration such as "1 minute" }',
      check: (v) =>
        v === false ||
        (typeof v === 'object' &&
          v !== null &&
          Object.keys(v).every((k) => k === 'max' || k === 'timeWindow') &&
          Number.isSafeInteger((v as { max: unknown }).max) &&
          (v as { max: number }).max >= 1 &&
          ((typeof (v as { timeWindow: unknown }).timeWindow === 'number' && (v as { timeWindow: number }).timeWindow > 0) ||
            (typeof (v as { timeWindow: unknown }).timeWindow === 'string' &&
              /^\d+\s*[a-z ]*$/i.test((v as { timeWindow: string }).timeWindow)))),
    },
  },
  redisUrl: { spec: str({ pattern: /^rediss?:\/\/\S+$/, hint: 'a redis:// or rediss:// URL' }), env: 'REDIS_URL' },
  trustProxy: {
    spec: {
      type: 'custom',
      describe: 'a boolean or a comma list of proxy addresses',
      check: (v) => typeof v === 'boolean' || typeof v === 'string',
    },
  },
  logger: {
    spec: {
      type: 'custom',
      describe: 'a boolean or pino options',
      check: (v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null),
    },
  },
  onUploadConfirmed: { spec: fn },
  now: { spec: fn },
};

/** Environment-only settings (the listen address) and those read into composite options. */
const ENV_ONLY: Record<string, Field> = {
  PORT: { spec: int(0, 65535) },
  HOST: { spec: str({ minLength: 1 }) },
  RATE_LIMIT_MAX: { spec: int(0, 1_000_000) },
  RATE_LIMIT_WINDOW: { spec: str({ pattern: /^\d+\s*[a-z ]*$/i, hint: 'milliseconds or a duration such as "1 minute"' }) },
  TRUST_PROXY: { spec: bool },
  LOG_LEVEL: { spec: { type: 'enum', values: LOG_LEVELS } },
};

function envNames(fields: Record<string, Field>, into: Map<string, { field: Field; path: string }>, prefix = ''): void {
  for (const [name, field] of Object.entries(fields)) {
    if (field.env) into.set(field.env, { field, path: prefix + name });
    if (field.spec.type === 'object') envNames(field.spec.fields, into, `${prefix}${name}.`);
  }
}
const ENV = new Map<string, { field: Field; path: string }>();
envNames(SCHEMA, ENV);
for (const [name, field] of Object.entries(ENV_ONLY)) ENV.set(name, { field, path: '' });

// ---------------------------------------------------------------------------------------------

/** Damerau-Levenshtein distance (adjacent transpositions count once). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The name `name` is probably a misspelling of: one edit away, or two for long names. STS_HOST is
 * two edits from COS_HOST and stays somebody else's setting; PERSIST_BUKET is one edit from ours.
 */
function nearMiss(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestScore) [best, bestScore] = [k, d];
  }
  return best !== undefined && bestScore > 0 && bestScore <= (name.length >= 16 ? 2 : 1) ? best : undefined;
}

const label = (path: string, env?: string) => (env && env !== path ? `${path} (${env})` : path);
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v));

function checkString(spec: Extract<Spec, { type: 'string' }>, v: string, where: string): Omit<ConfigIssue, 'option' | 'env'> | undefined {
  if (spec.minLength !== undefined && v.length < spec.minLength) {
    return spec.minLength === 1
      ? { code: 'SRV_ERR_CONFIG_REQUIRED', message: `${where} must not be empty` }
      : { code: 'SRV_ERR_CONFIG_RANGE', message: `${where} must have at least ${spec.minLength} characters` };
  }
  if (spec.pattern && !spec.pattern.test(v))
    return { code: 'SRV_ERR_CONFIG_FORMAT', message: `${where} is ${show(v)}; expected ${spec.hint ?? spec.pattern}` };
  const problem = spec.check?.(v);
  if (problem) return { code: 'SRV_ERR_CONFIG_FORMAT', message: `${where} ${show(v)} ${problem}` };
  return undefined;
}

/** Checks one value against its spec; one issue per mistake (a wrong type is one issue, not one per character). */
function checkValue(field: Field, value: unknown, path: string, issues: ConfigIssue[]): void {
  const { spec, env } = field;
  if (spec.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ code: 'SRV_ERR_CONFIG_TYPE', option: path, message: `${path} must be an object, got ${show(value)}` });
    } else {
      checkObject(spec.fields, value as Record<string, unknown>, `${path}.`, issues);
    }
    return;
  }
  const issue = issueOf(spec, value, label(path, env));
  if (issue) issues.push({ ...issue, option: path, ...(env ? { env } : {}) });
}

type Found = Omit<ConfigIssue, 'option' | 'env'> | undefined;

function issueOf(spec: Exclude<Spec, { type: 'object' }>, value: unknown, where: string): Found {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must be a string, got ${typeof value}` };
      return checkString(spec, value, where);
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must be a whole number, got ${show(value)}` };
      }
      if (value < spec.min || value > spec.max) {
        return { code: 'SRV_ERR_CONFIG_RANGE', message: `${where} must be from ${spec.min} to ${spec.max}, got ${value}` };
      }
      return undefined;
    case 'bool':
      return typeof value === 'boolean'
        ? undefined
        : { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must be true or false, got ${show(value)}` };
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? undefined
        : { code: 'SRV_ERR_CONFIG_ENUM', message: `${where} must be one of ${spec.values.join(', ')}, got ${show(value)}` };
    case 'function':
      return typeof value === 'function'
        ? undefined
        : { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must be a function, got ${typeof value}` };
    case 'custom':
      return spec.check(value) ? undefined : { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must be ${spec.describe}` };
    case 'list': {
      if (!Array.isArray(value)) {
        const hint = typeof value === 'string' ? ` (write [${show(value)}] for one item)` : '';
        return { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must be an array of strings, got ${typeof value}${hint}` };
      }
      if (spec.nonEmpty && value.length === 0) return { code: 'SRV_ERR_CONFIG_RANGE', message: `${where} must not be empty` };
      const bad = value.filter((v) => typeof v !== 'string');
      if (bad.length > 0)
        return { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must list only strings, got ${bad.map(show).join(', ')}` };
      for (const item of value as string[]) {
        const found = checkString(spec.item, spec.normalise ? spec.normalise(item) : item, `${where} item`);
        if (found) return found;
      }
      return undefined;
    }
  }
}

function checkObject(fields: Record<string, Field>, o: Record<string, unknown>, prefix: string, issues: ConfigIssue[]): void {
  for (const key of Object.keys(o)) {
    if (key in fields) continue;
    const hint = nearMiss(key, Object.keys(fields)) ?? nearMissLoose(key, Object.keys(fields));
    issues.push({
      code: 'SRV_ERR_CONFIG_UNKNOWN',
      option: prefix + key,
      message: `unknown option "${prefix}${key}"${hint ? ` (did you mean "${prefix}${hint}"?)` : ''}`,
    });
  }
  for (const [name, field] of Object.entries(fields)) {
    const value = o[name];
    if (value === undefined) {
      if (field.required) {
        issues.push({
          code: 'SRV_ERR_CONFIG_REQUIRED',
          option: prefix + name,
          ...(field.env ? { env: field.env } : {}),
          message: `${label(prefix + name, field.env)} is required`,
        });
      }
      continue;
    }
    checkValue(field, value, prefix + name, issues);
  }
}

/** For library options any close name helps (they are typed in code, not inherited from a platform). */
function nearMissLoose(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestScore) [best, bestScore] = [k, d];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

const resolved = new WeakSet<object>();

/** True for options `resolveOptions` returned: they are not validated again. */
export function isResolved(options: unknown): options is Readonly<ResolvedServerOptions> {
  return typeof options === 'object' && options !== null && resolved.has(options);
}

/** Validates library options once against the closed schema, fills defaults and freezes them. */
export function resolveOptions(options: ServerOptions | Readonly<ResolvedServerOptions>): Readonly<ResolvedServerOptions> {
  if (isResolved(options)) return options;
  const issues: ConfigIssue[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError([{ code: 'SRV_ERR_CONFIG_TYPE', message: `the options must be an object, got ${show(options)}` }]);
  }
  checkObject(SCHEMA, options as unknown as Record<string, unknown>, '', issues);
  const o = options;
  const durationSeconds = o.durationSeconds ?? 1800;
  const production = o.production ?? false;
  const authConfigured = Boolean(o.authenticate || o.bearerTokens?.length || o.jwt);
  if (o.jwt && typeof o.jwt === 'object' && !o.jwt.secret && !o.jwt.jwksUrl) {
    issues.push({ code: 'SRV_ERR_CONFIG_REQUIRED', option: 'jwt', message: 'jwt needs a secret (JWT_SECRET) or a jwksUrl (JWKS_URL)' });
  }
  if (o.jwt?.secret !== undefined && o.jwt.jwksUrl !== undefined) {
    issues.push({
      code: 'SRV_ERR_CONFIG_CONFLICT',
      option: 'jwt',
      message: 'jwt takes a secret (JWT_SECRET) or a jwksUrl (JWKS_URL), not both',
    });
  }
  if (!authConfigured && production && !o.allowUnauthenticated) {
    issues.push({
      code: 'SRV_ERR_CONFIG_REQUIRED',
      option: 'authenticate',
      message:
        'no authentication is configured and NODE_ENV=production: set AUTH_TOKENS, JWT_SECRET or JWKS_URL (or pass authenticate), ' +
        'or ALLOW_UNAUTHENTICATED=true if another layer authenticates callers',
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const out: ResolvedServerOptions = {
    secretId: o.secretId,
    secretKey: o.secretKey,
    bucket: o.bucket,
    region: o.region,
    stsEndpoint: o.stsEndpoint ?? 'sts.tencentcloudapi.com',
    stsTimeoutMs: o.stsTimeoutMs ?? 5000,
    stsConcurrency: o.stsConcurrency ?? 32,
    stsQueueLimit: o.stsQueueLimit ?? 256,
    cosHost: o.cosHost ?? `${o.bucket}.cos.${o.region}.myqcloud.com`,
    cosProtocol: o.cosProtocol ?? 'https',
    keyPrefix: o.keyPrefix ?? 'images/',
    allowedExtensions: Object.freeze([
      ...new Set((o.allowedExtensions ?? ['jpg', 'jpeg', 'png', 'gif', 'bmp']).map((e) => e.toLowerCase().replace(/^\./, ''))),
    ]) as string[],
    maxSize: o.maxSize,
    maxMultipartSize: o.maxMultipartSize ?? 50 * 1024 ** 3,
    enforceContentType: o.enforceContentType ?? false,
    allowActiveContent: o.allowActiveContent ?? false,
    ticketKeys: o.ticketKeys ?? 'shared',
    multipartCompletion: o.multipartCompletion ?? 'server',
    durationSeconds,
    signatureSeconds: Math.min(o.signatureSeconds ?? 900, durationSeconds),
    downloadUrlSeconds: o.downloadUrlSeconds,
    authenticate: o.authenticate,
    bearerTokens: o.bearerTokens ? (Object.freeze([...o.bearerTokens]) as string[]) : undefined,
    jwt: o.jwt ? Object.freeze({ ...o.jwt }) : undefined,
    allowUnauthenticated: o.allowUnauthenticated ?? false,
    production,
    corsOrigins: Object.freeze([...(o.corsOrigins ?? [])]) as string[],
    rateLimit: o.rateLimit === undefined ? { max: 60, timeWindow: '1 minute' } : o.rateLimit === false ? false : { ...o.rateLimit },
    redisUrl: o.redisUrl,
    trustProxy: o.trustProxy ?? false,
    logger: o.logger ?? false,
    onUploadConfirmed: o.onUploadConfirmed,
    now: o.now ?? (() => Math.floor(Date.now() / 1000)),
  };
  const frozen = Object.freeze(out);
  resolved.add(frozen);
  return frozen;
}

export interface EnvConfig {
  /** Validated, frozen options: pass them to createServer, which does not validate them again. */
  options: Readonly<ResolvedServerOptions>;
  port: number;
  host: string;
  /** Environment variables that look like settings of ours but are not (printed at start, never fatal). */
  warnings: string[];
}

// Variables that other software sets and that may share our prefixes (COS_REGION of a COS tool,
// Kubernetes' *_SERVICE_HOST, …) only warn; only a near miss of one of our own names refuses.
const OUR_PREFIXES =
  /^(COS_|PERSIST_|STS_|JWT_|JWKS|AUTH_TOKEN|CORS_|RATE_LIMIT|MAX_|KEY_PREFIX|ALLOWED_|ENFORCE_|ALLOW_|DURATION_|SIGNATURE_|DOWNLOAD_|TICKET_|MULTIPART_)/;

/** Reads configuration from the environment once, through the same schema as the library options. */
export function loadConfig(env: Record<string, string | undefined> = process.env): EnvConfig {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (ENV.has(name) || name.startsWith('COS_EMULATOR_') || name.startsWith('COS_DIRECT_')) continue;
    const near = nearMiss(name, ENV.keys());
    if (near) issues.push({ code: 'SRV_ERR_CONFIG_UNKNOWN', env: name, message: `unknown setting ${name} (did you mean "${near}"?)` });
    else if (OUR_PREFIXES.test(name))
      warnings.push(`${name} is not a setting of the sign server; ignored (see the README for the settings)`);
  }
  const read = (name: string): unknown => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return undefined;
    const { field } = ENV.get(name)!;
    const where = name;
    switch (field.spec.type) {
      case 'int':
        if (!/^\d+$/.test(raw)) {
          issues.push({ code: 'SRV_ERR_CONFIG_TYPE', env: name, message: `${where}=${show(raw)} must be a whole number` });
          return null;
        }
        return Number(raw);
      case 'bool': {
        const v = raw.toLowerCase();
        if (['1', 'true', 'yes'].includes(v)) return true;
        if (['0', 'false', 'no'].includes(v)) return false;
        issues.push({ code: 'SRV_ERR_CONFIG_TYPE', env: name, message: `${where}=${show(raw)} must be true or false` });
        return null;
      }
      case 'list':
        return raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      default:
        return raw;
    }
  };
  const options: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(SCHEMA)) {
    if (!field.env) continue;
    const v = read(field.env);
    if (v !== undefined && v !== null) options[name] = v;
  }
  const jwt: Record<string, unknown> = {};
  for (const [name, field] of Object.entries((SCHEMA.jwt!.spec as Extract<Spec, { type: 'object' }>).fields)) {
    const v = read(field.env!);
    if (v !== undefined && v !== null) jwt[name] = v;
  }
  if (Object.keys(jwt).length > 0) options.jwt = jwt;
  const rateMax = read('RATE_LIMIT_MAX') as number | undefined | null;
  const rateWindow = read('RATE_LIMIT_WINDOW') as string | undefined | null;
  const windowSpec = ENV_ONLY.RATE_LIMIT_WINDOW!.spec as Extract<Spec, { type: 'string' }>;
  const windowOk = rateWindow === undefined || (rateWindow !== null && windowSpec.pattern!.test(rateWindow));
  if (rateMax === 0) options.rateLimit = false;
  else if (rateMax !== null && windowOk)
    options.rateLimit = {
      max: rateMax ?? 60,
      timeWindow: rateWindow ? (/^\d+$/.test(rateWindow) ? Number(rateWindow) : rateWindow) : '1 minute',
    };
  const trustProxy = read('TRUST_PROXY');
  if (typeof trustProxy === 'boolean') options.trustProxy = trustProxy;
  const level = read('LOG_LEVEL') ?? 'info';
  options.logger = { level };
  options.production = env.NODE_ENV === 'production';
  const port = read('PORT');
  const host = read('HOST');
  for (const [name, value] of [
    ['PORT', port],
    ['RATE_LIMIT_WINDOW', rateWindow],
    ['LOG_LEVEL', level],
  ] as const) {
    if (value !== undefined && value !== null) checkValue({ ...ENV_ONLY[name]!, env: name }, value, name, issues);
  }
  // Report every problem at once: the names first, then the values.
  let resolvedOptions: Readonly<ResolvedServerOptions> | undefined;
  try {
    resolvedOptions = resolveOptions(options as unknown as ServerOptions);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || !resolvedOptions) throw new ConfigError(issues);
  return {
    options: resolvedOptions,
    port: (port as number | undefined) ?? 3000,
    host: (host as string | undefined) ?? '0.0.0.0',
    warnings,
  };
}
