import { CosDirectError, DEFAULT_RETRY_POLICY, upload } from '@cos-direct/client/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// Short waits between attempts: what is tested is that the client retries, not how long it waits.
const fast = { backoff: { baseMs: 1, maxMs: 5 } };

describe("the client's retry policy against injected faults", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());
  afterEach(() => s.emu.faults.clear());

  const putsOf = (key: string) =>
    s.emu.requests
      .list()
      .filter((e) => e.operation === 'PutObject' && e.key === key)
      .map((e) => [e.status, e.fault?.action ?? null]);

  it('retries through two 503 SlowDown answers and succeeds', async () => {
    s.emu.faults.set([{ operation: 'PutObject', status: 503, code: 'SlowDown', count: 2 }]);
    const result = await upload(Buffer.from('retried twice'), {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      ext: 'txt',
      retryPolicy: fast,
    });
    expect((await s.getObject(result.key)).body.toString()).toBe('retried twice');
    expect(putsOf(result.key)).toEqual([
      [503, 'error'],
      [503, 'error'],
      [200, null],
    ]);
  });

  it('gives up with the COS status when the faults outlast its retries', async () => {
    s.emu.faults.set([{ operation: 'PutObject', status: 503, code: 'SlowDown', count: 3 }]);
    const failed = await upload(Buffer.from('x'), {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      ext: 'txt',
      retryPolicy: { ...fast, maxAttempts: 3 },
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(CosDirectError);
    expect((failed as CosDirectError).status).toBe(503);
    expect(s.emu.faults.list()[0]).toMatchObject({ hits: 3, remaining: 0 });
  });

  for (const rule of [{ reset: true }, { reset: 'mid-body' as const }, { truncate: true }]) {
    it(`sees ${JSON.stringify(rule)} as a network error, and retries through it`, async () => {
      s.emu.faults.set([{ operation: 'PutObject', count: 1, ...rule }]);
      const failed = await upload(Buffer.from('cut'), {
        signUrl: s.signUrl,
        dispatcher: s.dispatcher,
        ext: 'txt',
        retryPolicy: { ...fast, maxAttempts: 1 },
      }).catch((e: unknown) => e);
      expect((failed as CosDirectError).code).toBe('CLIENT_ERR_NETWORK');
      // The policy retries this failure by its code (a connection reset or a closed socket).
      expect(DEFAULT_RETRY_POLICY.codes).toContain((failed as CosDirectError).networkCode);

      s.emu.faults.set([{ operation: 'PutObject', count: 1, ...rule }]);
      const result = await upload(Buffer.from('through'), { signUrl: s.signUrl, dispatcher: s.dispatcher, ext: 'txt', retryPolicy: fast });
      expect((await s.getObject(result.key)).body.toString()).toBe('through');
      expect(s.emu.faults.list()[0]!.hits).toBe(1);
    });
  }
});
