import { abortError, type ClientErrorCode, CosDirectError } from '../errors.js';
import type { HttpResponse } from '../types.js';
import { failureOf } from './check.js';
import type { Interceptor } from './dispatch.js';
import { delayBeforeRetry, type Failure, isRetryable, type RetryPolicy, UNNAMED_NETWORK_ERROR } from './retry-policy.js';

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const WITHOUT_ANSWER: readonly ClientErrorCode[] = [
  'CLIENT_ERR_NETWORK',
  'CLIENT_ERR_SIGN_SERVER_UNREACHABLE',
  'CLIENT_ERR_SIGN_SERVER_CORS',
  'CLIENT_ERR_COS_CORS',
  'CLIENT_ERR_CERTIFICATE',
];
const REFUSALS: readonly ClientErrorCode[] = ['CLIENT_ERR_COS', 'CLIENT_ERR_SIGN_SERVER', 'CLIENT_ERR_RATE_LIMITED'];

/**
 * What the policy sees of a thrown error (your getTicket's included): the network code of a failure
 * without an answer, the status, code and wait of a refusal. Other errors (integrity, aborts, bad
 * arguments, refusals of the file or the caller, foreign errors) are final.
 */
export function failureOfError(error: unknown): Failure | undefined {
  if (!(error instanceof CosDirectError)) return undefined;
  if (WITHOUT_ANSWER.includes(error.code)) return { code: error.networkCode ?? UNNAMED_NETWORK_ERROR };
  if (!REFUSALS.includes(error.code)) return undefined;
  return {
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.cosCode ? { code: error.cosCode } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfter: String(Math.ceil(error.retryAfterMs / 1000)) } : {}),
  };
}

/**
 * Runs `attempt` until its outcome is a success, a final failure, or the policy's last attempt, waiting
 * between attempts as the policy says. A failed answer that is not retried is passed on as it came.
 */
async function attempts<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (n: number) => Promise<T>,
  failureOfResult: (result: T) => Failure | undefined,
): Promise<T> {
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw abortError();
    let outcome: { result: T } | { error: unknown };
    let failure: Failure | undefined;
    try {
      const result = await attempt(n);
      outcome = { result };
      failure = failureOfResult(result);
    } catch (error) {
      outcome = { error };
      failure = failureOfError(error);
    }
    const final = !failure || !isRetryable(failure, policy) || n >= policy.maxAttempts || signal?.aborted;
    if (final) {
      if ('error' in outcome) throw outcome.error;
      return outcome.result;
    }
    await sleep(delayBeforeRetry(policy, n, failure!), signal);
  }
}

/**
 * The retry step. It sits under `check`, because it reads the answers themselves (status, COS code,
 * Retry-After) as undici's retry handler does; `check` then turns the last answer into the typed error.
 */
export function retry(policy: RetryPolicy): Interceptor {
  return (next) => (req) => attempts<HttpResponse>(policy, req.signal, () => next(req), failureOf);
}

/** The policy around a function that throws the client's errors: your getTicket, getMultipartTicket or completeMultipart. */
export function withRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  return attempts(policy, signal, attempt, () => undefined);
}
