import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CosDirectError } from '../src/errors.js';
import { cosError } from '../src/responses.js';
import { DEFAULT_RETRY_POLICY, isRetryable, withRetry } from '../src/retry.js';
import type { HttpResponse, RetryPolicy } from '../src/types.js';

// Time is faked here: each test moves the clock by hand and checks whether the next attempt has
// started, so the waits are checked exactly without any wall-clock timing.

const refusal = (status: number, requestId?: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { ...(requestId ? { 'x-cos-request-id': requestId } : {}), ...headers },
  text: `<Error><Code>${status === 429 ? 'SlowDown' : status >= 500 ? 'InternalError' : 'AccessDenied'}</Code><Message>m</Message></Error>`,
});

describe('isRetryable', () => {
  it('retries network errors and the default statuses 429, 500, 502, 503, 504', () => {
    expect(isRetryable(new CosDirectError('CLIENT_ERR_NETWORK', 'reset'), DEFAULT_RETRY_POLICY)).toBe(true);
    for (const status of [429, 500, 502, 503, 504]) {
      expect(isRetryable(cosError(refusal(status), 'PUT'), DEFAULT_RETRY_POLICY), String(status)).toBe(true);
    }
  });

  it('does not retry other refusals, errors without a status, or foreign errors', () => {
    for (const status of [400, 401, 403, 404, 409, 411, 412, 501]) {
      expect(isRetryable(cosError(refusal(status), 'PUT'), DEFAULT_RETRY_POLICY), String(status)).toBe(false);
    }
    expect(isRetryable(new CosDirectError('CLIENT_ERR_COS', 'no status'), DEFAULT_RETRY_POLICY)).toBe(false);
    expect(isRetryable(new CosDirectError('CLIENT_ERR_ABORTED', 'aborted'), DEFAULT_RETRY_POLICY)).toBe(false);
    expect(
      isRetryable(new CosDirectError('CLIENT_ERR_INTEGRITY', 'crc', { status: 500 }), { ...DEFAULT_RETRY_POLICY, statusCodes: [] }),
    ).toBe(false);
    expect(isRetryable(new Error('boom'), DEFAULT_RETRY_POLICY)).toBe(false);
    expect(isRetryable('a string', DEFAULT_RETRY_POLICY)).toBe(false);
  });

  it('follows the statuses the policy lists', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, statusCodes: [418] };
    expect(isRetryable(cosError(refusal(418), 'PUT'), policy)).toBe(true);
    expect(isRetryable(cosError(refusal(503), 'PUT'), policy)).toBe(false);
  });

  it('has documented, frozen defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      retries: 3,
      minDelayMs: 200,
      maxDelayMs: 5000,
      factor: 2,
      statusCodes: [429, 500, 502, 503, 504],
    });
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.statusCodes)).toBe(true);
  });
});

describe('withRetry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** An attempt function that fails with the given errors in turn, then succeeds; counts its calls. */
  function failing(errors: unknown[], value = 'ok') {
    const calls: number[] = [];
    const fn = async (n: number) => {
      calls.push(n);
      if (calls.length <= errors.length) throw errors[calls.length - 1];
      return value;
    };
    return { fn, calls };
  }

  it('returns the first success without waiting', async () => {
    const { fn, calls } = failing([]);
    await expect(withRetry(fn, DEFAULT_RETRY_POLICY)).resolves.toBe('ok');
    expect(calls).toEqual([0]);
  });

  it('waits at most min·factorⁿ, capped at maxDelayMs, before attempt n+1', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // the top of the jitter range
    const policy: RetryPolicy = { retries: 5, minDelayMs: 100, maxDelayMs: 500, factor: 2, statusCodes: [503] };
    const net = () => new CosDirectError('CLIENT_ERR_NETWORK', 'reset');
    const { fn, calls } = failing([net(), net(), net(), net(), net()]);
    const result = withRetry(fn, policy);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    for (const [i, ceiling] of [100, 200, 400, 500, 500].entries()) {
      await vi.advanceTimersByTimeAsync(ceiling - 1);
      expect(calls, `before retry ${i + 1}`).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls, `after retry ${i + 1}`).toHaveLength(i + 2);
    }
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('draws the wait from the whole range (full jitter): at the bottom, retries at once', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { fn, calls } = failing([new CosDirectError('CLIENT_ERR_NETWORK', 'reset'), new CosDirectError('CLIENT_ERR_NETWORK', 'reset')]);
    const start = Date.now();
    const result = withRetry(fn, { ...DEFAULT_RETRY_POLICY, minDelayMs: 10_000, maxDelayMs: 10_000 });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(calls).toHaveLength(3);
    // The fake clock did not move: both waits were zero.
    expect(Date.now()).toBe(start);
  });

  it('waits as long as Retry-After (seconds) asks, even beyond maxDelayMs', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const { fn, calls } = failing([cosError(refusal(503, 'r1', { 'retry-after': '3' }), 'PUT x')]);
    const result = withRetry(fn, { ...DEFAULT_RETRY_POLICY, minDelayMs: 1, maxDelayMs: 10 });
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await expect(result).resolves.toBe('ok');
  });

  it('waits until the HTTP date a Retry-After names', async () => {
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const { fn, calls } = failing([cosError(refusal(429, 'r1', { 'retry-after': 'Sun, 01 Mar 2026 10:00:02 GMT' }), 'PUT x')]);
    const result = withRetry(fn, { ...DEFAULT_RETRY_POLICY, minDelayMs: 1, maxDelayMs: 1 });
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await expect(result).resolves.toBe('ok');
  });

  it('gives up after `retries` more attempts with the last error, its code, status and request id', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { fn, calls } = failing([1, 2, 3].map((i) => cosError(refusal(503, `rid-${i}`), `Upload Part ${i}`)));
    const outcome = withRetry(fn, { ...DEFAULT_RETRY_POLICY, retries: 2 }).catch((e) => e);
    await vi.runAllTimersAsync();
    const err = await outcome;
    expect(calls).toEqual([0, 1, 2]);
    expect(err).toBeInstanceOf(CosDirectError);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', status: 503, cosCode: 'InternalError', requestId: 'rid-3' });
    expect(err.message).toContain('[request rid-3]');
  });

  it('does not retry a final refusal', async () => {
    const { fn, calls } = failing([cosError(refusal(403, 'rid-403'), 'PUT x')]);
    const err = await withRetry(fn, DEFAULT_RETRY_POLICY).catch((e) => e);
    expect(calls).toEqual([0]);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', status: 403, requestId: 'rid-403' });
  });

  it('with retries: 0 makes one attempt', async () => {
    const { fn, calls } = failing([new CosDirectError('CLIENT_ERR_NETWORK', 'reset')]);
    const err = await withRetry(fn, { ...DEFAULT_RETRY_POLICY, retries: 0 }).catch((e) => e);
    expect(calls).toEqual([0]);
    expect(err.code).toBe('CLIENT_ERR_NETWORK');
  });

  it('stops waiting when the signal aborts, without another attempt', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const controller = new AbortController();
    const { fn, calls } = failing([new CosDirectError('CLIENT_ERR_NETWORK', 'reset')]);
    const outcome = withRetry(fn, { ...DEFAULT_RETRY_POLICY, minDelayMs: 1000, maxDelayMs: 1000 }, controller.signal).catch((e) => e);
    await vi.advanceTimersByTimeAsync(500);
    controller.abort();
    const err = await outcome;
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([0]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('makes no attempt when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { fn, calls } = failing([]);
    expect(await withRetry(fn, DEFAULT_RETRY_POLICY, controller.signal).catch((e) => e.code)).toBe('CLIENT_ERR_ABORTED');
    expect(calls).toEqual([]);
  });

  it("passes on the attempt's own error when the signal aborted during it", async () => {
    const controller = new AbortController();
    const err = await withRetry(
      async () => {
        controller.abort();
        throw new CosDirectError('CLIENT_ERR_NETWORK', 'cut');
      },
      DEFAULT_RETRY_POLICY,
      controller.signal,
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_NETWORK', message: 'cut' });
  });
});
