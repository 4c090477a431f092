import type { TSchema } from '@sinclair/typebox';
import { ConfigError, type ConfigIssue, show } from './config-error.js';
import { nearMissStrict } from './did-you-mean.js';
import { resolveOptions, type ResolvedServerOptions } from './resolve.js';
import { type Annotations, type EnvOnlySettings, EnvOnlySchema, ServerOptionsSchema } from './schema.js';
import { byVariable, compile } from './validate.js';

export interface EnvConfig {
  /** Validated, frozen options: pass them to createServer, which does not validate them again. */
  options: Readonly<ResolvedServerOptions>;
  port: number;
  host: string;
  /** Environment variables that look like settings of ours but are not (printed at start, never fatal). */
  warnings: string[];
}

type Node = TSchema & Annotations;

/** Every variable the schema names: the option path it sets (none for environment-only ones) and its schema. */
function variables(): Map<string, { path: string[]; node: Node }> {
  const found = new Map<string, { path: string[]; node: Node }>();
  const walk = (node: Node, path: string[]) => {
    for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
      if (child.env) found.set(child.env, { path: [...path, name], node: child });
      if (child.type === 'object') walk(child, [...path, name]);
    }
  };
  walk(ServerOptionsSchema, []);
  for (const [name, node] of Object.entries(EnvOnlySchema.properties)) found.set(name, { path: [], node: node as Node });
  return found;
}

const VARIABLES = variables();
const checkEnvOnly = compile(EnvOnlySchema, byVariable);

// Variables that other software sets and that may share our prefixes (COS_REGION of a COS tool,
// Kubernetes' *_SERVICE_HOST, …) only warn; only a near miss of one of our own names refuses.
const OUR_PREFIXES =
  /^(COS_|PERSIST_|STS_|JWT_|JWKS|AUTH_TOKEN|CORS_|RATE_LIMIT|MAX_|KEY_PREFIX|ALLOWED_|ENFORCE_|ALLOW_|DURATION_|SIGNATURE_|DOWNLOAD_|TICKET_|MULTIPART_|STARTUP_)/;

/** Unknown names: a near miss of ours is an issue, one that merely shares a prefix a warning. */
function unknownNames(env: Record<string, string | undefined>, issues: ConfigIssue[], warnings: string[]): void {
  for (const name of Object.keys(env)) {
    if (VARIABLES.has(name) || name.startsWith('COS_EMULATOR_') || name.startsWith('COS_DIRECT_')) continue;
    const near = nearMissStrict(name, VARIABLES.keys());
    if (near) issues.push({ code: 'SRV_ERR_CONFIG_UNKNOWN', env: name, message: `unknown setting ${name} (did you mean "${near}"?)` });
    else if (OUR_PREFIXES.test(name))
      warnings.push(`${name} is not a setting of the sign server; ignored (see the README for the settings)`);
  }
}

/**
 * Turns one variable's text into the schema's type: the only coercion there is, and stricter than ajv's
 * (no "1e6" for an integer; yes/no, on/off and 1/0 as well as true/false for a boolean). Undefined when unset,
 * null when unreadable (the issue is recorded).
 */
function parse(name: string, raw: string | undefined, node: Node, issues: ConfigIssue[]): unknown {
  const text = raw?.trim();
  if (text === undefined || text === '') return undefined;
  const option = VARIABLES.get(name)!.path.join('.');
  const at = { env: name, ...(option ? { option } : {}) };
  switch (node.type) {
    case 'integer':
      if (/^\d+$/.test(text)) return Number(text);
      issues.push({ code: 'SRV_ERR_CONFIG_TYPE', ...at, message: `${name}=${show(text)} must be a whole number` });
      return null;
    case 'boolean': {
      const v = text.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      issues.push({ code: 'SRV_ERR_CONFIG_TYPE', ...at, message: `${name}=${show(text)} must be true or false (on or off)` });
      return null;
    }
    case 'array':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return text;
  }
}

/** Reads configuration from the environment once, through the same schema as the library options. */
export function loadConfig(env: Record<string, string | undefined> = process.env): EnvConfig {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  unknownNames(env, issues, warnings);
  const unreadable = new Set<string>();
  const options: Record<string, unknown> = {};
  const envOnly: Record<string, unknown> = {};
  for (const [name, { path, node }] of VARIABLES) {
    const value = parse(name, env[name], node, issues);
    if (value === null) unreadable.add(name);
    if (value === undefined || value === null) continue;
    if (path.length === 0) envOnly[name] = value;
    else if (path.length === 1) options[path[0]!] = value;
    else {
      // Nested options (jwt.secret): the schema has one level of them.
      const parent = (options[path[0]!] ?? {}) as Record<string, unknown>;
      parent[path[1]!] = value;
      options[path[0]!] = parent;
    }
  }
  const envOnlyIssues = checkEnvOnly(envOnly);
  issues.push(...envOnlyIssues);
  for (const issue of envOnlyIssues) if (issue.env) unreadable.add(issue.env);
  const settings = envOnly as EnvOnlySettings & Required<Pick<EnvOnlySettings, 'PORT' | 'HOST' | 'LOG_LEVEL'>>;
  // Composite options: the rate limit from up to three variables (RATE_LIMIT_MAX=0 turns it off), the logger's level.
  if (settings.RATE_LIMIT_MAX === 0) options.rateLimit = false;
  else if (!unreadable.has('RATE_LIMIT_MAX') && !unreadable.has('RATE_LIMIT_WINDOW')) {
    const window = settings.RATE_LIMIT_WINDOW;
    options.rateLimit = {
      max: settings.RATE_LIMIT_MAX ?? 60,
      timeWindow: window ? (/^\d+$/.test(window) ? Number(window) : window) : '1 minute',
      ...(settings.RATE_LIMIT_CONFIRM_MAX !== undefined ? { confirmMax: settings.RATE_LIMIT_CONFIRM_MAX } : {}),
    };
  }
  if (settings.TRUST_PROXY !== undefined) options.trustProxy = settings.TRUST_PROXY;
  options.logger = { level: settings.LOG_LEVEL };
  options.production = env.NODE_ENV === 'production';
  // Report every problem at once: the names first, then the values.
  let resolved: Readonly<ResolvedServerOptions> | undefined;
  try {
    resolved = resolveOptions(options as Parameters<typeof resolveOptions>[0]);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || !resolved) throw new ConfigError(issues);
  return { options: resolved, port: settings.PORT, host: settings.HOST, warnings };
}
