import { abortError, CosDirectError } from './errors.js';
import type { RetryPolicy } from './types.js';

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  retries: 3,
  minDelayMs: 200,
  maxDelayMs: 5000,
  factor: 2,
  statusCodes: Object.freeze([429, 500, 502, 503, 504]),
});

export function isRetryable(error: unknown, policy: RetryPolicy): boolean {
  if (!(error instanceof CosDirectError)) return false;
  if (error.code === 'CLIENT_ERR_NETWORK') return true;
  // A 4xx other than 429 will fail again the same way: authentication and policy refusals are final.
  return error.status !== undefined && policy.statusCodes.includes(error.status);
}

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

/**
 * Runs `attempt` until it succeeds, fails with a final error, or runs out of retries; waits with
 * exponential backoff and full jitter, or as long as a Retry-After asks.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let n = 0; ; n++) {
    if (signal?.aborted) throw abortError();
    try {
      return await attempt(n);
    } catch (e) {
      if (n >= policy.retries || !isRetryable(e, policy) || signal?.aborted) throw e;
      const retryAfter = (e as CosDirectError & { retryAfterMs?: number }).retryAfterMs;
      const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.factor ** n);
      await sleep(retryAfter ?? Math.random() * ceiling, signal);
    }
  }
}
