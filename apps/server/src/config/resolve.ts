import { ConfigError, type ConfigIssue, show } from './config-error.js';
import { COS_REGIONS, isKnownRegion, nearestRegion } from './regions.js';
import { type Authenticate, type ServerOptions, ServerOptionsSchema } from './schema.js';
import { byOption, compile } from './validate.js';

/** Options after validation: defaults filled in, derived values computed, frozen. */
export interface ResolvedServerOptions
  extends Required<
    Omit<
      ServerOptions,
      'authenticate' | 'jwt' | 'maxSize' | 'redisUrl' | 'bearerTokens' | 'downloadUrlSeconds' | 'onUploadConfirmed' | 'keyFolder'
    >
  > {
  downloadUrlSeconds?: number;
  authenticate?: Authenticate;
  bearerTokens?: string[];
  jwt?: ServerOptions['jwt'];
  maxSize?: number;
  redisUrl?: string;
  onUploadConfirmed?: ServerOptions['onUploadConfirmed'];
  keyFolder?: ServerOptions['keyFolder'];
}

const check = compile(ServerOptionsSchema, byOption);
const resolved = new WeakSet<object>();

/** True for options `resolveOptions` returned: they are not validated again. */
export function isResolved(options: unknown): options is Readonly<ResolvedServerOptions> {
  return typeof options === 'object' && options !== null && resolved.has(options);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rules that span settings, which a schema of single settings cannot say. */
function acrossSettings(o: ServerOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (isObject(o.jwt) && !o.jwt.secret && !o.jwt.jwksUrl) {
    issues.push({ code: 'SRV_ERR_CONFIG_REQUIRED', option: 'jwt', message: 'jwt needs a secret (JWT_SECRET) or a jwksUrl (JWKS_URL)' });
  }
  if (isObject(o.jwt) && o.jwt.secret !== undefined && o.jwt.jwksUrl !== undefined) {
    issues.push({
      code: 'SRV_ERR_CONFIG_CONFLICT',
      option: 'jwt',
      message: 'jwt takes a secret (JWT_SECRET) or a jwksUrl (JWKS_URL), not both',
    });
  }
  if (typeof o.region === 'string' && /^[a-z0-9-]+$/.test(o.region) && !o.allowUnknownRegion && !isKnownRegion(o.region)) {
    const near = nearestRegion(o.region);
    issues.push({
      code: 'SRV_ERR_CONFIG_ENUM',
      option: 'region',
      env: 'PERSIST_BUCKET_REGION',
      message:
        `region (PERSIST_BUCKET_REGION) ${show(o.region)} is not a COS region` +
        (near ? ` (did you mean "${near}"?)` : ` (COS has ${COS_REGIONS.join(', ')})`) +
        '; for a region newer than this list set allowUnknownRegion (ALLOW_UNKNOWN_REGION=true)',
    });
  }
  const authConfigured = Boolean(o.authenticate || o.bearerTokens?.length || o.jwt);
  if (!authConfigured && o.production && !o.allowUnauthenticated) {
    issues.push({
      code: 'SRV_ERR_CONFIG_REQUIRED',
      option: 'authenticate',
      message:
        'no authentication is configured and NODE_ENV=production: set AUTH_TOKENS, JWT_SECRET or JWKS_URL (or pass authenticate), ' +
        'or ALLOW_UNAUTHENTICATED=true if another layer authenticates callers',
    });
  }
  return issues;
}

const freezeList = (list: string[]) => Object.freeze([...list]) as string[];

/** Values that follow from other settings; everything else came from the schema's defaults. */
function derive(o: ResolvedServerOptions): ResolvedServerOptions {
  return {
    ...o,
    cosHost: o.cosHost ?? `${o.bucket}.cos.${o.region}.myqcloud.com`,
    allowedExtensions: freezeList([...new Set(o.allowedExtensions.map((e) => e.toLowerCase().replace(/^\./, '')))]),
    signatureSeconds: Math.min(o.signatureSeconds, o.durationSeconds),
    bearerTokens: o.bearerTokens ? freezeList(o.bearerTokens) : undefined,
    jwt: o.jwt ? Object.freeze({ ...o.jwt }) : undefined,
    corsOrigins: freezeList(o.corsOrigins),
    rateLimit: o.rateLimit === false ? false : Object.freeze({ ...o.rateLimit }),
    now: o.now ?? (() => Math.floor(Date.now() / 1000)),
  };
}

/** Validates library options once against the closed schema, fills defaults and freezes them. */
export function resolveOptions(options: ServerOptions | Readonly<ResolvedServerOptions>): Readonly<ResolvedServerOptions> {
  if (isResolved(options)) return options;
  if (!isObject(options)) {
    throw new ConfigError([{ code: 'SRV_ERR_CONFIG_TYPE', message: `the options must be an object, got ${show(options)}` }]);
  }
  // Defaults are written into a copy, never into the caller's object.
  const copy: Record<string, unknown> = { ...options, ...(isObject(options.jwt) ? { jwt: { ...options.jwt } } : {}) };
  const issues = [...check(copy), ...acrossSettings(copy as ServerOptions)];
  if (issues.length > 0) throw new ConfigError(issues);
  const frozen = Object.freeze(derive(copy as unknown as ResolvedServerOptions));
  resolved.add(frozen);
  return frozen;
}
