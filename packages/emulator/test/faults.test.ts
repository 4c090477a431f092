import { request } from 'node:http';
import { signRequest } from '@cos-direct/signer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorConfigError, FaultRuleError, type RunningEmulator } from '../src/index.js';
import { call, emulator, raw, sdk, signed, VHOST, xmlField } from './helpers.js';

/** A signed request that fails, as a client does, when the connection breaks before the whole body arrived. */
function strict(emu: RunningEmulator, method: string, key: string, body?: string): Promise<{ status: number; length: number }> {
  const headers: Record<string, string | number> = { host: VHOST, ...(body === undefined ? {} : { 'content-length': body.length }) };
  headers.authorization = signRequest({ method, pathname: `/${key}`, headers }, { credentials: emu.info.credentials }).authorization;
  const u = new URL(emu.info.cos.http);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path: `/${key}`, headers }, (res) => {
      let length = 0;
      res.on('data', (c: Buffer) => (length += c.length));
      res.on('error', reject);
      // The answer began but its body was cut: told apart from a connection reset before any answer.
      const cut = (why: string) => reject(Object.assign(new Error(`${res.statusCode} answer cut: ${why}`), { code: 'BODY_CUT' }));
      res.on('aborted', () => cut('aborted'));
      res.on('end', () => (res.complete ? resolve({ status: res.statusCode!, length }) : cut('incomplete body')));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const admin = (emu: RunningEmulator, method = 'GET', body?: unknown) =>
  fetch(emu.info.admin.faults, {
    method,
    ...(body === undefined
      ? {}
      : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });

describe('fault injection', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
  });
  afterAll(() => emu.close());
  afterEach(() => emu.faults.clear());

  it('answers an <Error> inside a 200 for Complete Multipart Upload, and refuses that shape for other operations', async () => {
    const bad = await admin(emu, 'PUT', { rules: [{ operation: 'PutObject', status: 200, code: 'InternalError' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { problems: string[] } }).error.problems[0]).toContain('status 200');
    emu.faults.set([{ operation: 'CompleteMultipartUpload', status: 200, code: 'InternalError', count: 1 }]);
    const res = await signed(emu, 'POST', 'never-started.bin', {
      query: { uploadId: 'none' },
      body: '<CompleteMultipartUpload></CompleteMultipartUpload>',
    });
    expect(res.status).toBe(200);
    expect(xmlField(res.text, 'Code')).toBe('InternalError');
  });

  it("carries the bucket's CORS headers on an injected answer, so a page sees it as COS's own", async () => {
    emu.faults.set([{ operation: 'PutObject', status: 503, code: 'SlowDown', count: 1 }]);
    const origin = 'http://app.example';
    const res = await signed(emu, 'PUT', 'cors.txt', { body: 'x', headers: { origin } });
    expect(res.status).toBe(503);
    // The dev rule every bucket starts with allows any origin.
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-expose-headers']).toContain('x-cos-request-id');
  });

  it('answers the next two PutObjects 503 SlowDown in COS XML, marked as injected; the SDK retries and succeeds', async () => {
    const set = await admin(emu, 'PUT', { rules: [{ operation: 'PutObject', status: 503, code: 'SlowDown', count: 2 }] });
    expect(set.status).toBe(200);
    const first = await signed(emu, 'PUT', 'direct.txt', { body: 'x' });
    expect(first.status).toBe(503);
    expect(xmlField(first.text, 'Code')).toBe('SlowDown');
    expect(xmlField(first.text, 'Message')).toBe('Please reduce your request rate.');
    expect(xmlField(first.text, 'Reason')).toContain('fault rule #1');
    expect(first.headers['x-cos-request-id']).toBeTruthy();
    expect(emu.refusals(1)[0]).toMatchObject({ code: 'SlowDown', status: 503, injected: true });

    // One hit left: the SDK's first attempt takes it, its retry goes through.
    await call(sdk(emu), 'putObject', { Key: 'sdk.txt', Body: Buffer.from('through the retry') });
    const rules = (await (await admin(emu)).json()) as { rules: any[] };
    expect(rules.rules[0]).toMatchObject({ name: '#1', hits: 2, remaining: 0, operations: ['PutObject'] });
    const puts = emu.requests.list().filter((e) => e.operation === 'PutObject');
    expect(puts.slice(-3).map((e) => [e.key, e.status, e.fault?.code])).toEqual([
      ['direct.txt', 503, 'SlowDown'],
      ['sdk.txt', 503, 'SlowDown'],
      ['sdk.txt', 200, undefined],
    ]);
    expect((await signed(emu, 'GET', 'sdk.txt')).text).toBe('through the retry');
  });

  it('selects by operation, bucket, key prefix and method, and a bare status gets its usual code', async () => {
    emu.faults.set([{ operation: ['GetObject', 'HeadObject'], bucket: 'dev', keyPrefix: 'flaky/', method: 'GET', status: 500 }]);
    await signed(emu, 'PUT', 'flaky/a.txt', { body: 'a' });
    await signed(emu, 'PUT', 'solid/a.txt', { body: 'a' });
    const hit = await signed(emu, 'GET', 'flaky/a.txt');
    expect([hit.status, xmlField(hit.text, 'Code')]).toEqual([500, 'InternalError']);
    expect((await signed(emu, 'GET', 'solid/a.txt')).status).toBe(200);
    expect((await signed(emu, 'HEAD', 'flaky/a.txt')).status).toBe(200);
    expect(emu.faults.list()[0]!.hits).toBe(1);
  });

  it('answers RequestTimeTooSkewed 403 as its factory renders it', async () => {
    emu.faults.set([{ operation: 'HeadObject', code: 'RequestTimeTooSkewed', count: 1 }]);
    const res = await signed(emu, 'GET', 'x.txt', { headers: {} });
    expect(res.status).toBe(404);
    await signed(emu, 'PUT', 'x.txt', { body: 'x' });
    const head = await signed(emu, 'HEAD', 'x.txt');
    expect(head.status).toBe(403);
    expect(emu.refusals(1)[0]).toMatchObject({ code: 'RequestTimeTooSkewed', injected: true });
  });

  it('delays exactly the requests a latency rule matches', async () => {
    await signed(emu, 'PUT', 'slow.txt', { body: 'x' });
    emu.faults.set([{ operation: 'HeadObject', latencyMs: 300, count: 1 }]);
    const t0 = performance.now();
    expect((await signed(emu, 'HEAD', 'slow.txt')).status).toBe(200);
    const delayed = performance.now() - t0;
    expect((await signed(emu, 'HEAD', 'slow.txt')).status).toBe(200);
    expect((await signed(emu, 'GET', 'slow.txt')).status).toBe(200);
    expect(delayed).toBeGreaterThanOrEqual(290);
    const last = emu.requests.list(3);
    expect(last.map((e) => [e.operation, e.fault?.action])).toEqual([
      ['HeadObject', 'latency'],
      ['HeadObject', undefined],
      ['GetObject', undefined],
    ]);
    expect(last[0]!.ms).toBeGreaterThanOrEqual(290);
  });

  it('resets the connection before the answer, or mid-body, or truncates the body: the client sees a network error', async () => {
    await signed(emu, 'PUT', 'big.txt', { body: 'y'.repeat(10_000) });
    // A reset mid-body may also discard the head the client had not read yet (TCP drops what an RST
    // overtakes), so that one is either failure; a truncation's FIN keeps the head, always.
    for (const [rule, codes] of [
      [{ reset: true }, ['ECONNRESET']],
      [{ reset: 'mid-body' as const }, ['BODY_CUT', 'ECONNRESET']],
      [{ truncate: true }, ['BODY_CUT']],
      [{ truncate: 10 }, ['BODY_CUT']],
    ] as const) {
      emu.faults.set([{ operation: 'GetObject', count: 1, ...rule }]);
      const failure = await strict(emu, 'GET', 'big.txt').then(
        () => ({ code: 'answered whole' }),
        (e: { code?: string }) => e,
      );
      expect(codes as readonly string[], JSON.stringify(rule)).toContain(failure.code);
      expect(emu.faults.list()[0]!.hits).toBe(1);
      expect(await strict(emu, 'GET', 'big.txt')).toEqual({ status: 200, length: 10_000 });
    }
    // A body-less answer (PUT) is cut inside its headers.
    emu.faults.set([{ operation: 'PutObject', truncate: true, count: 1 }]);
    await expect(strict(emu, 'PUT', 'cut.txt', 'z')).rejects.toMatchObject({ code: 'ECONNRESET' });
    await new Promise((r) => setTimeout(r, 50));
    const cut = emu.requests.list().filter((e) => e.fault?.action === 'truncate' || e.fault?.action === 'reset-before-response');
    expect(cut.length).toBeGreaterThanOrEqual(3);
  });

  it('fires with a probability', async () => {
    emu.faults.set([{ operation: 'HeadBucket', status: 503, probability: 0 }]);
    expect((await signed(emu, 'HEAD', '')).status).toBe(200);
    expect(emu.faults.list()[0]!.hits).toBe(0);
  });

  it('refuses invalid rules at the edge with every problem, and changes nothing', async () => {
    emu.faults.set([{ operation: 'PutObject', latencyMs: 5 }]);
    const res = await admin(emu, 'PUT', {
      rules: [
        { operation: 'PutObjekt', status: 503 },
        { status: 503, code: 'Nope' },
        { latencyMs: -1 },
        { reset: true, status: 500 },
        { stauts: 1 },
      ],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; problems: string[] } };
    expect(body.error.code).toBe('EMU_ERR_FAULT_RULE');
    expect(body.error.problems.join('\n')).toMatch(/rule 1: operation "PutObjekt" is not one of .*PutObject/);
    expect(body.error.problems.join('\n')).toMatch(/rule 2: code "Nope"/);
    expect(body.error.problems.join('\n')).toMatch(/rule 3: latencyMs/);
    expect(body.error.problems.join('\n')).toMatch(/rule 4: choose one of/);
    expect(body.error.problems.join('\n')).toMatch(/rule 5: unknown field "stauts"/);
    expect(emu.faults.list()).toHaveLength(1);
    expect((await admin(emu, 'PUT', 'not json')).status).toBe(400);
    expect((await admin(emu, 'PUT', [{ latencyMs: 1 }])).status).toBe(400);
    expect(() => emu.faults.set([{ count: 0, latencyMs: 1 }])).toThrow(FaultRuleError);
    expect((await admin(emu, 'DELETE')).status).toBe(200);
    expect(emu.faults.list()).toEqual([]);
    expect((await admin(emu, 'PATCH')).status).toBe(405);
  });

  it('takes rules at start, and refuses bad ones as configuration errors', async () => {
    const started = await emulator({ httpsPort: false, faults: [{ operation: 'ListBuckets', status: 503, count: 1 }] });
    try {
      expect(started.faults.list()).toMatchObject([{ name: '#1', remaining: 1 }]);
      expect(started.info.admin).toEqual({
        console: `${started.info.cos.http}//_emulator/console`,
        faults: `${started.info.cos.http}//_emulator/faults`,
        refusals: `${started.info.cos.http}//_emulator/refusals`,
        requests: `${started.info.cos.http}//_emulator/requests`,
        health: `${started.info.cos.http}//_emulator/health`,
      });
    } finally {
      await started.close();
    }
    await expect(emulator({ httpsPort: false, faults: [{ operation: 'Nope', status: 503 }] as never })).rejects.toThrow(
      EmulatorConfigError,
    );
  });

  it('does not touch the emulator endpoints', async () => {
    emu.faults.set([{ status: 503 }]);
    expect((await raw(emu.info.admin.health)).status).toBe(200);
    expect((await signed(emu, 'GET', 'anything')).status).toBe(503);
  });
});

describe('fault injection over HTTPS', () => {
  it('resets a TLS connection before the answer and mid-body', async () => {
    const emu = await emulator({ faults: [{ operation: 'GetObject', reset: true, count: 1 }] });
    try {
      const { request } = await import('node:https');
      const u = new URL(emu.info.cos.https!);
      const get = () =>
        new Promise<number>((resolve, reject) => {
          const headers = { host: VHOST };
          const authorization = signRequest(
            { method: 'GET', pathname: '/nothing.txt', headers },
            { credentials: emu.info.credentials },
          ).authorization;
          request(
            { host: u.hostname, port: u.port, path: '/nothing.txt', headers: { ...headers, authorization }, ca: emu.info.caCert },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
              res.on('error', reject);
            },
          )
            .on('error', reject)
            .end();
        });
      await expect(get()).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(await get()).toBe(404);
    } finally {
      await emu.close();
    }
  });
});
