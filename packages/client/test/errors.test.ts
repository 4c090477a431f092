import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../src/describe.js';
import { CosDirectError } from '../src/errors.js';
import { DEFAULT_RETRY_POLICY, isRetryable } from '../src/lib/retry-policy.js';
import { uploadWith } from '../src/upload.js';
import { MiB, memorySource, observe, pattern, type Stack, stack } from './support/stack.js';

// Each outcome an app handles differently, produced for real: the emulator, a sign server configured to
// refuse, a closed port, a TLS server whose CA nobody trusts.

const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };

async function failure(run: () => Promise<unknown>): Promise<CosDirectError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CosDirectError);
  return error as CosDirectError;
}

let s: Stack;
beforeAll(async () => {
  s = await stack({ maxSize: MiB, maxMultipartSize: 2 * MiB });
});
afterAll(async () => {
  await s?.close();
});

describe('refusals of the file', () => {
  it('a file over the multipart limit: CLIENT_ERR_TOO_LARGE with the server code, the size and the limit', async () => {
    const net = observe(s.transport);
    const e = await failure(() =>
      uploadWith({ transport: net.transport }, memorySource(pattern(3 * MiB), 'big.bin'), {
        signUrl: s.signUrl,
        multipartThreshold: MiB,
        ...fast,
      }),
    );
    expect(e).toMatchObject({
      code: 'CLIENT_ERR_TOO_LARGE',
      status: 400,
      serverCode: 'SRV_ERR_INVALID_SIZE',
      size: 3 * MiB,
      // The refusal does not say the limit: /limits does. A multipart ticket is held to maxSize too (1 MiB
      // here), not only to maxMultipartSize (2 MiB).
      maxSize: MiB,
      permanent: true,
    });
    expect(e.message).toContain(`at most ${MiB} bytes`);
    expect(net.log.map((l) => new URL(l.req.url).pathname)).toEqual(['/sts-multipart', '/limits']);
    expect(describeError(e)).toBe('The file is 3.0 MiB; the server accepts at most 1.0 MiB.');
    expect(describeError(e, 'zh')).toBe('文件大小为 3.0 MiB，服务器最多接受 1.0 MiB。');
  });

  it('a file over the multipart limit of a sign server without /limits: the refusal without the limit', async () => {
    // A sign server of an older version: /limits is not found.
    const net = observe(s.transport, async (req, send) =>
      new URL(req.url).pathname === '/limits' ? { status: 404, headers: {}, text: '{"code":"SRV_ERR_NOT_FOUND","message":"no"}' } : send(),
    );
    const e = await failure(() =>
      uploadWith({ transport: net.transport }, memorySource(pattern(3 * MiB), 'big.bin'), {
        signUrl: s.signUrl,
        multipartThreshold: MiB,
        ...fast,
      }),
    );
    expect(e).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE', serverCode: 'SRV_ERR_INVALID_SIZE', size: 3 * MiB });
    expect(e.maxSize).toBeUndefined();
    expect(net.log).toHaveLength(2);
    expect(describeError(e)).toBe('The file is larger than the server allows.');
    expect(describeError(e, 'zh')).toBe('文件超过了服务器允许的大小。');
  });

  it("a file over the direct ticket's maxSize: CLIENT_ERR_TOO_LARGE before a byte is sent, in sizes", async () => {
    const e = await failure(() =>
      uploadWith({ transport: s.transport }, memorySource(pattern(MiB + 1), 'a.jpg'), { signUrl: s.signUrl, multipartThreshold: 8 * MiB }),
    );
    expect(e).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE', size: MiB + 1, maxSize: MiB });
    expect(describeError(e)).toBe('The file is 1.0 MiB; the server accepts at most 1.0 MiB.');
  });

  it('a refused type: CLIENT_ERR_TYPE_NOT_ALLOWED with the extension, asked once', async () => {
    const net = observe(s.transport);
    const e = await failure(() =>
      uploadWith({ transport: net.transport }, memorySource(pattern(10), 'tool.EXE'), { signUrl: s.signUrl, ...fast }),
    );
    expect(e).toMatchObject({
      code: 'CLIENT_ERR_TYPE_NOT_ALLOWED',
      status: 400,
      serverCode: 'SRV_ERR_INVALID_EXTENSION',
      ext: 'EXE',
      permanent: true,
    });
    expect(net.log).toHaveLength(1);
    expect(describeError(e)).toBe('The server does not accept .exe files.');
    expect(describeError(e, 'zh')).toBe('服务器不接受 .exe 文件。');
  });
});

describe('refusals of the caller', () => {
  let guarded: Stack;
  beforeAll(async () => {
    guarded = await stack({ bearerTokens: ['a-token-of-sixteen-chars'], rateLimit: { max: 1, timeWindow: '1 minute' } });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('no token, or a wrong one: CLIENT_ERR_UNAUTHENTICATED (401), not retried', async () => {
    const net = observe(guarded.transport);
    const e = await failure(() =>
      uploadWith({ transport: net.transport }, memorySource(pattern(10), 'a.jpg'), {
        signUrl: guarded.signUrl,
        headers: { authorization: 'Bearer not-the-token-at-all' },
        ...fast,
      }),
    );
    expect(e).toMatchObject({ code: 'CLIENT_ERR_UNAUTHENTICATED', status: 401, serverCode: 'SRV_ERR_UNAUTHENTICATED', permanent: false });
    expect(net.log).toHaveLength(1);
    expect(describeError(e)).toBe('You need to sign in again before uploading.');
  });

  it("too many tickets: CLIENT_ERR_RATE_LIMITED with the server's Retry-After", async () => {
    const options = { signUrl: guarded.signUrl, headers: { authorization: 'Bearer a-token-of-sixteen-chars' }, retries: 0 };
    await uploadWith({ transport: guarded.transport }, memorySource(pattern(10), 'a.jpg'), options);
    const e = await failure(() => uploadWith({ transport: guarded.transport }, memorySource(pattern(10), 'b.jpg'), options));
    expect(e).toMatchObject({ code: 'CLIENT_ERR_RATE_LIMITED', status: 429, serverCode: 'SRV_ERR_RATE_LIMITED' });
    expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(describeError(e)).toMatch(/^Too many uploads in a short time\. Retry in \d+ s\.$/);
  });
});

describe('failures without an answer', () => {
  it('a sign server on a closed port: CLIENT_ERR_SIGN_SERVER_UNREACHABLE, retried by the policy', async () => {
    const closed = createNetServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as { port: number };
    await new Promise((r) => closed.close(r));
    const net = observe(s.transport);
    const e = await failure(() =>
      uploadWith({ transport: net.transport }, memorySource(pattern(10), 'a.jpg'), { signUrl: `http://127.0.0.1:${port}`, ...fast }),
    );
    expect(e).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER_UNREACHABLE', networkCode: 'ECONNREFUSED', permanent: false });
    expect(net.log).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
    expect(describeError(e)).toBe('The upload server cannot be reached. Check your network, then retry.');
  });

  it('a sign server whose certificate no one here trusts: CLIENT_ERR_CERTIFICATE, tried once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cos-client-untrusted-'));
    // A second emulator with a CA of its own, which neither NODE_EXTRA_CA_CERTS nor the stack's agent names.
    const untrusted = (await startInProcessCosEmulator({ caDir: dir })).emulator;
    try {
      const net = observe(s.transport);
      const e = await failure(() =>
        uploadWith({ transport: net.transport }, memorySource(pattern(10), 'a.jpg'), { signUrl: untrusted.info.cos.https!, ...fast }),
      );
      expect(e.code).toBe('CLIENT_ERR_CERTIFICATE');
      expect(e.networkCode).toMatch(/CERT|SIGNATURE/);
      expect(e.permanent).toBe(true);
      expect(net.log).toHaveLength(1);
      expect(describeError(e, 'zh')).toBe('服务器的证书不受信任，连接被拒绝。');
    } finally {
      await untrusted.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the retry policy says CORS and certificate failures are permanent, even when listed as codes', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, codes: [...DEFAULT_RETRY_POLICY.codes, 'ERR_CORS', 'SELF_SIGNED_CERT_IN_CHAIN'] };
    expect(isRetryable({ code: 'ERR_CORS' }, policy)).toBe(false);
    expect(isRetryable({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }, policy)).toBe(false);
    expect(isRetryable({ code: 'ECONNREFUSED' }, policy)).toBe(true);
  });
});

describe('describeError', () => {
  it('gives a sentence for every code in both languages, and one for foreign errors', async () => {
    const { ClientErrorCodes } = await import('../src/errors.js');
    for (const code of Object.keys(ClientErrorCodes) as Array<keyof typeof ClientErrorCodes>) {
      const e = new CosDirectError(code, 'x');
      expect(describeError(e)).toMatch(/^[A-Z].*\.$/);
      expect(describeError(e, 'zh')).toMatch(/[。]$/);
    }
    expect(describeError(new Error('boom'))).toBe('Something went wrong in this page. Retry, or reload the page.');
  });
});
