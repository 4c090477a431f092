import { CosDirectError } from '../errors.js';

/** How a wait is drawn under its ceiling: 'full' anywhere in [0, ceiling], 'equal' in [ceiling/2, ceiling], 'none' the ceiling. */
export type Jitter = 'full' | 'equal' | 'none';

/** Exponential backoff: the wait before retry n (1, 2, …) is at most min(maxMs, baseMs · factorⁿ⁻¹). */
export interface Backoff {
  baseMs: number;
  factor: number;
  maxMs: number;
  jitter: Jitter;
}

/** When and how a failed request is tried again. Plain data: `resolveRetryPolicy` checks it once. */
export interface RetryPolicy {
  /** Attempts in all, the first included: 1 never retries. */
  maxAttempts: number;
  /** HTTP statuses worth another attempt, from COS or the sign server. */
  statuses: readonly number[];
  /**
   * Error codes worth another attempt whatever the status: COS XML codes (`<Code>` of an error answer,
   * also of a 200 whose body is an error, as Complete Multipart Upload may send) and network error codes
   * (`networkCode` of a CLIENT_ERR_NETWORK: Node's and undici's `code`, or ERR_NETWORK when the platform
   * names none, as XMLHttpRequest).
   */
  codes: readonly string[];
  /**
   * Codes that end a request at once, even when its status or another code is listed: a CORS refusal
   * (`ERR_CORS`) and an untrusted certificate fail the same way on every attempt.
   */
  permanent: readonly string[];
  backoff: Readonly<Backoff>;
  /**
   * A Retry-After (seconds or an HTTP date) replaces the backoff's wait, up to this many ms; a longer one
   * waits this long. 0 ignores Retry-After.
   */
  retryAfterMaxMs: number;
}

/** Deprecated flat settings of the first releases, still read (see resolveRetryPolicy). */
export interface LegacyRetrySettings {
  /** @deprecated Use `maxAttempts` (retries + 1). */
  retries?: number;
  /** @deprecated Use `backoff.baseMs`. */
  minDelayMs?: number;
  /** @deprecated Use `backoff.maxMs`. */
  maxDelayMs?: number;
  /** @deprecated Use `backoff.factor`. */
  factor?: number;
  /** @deprecated Use `statuses`. */
  statusCodes?: readonly number[];
}

/** What `retryPolicy` accepts: any part of a policy, the rest from the defaults. */
export interface RetryPolicyInput extends LegacyRetrySettings {
  maxAttempts?: number;
  statuses?: readonly number[];
  codes?: readonly string[];
  permanent?: readonly string[];
  backoff?: Partial<Backoff>;
  retryAfterMaxMs?: number;
}

/** COS's answers for a moment of overload or an internal fault (COS error codes). */
const COS_TRANSIENT_CODES = ['InternalError', 'ServiceUnavailable', 'SlowDown', 'RequestTimeout'];

/**
 * Failures of the connection, not of the request: resets, refusals, timeouts, unreachable networks (the set
 * undici's own retry handler uses, with the timeouts). TLS failures are not here: another attempt fails the same.
 */
const NETWORK_TRANSIENT_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_NETWORK',
];

/** The code of a network failure whose platform names no cause (XMLHttpRequest's error event). */
export const UNNAMED_NETWORK_ERROR = 'ERR_NETWORK';

/** The code of a browser request that failed while a no-cors probe of the same origin got through: CORS. */
export const CORS_REFUSED = 'ERR_CORS';

/** Node's (OpenSSL's) codes for a certificate that is not trusted for the host. */
export const CERTIFICATE_CODES: readonly string[] = Object.freeze([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  statuses: Object.freeze([429, 500, 502, 503, 504]),
  codes: Object.freeze([...COS_TRANSIENT_CODES, ...NETWORK_TRANSIENT_CODES]),
  permanent: Object.freeze([CORS_REFUSED, ...CERTIFICATE_CODES]),
  backoff: Object.freeze({ baseMs: 200, factor: 2, maxMs: 5000, jitter: 'full' as const }),
  retryAfterMaxMs: 30_000,
});

const POLICY_KEYS = ['maxAttempts', 'statuses', 'codes', 'permanent', 'backoff', 'retryAfterMaxMs'];
const BACKOFF_KEYS = ['baseMs', 'factor', 'maxMs', 'jitter'];
const LEGACY: Record<keyof LegacyRetrySettings, string> = {
  retries: 'maxAttempts',
  minDelayMs: 'backoff.baseMs',
  maxDelayMs: 'backoff.maxMs',
  factor: 'backoff.factor',
  statusCodes: 'statuses',
};

const invalid = (message: string) => new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', message);

function number(value: unknown, name: string, min: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw invalid(`${name} must be ${integer ? 'a whole number' : 'a finite number'} of at least ${min}, not ${String(value)}`);
  }
  return value;
}

function list<T>(value: unknown, name: string, ok: (v: unknown) => v is T, what: string): readonly T[] {
  if (!Array.isArray(value) || !value.every(ok)) throw invalid(`${name} must be an array of ${what}`);
  return Object.freeze([...value]);
}

const isStatus = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 599;
const isCode = (v: unknown): v is string => typeof v === 'string' && v !== '';

function unknownKeys(input: object, known: string[], where: string) {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) throw invalid(`${where}.${key} is not a retry setting (known: ${known.join(', ')})`);
  }
}

/**
 * The policy an upload runs with: the defaults, then `retries` (the shorthand option: retries after the
 * first attempt), then `retryPolicy`. Checked here, once: a misspelt or out-of-range setting is refused
 * with CLIENT_ERR_INVALID_ARGUMENT rather than retried on. The first releases' flat settings (retries,
 * minDelayMs, maxDelayMs, factor, statusCodes) are read as their new names; giving both names of one
 * setting is refused.
 */
export function resolveRetryPolicy(input: RetryPolicyInput = {}, retries?: number): Readonly<RetryPolicy> {
  if (typeof input !== 'object' || input === null) throw invalid('retryPolicy must be an object');
  unknownKeys(input, [...POLICY_KEYS, ...Object.keys(LEGACY)], 'retryPolicy');
  const given = { ...input } as RetryPolicyInput & Record<string, unknown>;
  const backoffIn: Record<string, unknown> = { ...(input.backoff ?? {}) };
  if (typeof input.backoff !== 'undefined') {
    if (typeof input.backoff !== 'object' || input.backoff === null) throw invalid('retryPolicy.backoff must be an object');
    unknownKeys(input.backoff, BACKOFF_KEYS, 'retryPolicy.backoff');
  }
  for (const [old, now] of Object.entries(LEGACY)) {
    if (given[old] === undefined) continue;
    const [head, sub] = now.split('.') as [string, string | undefined];
    const taken = sub ? backoffIn[sub] !== undefined : given[head] !== undefined;
    if (taken) throw invalid(`retryPolicy.${old} and retryPolicy.${now} name the same setting: keep ${now}`);
    const value = old === 'retries' ? number(given[old], 'retryPolicy.retries', 0, true) + 1 : given[old];
    if (sub) backoffIn[sub] = value;
    else given[head] = value;
  }
  const d = DEFAULT_RETRY_POLICY;
  const shorthand = retries === undefined ? undefined : number(retries, 'retries', 0, true) + 1;
  const jitter = backoffIn.jitter ?? d.backoff.jitter;
  if (jitter !== 'full' && jitter !== 'equal' && jitter !== 'none') {
    throw invalid(`retryPolicy.backoff.jitter must be 'full', 'equal' or 'none', not ${String(jitter)}`);
  }
  return Object.freeze({
    maxAttempts: number(given.maxAttempts ?? shorthand ?? d.maxAttempts, 'retryPolicy.maxAttempts', 1, true),
    statuses: given.statuses === undefined ? d.statuses : list(given.statuses, 'retryPolicy.statuses', isStatus, 'HTTP statuses'),
    codes: given.codes === undefined ? d.codes : list(given.codes, 'retryPolicy.codes', isCode, 'non-empty strings'),
    permanent: given.permanent === undefined ? d.permanent : list(given.permanent, 'retryPolicy.permanent', isCode, 'non-empty strings'),
    backoff: Object.freeze({
      baseMs: number(backoffIn.baseMs ?? d.backoff.baseMs, 'retryPolicy.backoff.baseMs', 0),
      factor: number(backoffIn.factor ?? d.backoff.factor, 'retryPolicy.backoff.factor', 1),
      maxMs: number(backoffIn.maxMs ?? d.backoff.maxMs, 'retryPolicy.backoff.maxMs', 0),
      jitter,
    }),
    retryAfterMaxMs: number(given.retryAfterMaxMs ?? d.retryAfterMaxMs, 'retryPolicy.retryAfterMaxMs', 0),
  });
}

/** What the policy looks at in a failed attempt. */
export interface Failure {
  status?: number;
  code?: string;
  /** The answer's Retry-After header, as sent. */
  retryAfter?: string;
}

export function isRetryable(failure: Failure, policy: RetryPolicy): boolean {
  if (failure.code !== undefined && policy.permanent.includes(failure.code)) return false;
  return (
    (failure.status !== undefined && policy.statuses.includes(failure.status)) ||
    (failure.code !== undefined && policy.codes.includes(failure.code))
  );
}

/** Milliseconds a Retry-After asks for (delta-seconds or an HTTP date), or undefined when it is absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form starts with the day's name; anything else (a fraction, a sign) is not Retry-After.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before retry `retry` (1 for the first retry). */
export function delayBeforeRetry(policy: RetryPolicy, retry: number, failure: Failure, random = Math.random): number {
  const asked = policy.retryAfterMaxMs > 0 ? retryAfterMs(failure.retryAfter) : undefined;
  if (asked !== undefined) return Math.min(asked, policy.retryAfterMaxMs);
  const { baseMs, factor, maxMs, jitter } = policy.backoff;
  const ceiling = Math.min(maxMs, baseMs * factor ** (retry - 1));
  if (jitter === 'none') return ceiling;
  if (jitter === 'equal') return ceiling / 2 + random() * (ceiling / 2);
  return random() * ceiling;
}
