import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CosDirectError } from '../src/errors.js';
import { failureOf } from '../src/lib/check.js';
import type { Dispatch } from '../src/lib/dispatch.js';
import { failureOfError, retry, withRetry } from '../src/lib/retry.js';
import {
  DEFAULT_RETRY_POLICY,
  delayBeforeRetry,
  isRetryable,
  resolveRetryPolicy,
  type RetryPolicy,
  retryAfterMs,
} from '../src/lib/retry-policy.js';
import type { HttpResponse } from '../src/types.js';

// Time is faked where a test waits: it moves the clock by hand and checks whether the next attempt has
// started, so the waits are checked exactly without any wall-clock timing.

const answer = (status: number, code?: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  text: code ? `<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message></Error>` : '',
});
const network = (networkCode?: string) => new CosDirectError('CLIENT_ERR_NETWORK', 'cut', networkCode ? { networkCode } : {});

describe('resolveRetryPolicy', () => {
  it('has documented, frozen defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({
      maxAttempts: 4,
      statuses: [429, 500, 502, 503, 504],
      backoff: { baseMs: 200, factor: 2, maxMs: 5000, jitter: 'full' },
      retryAfterMaxMs: 30_000,
    });
    expect(DEFAULT_RETRY_POLICY.codes).toEqual(
      expect.arrayContaining(['SlowDown', 'InternalError', 'ECONNRESET', 'UND_ERR_SOCKET', 'ERR_NETWORK']),
    );
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.statuses)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.codes)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.backoff)).toBe(true);
    expect(resolveRetryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
  });

  it('takes any part of a policy, the rest from the defaults, and freezes the result', () => {
    const p = resolveRetryPolicy({ maxAttempts: 2, codes: ['SlowDown'], backoff: { jitter: 'none' } });
    expect(p).toEqual({
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: 2,
      codes: ['SlowDown'],
      backoff: { ...DEFAULT_RETRY_POLICY.backoff, jitter: 'none' },
    });
    expect(Object.isFrozen(p) && Object.isFrozen(p.codes) && Object.isFrozen(p.backoff)).toBe(true);
  });

  it('reads `retries` (the upload option) as retries after the first attempt; retryPolicy wins', () => {
    expect(resolveRetryPolicy({}, 0).maxAttempts).toBe(1);
    expect(resolveRetryPolicy({}, 5).maxAttempts).toBe(6);
    expect(resolveRetryPolicy({ maxAttempts: 2 }, 5).maxAttempts).toBe(2);
  });

  it('reads the deprecated flat settings as their new names', () => {
    const p = resolveRetryPolicy({ retries: 1, minDelayMs: 10, maxDelayMs: 20, factor: 3, statusCodes: [503] });
    expect(p).toMatchObject({ maxAttempts: 2, statuses: [503], backoff: { baseMs: 10, maxMs: 20, factor: 3, jitter: 'full' } });
  });

  it('refuses both names of one setting, naming the one to keep', () => {
    expect(() => resolveRetryPolicy({ retries: 1, maxAttempts: 2 })).toThrow(
      /retryPolicy.retries and retryPolicy.maxAttempts.*keep maxAttempts/,
    );
    expect(() => resolveRetryPolicy({ minDelayMs: 1, backoff: { baseMs: 1 } })).toThrow(/keep backoff.baseMs/);
    expect(() => resolveRetryPolicy({ statusCodes: [503], statuses: [503] })).toThrow(/keep statuses/);
  });

  it('refuses a misspelt setting or an out-of-range value with CLIENT_ERR_INVALID_ARGUMENT', () => {
    const refusals: Array<[unknown, RegExp]> = [
      [{ maxAttemps: 3 }, /retryPolicy.maxAttemps is not a retry setting/],
      [{ backoff: { base: 1 } }, /retryPolicy.backoff.base is not a retry setting/],
      [{ backoff: 5 }, /backoff must be an object/],
      [{ maxAttempts: 0 }, /maxAttempts must be a whole number of at least 1, not 0/],
      [{ maxAttempts: 1.5 }, /maxAttempts must be a whole number/],
      [{ retries: -1 }, /retries must be a whole number of at least 0/],
      [{ statuses: [503, 'x'] }, /statuses must be an array of HTTP statuses/],
      [{ statuses: [99] }, /statuses must be an array of HTTP statuses/],
      [{ codes: [''] }, /codes must be an array of non-empty strings/],
      [{ codes: 'SlowDown' }, /codes must be an array/],
      [{ backoff: { factor: 0.5 } }, /factor must be a finite number of at least 1/],
      [{ backoff: { baseMs: Number.NaN } }, /baseMs must be a finite number/],
      [{ backoff: { maxMs: -1 } }, /maxMs must be a finite number of at least 0/],
      [{ backoff: { jitter: 'half' } }, /jitter must be 'full', 'equal' or 'none', not half/],
      [{ retryAfterMaxMs: Number.POSITIVE_INFINITY }, /retryAfterMaxMs must be a finite number/],
      [null, /retryPolicy must be an object/],
    ];
    for (const [input, message] of refusals) {
      let error: unknown;
      try {
        resolveRetryPolicy(input as never);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(input)).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT', message: expect.stringMatching(message) });
    }
    expect(() => resolveRetryPolicy({}, 2.5)).toThrow(/retries must be a whole number/);
  });
});

describe('what is retried', () => {
  it('answers: the listed statuses, and the listed COS codes whatever the status (a 200 with an error body too)', () => {
    const p = DEFAULT_RETRY_POLICY;
    for (const status of [429, 500, 502, 503, 504]) expect(isRetryable(failureOf(answer(status))!, p), String(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 411, 412, 413, 501])
      expect(isRetryable(failureOf(answer(status))!, p), String(status)).toBe(false);
    expect(isRetryable(failureOf(answer(400, 'RequestTimeout'))!, p)).toBe(true);
    expect(isRetryable(failureOf(answer(200, 'InternalError'))!, p)).toBe(true);
    expect(isRetryable(failureOf(answer(403, 'AccessDenied'))!, p)).toBe(false);
    expect(failureOf(answer(200))).toBeUndefined();
    expect(failureOf(answer(204))).toBeUndefined();
    expect(
      failureOf({ status: 200, headers: {}, text: '<CompleteMultipartUploadResult><ETag>e</ETag></CompleteMultipartUploadResult>' }),
    ).toBeUndefined();
    expect(failureOf(answer(503, 'SlowDown', { 'retry-after': '2' }))).toEqual({ status: 503, code: 'SlowDown', retryAfter: '2' });
    expect(failureOf({ status: 429, headers: {}, text: '{"code":"SRV_ERR_RATE_LIMITED"}' })).toEqual({ status: 429 });
  });

  it('errors: network failures by code, refusals by status and code; nothing else', () => {
    const p = DEFAULT_RETRY_POLICY;
    const retried = (e: unknown) => {
      const f = failureOfError(e);
      return f !== undefined && isRetryable(f, p);
    };
    expect(retried(network('ECONNRESET'))).toBe(true);
    expect(retried(network('UND_ERR_SOCKET'))).toBe(true);
    expect(retried(network())).toBe(true); // ERR_NETWORK: the platform named no cause
    expect(retried(network('SELF_SIGNED_CERT_IN_CHAIN'))).toBe(false); // another attempt fails the same
    expect(retried(new CosDirectError('CLIENT_ERR_SIGN_SERVER', 'busy', { status: 503 }))).toBe(true);
    expect(retried(new CosDirectError('CLIENT_ERR_COS', 'slow', { status: 400, cosCode: 'RequestTimeout' }))).toBe(true);
    expect(retried(new CosDirectError('CLIENT_ERR_COS', 'no status'))).toBe(false);
    expect(retried(new CosDirectError('CLIENT_ERR_INTEGRITY', 'crc', { status: 500 }))).toBe(false);
    expect(retried(new CosDirectError('CLIENT_ERR_ABORTED', 'aborted'))).toBe(false);
    expect(retried(new Error('boom'))).toBe(false);
    expect(retried('a string')).toBe(false);
    expect(isRetryable(failureOfError(network('ECONNRESET'))!, resolveRetryPolicy({ codes: [] }))).toBe(false);
  });
});

describe('how long it waits', () => {
  const p = (backoff: Partial<RetryPolicy['backoff']>, rest: Partial<RetryPolicy> = {}) => resolveRetryPolicy({ backoff, ...rest });

  it('at most base·factorⁿ⁻¹, capped at maxMs, drawn by the jitter', () => {
    const none = p({ baseMs: 100, factor: 2, maxMs: 500, jitter: 'none' });
    expect([1, 2, 3, 4, 5].map((n) => delayBeforeRetry(none, n, {}))).toEqual([100, 200, 400, 500, 500]);
    const full = p({ baseMs: 100, factor: 2, maxMs: 500, jitter: 'full' });
    expect(delayBeforeRetry(full, 2, {}, () => 0)).toBe(0);
    expect(delayBeforeRetry(full, 2, {}, () => 0.5)).toBe(100);
    const equal = p({ baseMs: 100, factor: 2, maxMs: 500, jitter: 'equal' });
    expect(delayBeforeRetry(equal, 2, {}, () => 0)).toBe(100);
    expect(delayBeforeRetry(equal, 2, {}, () => 1)).toBe(200);
  });

  it('as long as Retry-After asks (beyond maxMs), up to retryAfterMaxMs; 0 ignores it', () => {
    const policy = p({ baseMs: 1, maxMs: 1, jitter: 'none' }, { retryAfterMaxMs: 10_000 });
    expect(delayBeforeRetry(policy, 1, { retryAfter: '3' })).toBe(3000);
    expect(delayBeforeRetry(policy, 1, { retryAfter: '3600' })).toBe(10_000);
    expect(delayBeforeRetry(policy, 1, { retryAfter: 'soon' })).toBe(1);
    expect(
      delayBeforeRetry(resolveRetryPolicy({ retryAfterMaxMs: 0, backoff: { jitter: 'none', baseMs: 7 } }), 1, { retryAfter: '3' }),
    ).toBe(7);
  });

  it('reads Retry-After as delta-seconds or an HTTP date, and nothing else', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 01 Mar 2026 10:00:02 GMT', now)).toBe(2000);
    expect(retryAfterMs('Sunday, 01-Mar-26 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0);
    for (const bad of ['0.5', '-3', 'soon', '', undefined]) expect(retryAfterMs(bad, now), String(bad)).toBeUndefined();
  });
});

describe('the retry step', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A dispatch that answers (or throws) the given outcomes in turn; counts its calls. */
  function scripted(outcomes: Array<HttpResponse | Error>) {
    const calls: number[] = [];
    const next: Dispatch = async () => {
      calls.push(calls.length + 1);
      const o = outcomes[calls.length - 1]!;
      if (o instanceof Error) throw o;
      return o;
    };
    return { next, calls };
  }
  const req = (signal?: AbortSignal) => ({ what: 'PUT x', method: 'PUT', url: 'https://h/x', headers: {}, ...(signal ? { signal } : {}) });
  const none = (rest: Partial<RetryPolicy> = {}) =>
    resolveRetryPolicy({ backoff: { baseMs: 100, factor: 2, maxMs: 400, jitter: 'none' }, ...rest });

  it('retries until an answer succeeds, waiting the backoff before each retry', async () => {
    const { next, calls } = scripted([answer(503, 'SlowDown'), network('ECONNRESET'), answer(500), answer(200)]);
    const result = retry(none())(next)(req());
    await vi.advanceTimersByTimeAsync(0);
    for (const [i, wait] of [100, 200, 400].entries()) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(calls, `before retry ${i + 1}`).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls, `after retry ${i + 1}`).toHaveLength(i + 2);
    }
    await expect(result).resolves.toMatchObject({ status: 200 });
  });

  it('waits as long as a Retry-After asks, capped by the policy', async () => {
    const { next, calls } = scripted([
      answer(503, 'SlowDown', { 'retry-after': '3' }),
      answer(429, undefined, { 'retry-after': '120' }),
      answer(200),
    ]);
    const result = retry(none({ retryAfterMaxMs: 5000 }))(next)(req());
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ status: 200 });
  });

  it('waits until the HTTP date a Retry-After names', async () => {
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const { next, calls } = scripted([answer(503, undefined, { 'retry-after': 'Sun, 01 Mar 2026 10:00:02 GMT' }), answer(200)]);
    const result = retry(none())(next)(req());
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ status: 200 });
  });

  it('passes on the last answer after maxAttempts, and a final answer at once', async () => {
    const last = scripted([answer(503), answer(503), answer(503, 'SlowDown')]);
    const out = retry(none({ maxAttempts: 3 }))(last.next)(req());
    await vi.runAllTimersAsync();
    await expect(out).resolves.toMatchObject({ status: 503, text: expect.stringContaining('SlowDown') });
    expect(last.calls).toHaveLength(3);
    const final = scripted([answer(403, 'AccessDenied')]);
    await expect(retry(none())(final.next)(req())).resolves.toMatchObject({ status: 403 });
    expect(final.calls).toHaveLength(1);
  });

  it('throws the last network error, and a final one (TLS) without retrying', async () => {
    const { next, calls } = scripted([network('ECONNRESET'), network('ECONNRESET')]);
    const out = retry(none({ maxAttempts: 2 }))(next)(req()).catch((e) => e);
    await vi.runAllTimersAsync();
    expect(await out).toMatchObject({ code: 'CLIENT_ERR_NETWORK', networkCode: 'ECONNRESET' });
    expect(calls).toHaveLength(2);
    const tls = scripted([network('UNABLE_TO_VERIFY_LEAF_SIGNATURE')]);
    expect(await retry(none())(tls.next)(req()).catch((e) => e.networkCode)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(tls.calls).toHaveLength(1);
  });

  it('stops waiting when the signal aborts, without another attempt', async () => {
    const controller = new AbortController();
    const { next, calls } = scripted([answer(503)]);
    const out = retry(none({ backoff: { baseMs: 1000, maxMs: 1000, factor: 2, jitter: 'none' } }))(next)(req(controller.signal)).catch(
      (e) => e,
    );
    await vi.advanceTimersByTimeAsync(500);
    controller.abort();
    expect(await out).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('makes no attempt when the signal is already aborted, and passes on an attempt’s own error when it aborted during it', async () => {
    const controller = new AbortController();
    controller.abort();
    const { next, calls } = scripted([]);
    expect(await retry(none())(next)(req(controller.signal)).catch((e) => e.code)).toBe('CLIENT_ERR_ABORTED');
    expect(calls).toEqual([]);
    const during = new AbortController();
    const err = await withRetry(
      async () => {
        during.abort();
        throw network('ECONNRESET');
      },
      none(),
      during.signal,
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_NETWORK', networkCode: 'ECONNRESET' });
  });

  it('withRetry: the same policy around a function that throws the client’s errors', async () => {
    let n = 0;
    const out = withRetry(async (attempt) => {
      n = attempt;
      if (attempt < 3) throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', 'busy', { status: 503 });
      return 'ticket';
    }, none());
    await vi.runAllTimersAsync();
    await expect(out).resolves.toBe('ticket');
    expect(n).toBe(3);
  });
});
