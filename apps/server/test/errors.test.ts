import { createServer as createNetServer, type Server } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, ServerError } from '../src/index.js';
import { stack, ticket, type Stack } from './harness.js';

describe('bad input and auth', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ bearerTokens: ['a-long-enough-bearer-token'] });
  });
  afterAll(() => s.close());
  const auth = { headers: { authorization: 'Bearer a-long-enough-bearer-token' } };

  it.each(['', 'exe', '../jpg', '%2e%2ejpg', 'j.pg', 'x'.repeat(50), 'jpg%00', 'jp g'])(
    'refuses ext=%j with 400 and the allow-list',
    async (ext) => {
      const { status, json } = await ticket(s.base, `/sts-direct-sign?ext=${encodeURIComponent(ext)}`, auth);
      expect(status).toBe(400);
      expect(json.code).toBe('SRV_ERR_INVALID_EXTENSION');
      expect(json.message).toContain('jpg, jpeg, png, gif, bmp');
    },
  );

  it('accepts the extension in any case, and POST as well as GET', async () => {
    expect((await ticket(s.base, '/sts-direct-sign?ext=JpEg', auth)).json.data.cosKey).toMatch(/\.jpeg$/);
    const post = await ticket(s.base, '/sts-direct-sign', {
      method: 'POST',
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ ext: 'png' }),
    });
    expect(post.json.data.cosKey).toMatch(/\.png$/);
  });

  it('needs the bearer token', async () => {
    expect((await ticket(s.base, '/sts-direct-sign?ext=jpg')).status).toBe(401);
    const wrong = await ticket(s.base, '/sts-direct-sign?ext=jpg', { headers: { authorization: 'Bearer nope-nope-nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe('SRV_ERR_UNAUTHENTICATED');
  });

  it('answers unknown routes with JSON 404, and /healthz', async () => {
    const res = await ticket(s.base, '/nope');
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('SRV_ERR_NOT_FOUND');
    expect((await ticket(s.base, '/healthz')).json.status).toBe('ok');
  });
});

describe('JWT and custom authentication', () => {
  const secret = 'a-jwt-secret-that-is-at-least-32-chars!!';
  let s: Stack;
  let hooked: Stack;
  beforeAll(async () => {
    s = await stack({ jwt: { secret, issuer: 'tests' } });
    hooked = await stack({
      authenticate: (req) => {
        if (req.headers['x-user'] !== 'alice') throw new ServerError('SRV_ERR_FORBIDDEN', 'only alice may upload');
      },
    });
  });
  afterAll(async () => {
    await s.close();
    await hooked.close();
  });

  it('verifies HS256 tokens with issuer', async () => {
    const good = await new SignJWT({ sub: 'u1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('tests')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    expect((await ticket(s.base, '/sts-direct-sign?ext=jpg', { headers: { authorization: `Bearer ${good}` } })).status).toBe(200);
    const otherIssuer = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('else').sign(new TextEncoder().encode(secret));
    expect((await ticket(s.base, '/sts-direct-sign?ext=jpg', { headers: { authorization: `Bearer ${otherIssuer}` } })).status).toBe(401);
  });

  it('runs an authenticate hook', async () => {
    expect((await ticket(hooked.base, '/sts-direct-sign?ext=jpg', { headers: { 'x-user': 'alice' } })).status).toBe(200);
    const bob = await ticket(hooked.base, '/sts-direct-sign?ext=jpg', { headers: { 'x-user': 'bob' } });
    expect(bob.status).toBe(403);
    expect(bob.json.message).toBe('only alice may upload');
  });
});

describe('rate limiting and STS failures', () => {
  it('answers 429 past the limit', async () => {
    const s = await stack({ rateLimit: { max: 2, timeWindow: '1 minute' } });
    try {
      await ticket(s.base, '/sts-direct-sign?ext=jpg');
      await ticket(s.base, '/sts-direct-sign?ext=jpg');
      const third = await ticket(s.base, '/sts-direct-sign?ext=jpg');
      expect(third.status).toBe(429);
      expect(third.json.code).toBe('SRV_ERR_RATE_LIMITED');
    } finally {
      await s.close();
    }
  });

  it("answers 502 naming STS's own error code, without its message, when STS refuses", async () => {
    const s = await stack({ secretKey: 'not-the-emulator-secret' });
    try {
      const res = await ticket(s.base, '/sts-direct-sign?ext=jpg');
      expect(res.status).toBe(502);
      expect(res.json.code).toBe('SRV_ERR_STS_FAILED');
      expect(res.json.message).toBe('The STS service refused to issue a temporary key (AuthFailure.SignatureFailure)');
      expect(JSON.stringify(res.json)).not.toMatch(/not-the-emulator-secret|RequestId/);
      expect(s.logs.join('')).toContain('AuthFailure.SignatureFailure');
      expect(s.logs.join('')).not.toContain('not-the-emulator-secret');
    } finally {
      await s.close();
    }
  });

  // STS that cannot be reached at all says why, in the answer and in the log, one kind at a time.
  const unreachable = async (stsEndpoint: string) => {
    const logs: string[] = [];
    const app = await createServer({
      secretId: 'AKIDx',
      secretKey: 'secret-key-x',
      bucket: 'dev-1250000000',
      region: 'ap-guangzhou',
      stsEndpoint,
      stsTimeoutMs: 10_000,
      rateLimit: false,
      logger: { level: 'error', stream: { write: (line: string) => logs.push(line) } },
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/sts-direct-sign?ext=jpg' });
      return { status: res.statusCode, body: res.json() as { code: string; message: string }, log: logs.join('') };
    } finally {
      await app.close();
    }
  };

  it('answers 502 SRV_ERR_STS_UNREACHABLE naming a refused connection', async () => {
    const closed: Server = createNetServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const { status, body, log } = await unreachable(`127.0.0.1:${port}`);
    expect(status).toBe(502);
    expect(body.code).toBe('SRV_ERR_STS_UNREACHABLE');
    expect(body.message).toContain(`the connection to 127.0.0.1:${port} failed (ECONNREFUSED)`);
    expect(log).toContain('STS could not be reached');
    expect(log).not.toContain('COS refused');
  });

  it('answers 502 SRV_ERR_STS_UNREACHABLE naming a name that does not resolve', async () => {
    // .invalid never resolves (RFC 2606): no network is needed to fail.
    const { body } = await unreachable('sts.cos-direct.invalid');
    expect(body.code).toBe('SRV_ERR_STS_UNREACHABLE');
    expect(body.message).toMatch(/sts\.cos-direct\.invalid could not be resolved \(DNS, (ENOTFOUND|EAI_AGAIN)\)/);
  });

  it('answers 502 SRV_ERR_STS_UNREACHABLE naming a certificate that is not trusted', async () => {
    // The emulator's own STS, with a CA this process was not told to trust.
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { startEmulator } = await import('@cos-direct/emulator');
    const emu = await startEmulator({ caDir: await mkdtemp(join(tmpdir(), 'cos-untrusted-ca-')), httpPort: 0, httpsPort: 0 });
    try {
      const { body } = await unreachable(emu.info.sts!.endpoint);
      expect(body.code).toBe('SRV_ERR_STS_UNREACHABLE');
      // The code depends on what the process trusts: another CA of the same name gives CERT_SIGNATURE_FAILURE.
      expect(body.message).toMatch(/TLS certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_\w+|CERT_SIGNATURE_FAILURE)\)/);
    } finally {
      await emu.close();
    }
  });

  it('answers 502 SRV_ERR_STS_TIMEOUT when STS hangs', async () => {
    const hang: Server = createNetServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const app = await createServer({
      secretId: 'AKIDx',
      secretKey: 'secret-key-x',
      bucket: 'dev-1250000000',
      region: 'ap-guangzhou',
      stsEndpoint: `127.0.0.1:${(hang.address() as { port: number }).port}`,
      stsTimeoutMs: 300,
      rateLimit: false,
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/sts-direct-sign?ext=jpg' });
      expect(res.statusCode).toBe(502);
      expect(res.json().code).toBe('SRV_ERR_STS_TIMEOUT');
    } finally {
      await app.close();
      hang.close();
    }
  });
});
