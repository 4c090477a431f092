import { Writable } from 'node:stream';
import { createObjectPolicy, presignV4, signRequest, signV4 } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, raw, REGION, signed, temporaryKey, VHOST } from './helpers.js';

describe('recent refusals', () => {
  let emu: RunningEmulator;
  let log = '';
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, done) {
        log += chunk;
        done();
      },
    });
    emu = await emulator({ logger: { level: 'info', stream } });
  });
  afterAll(() => emu.close());

  const listing = async (query = '') =>
    (await fetch(`${emu.info.cos.http}//_emulator/refusals${query}`)).json() as Promise<{ refusals: any[] }>;

  it('lists each refusal with its code, reason and request id, newest first', async () => {
    const wrongKey = await signed(emu, 'GET', 'a.txt', { credentials: { ...emu.info.credentials, secretKey: 'not-the-secret' } });
    expect(wrongKey.status).toBe(403);
    const tmp = await temporaryKey(
      emu,
      createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'only/this.txt', actions: ['PutObject'] }),
    );
    const denied = await signed(emu, 'GET', 'only/this.txt', {
      credentials: { secretId: tmp.tmpSecretId, secretKey: tmp.tmpSecretKey, securityToken: tmp.sessionToken },
    });
    expect(denied.status).toBe(403);

    const { refusals } = await listing();
    expect(refusals.slice(0, 2).map((r) => r.code)).toEqual(['AccessDenied', 'SignatureDoesNotMatch']);
    expect(refusals[0]).toMatchObject({
      requestId: denied.headers['x-cos-request-id'],
      method: 'GET',
      status: 403,
      operation: 'GetObject',
    });
    expect(refusals[0].reason).toContain('cos:GetObject');
    expect(refusals[1].requestId).toBe(wrongKey.headers['x-cos-request-id']);
    expect(refusals[1].details.StringToSign).toMatch(/^sha1\n/);
    expect((await listing('?limit=1')).refusals).toHaveLength(1);
  });

  it('never shows or logs a temporary token, even one the client signed', async () => {
    const tmp = await temporaryKey(emu, createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'x.txt', actions: ['PutObject'] }));
    const headers = { host: VHOST, 'x-cos-security-token': tmp.sessionToken };
    const auth = signRequest(
      { method: 'GET', pathname: '/x.txt', headers },
      { credentials: { secretId: tmp.tmpSecretId, secretKey: 'wrong-secret-key' } },
    );
    const res = await raw(emu.info.cos.http, { path: '/x.txt', headers: { ...headers, authorization: auth.authorization } });
    expect(res.status).toBe(403);
    // The caller sent the token, so its own error body may echo it; listings and logs may not.
    expect(res.text).toContain('x-cos-security-token=');
    const [latest] = (await listing()).refusals;
    expect(latest.code).toBe('SignatureDoesNotMatch');
    expect(latest.details.FormatString).toContain('x-cos-security-token=<redacted>');
    expect(JSON.stringify(latest)).not.toContain(tmp.sessionToken);
    expect(log).toContain('SignatureDoesNotMatch');
    expect(log).not.toContain(tmp.sessionToken);
    expect(log).not.toContain(encodeURIComponent(tmp.sessionToken));
  });

  it('masks an S3 session token by value, sent as a header or in a presigned URL, in listings, the request log and the logger', async () => {
    const tmp = await temporaryKey(emu, createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'x.txt', actions: ['PutObject'] }));
    const credentials = { accessKeyId: tmp.tmpSecretId, secretAccessKey: 'wrong-secret-key', sessionToken: tmp.sessionToken };
    const signingTime = Math.floor(Date.now() / 1000);
    const header = signV4({ method: 'GET', pathname: '/x.txt', headers: { host: VHOST } }, { credentials, region: REGION, signingTime });
    const byHeader = await raw(emu.info.cos.http, { path: '/x.txt', headers: header.headers as Record<string, string> });
    expect(byHeader.status).toBe(403);
    const url = presignV4(
      { method: 'GET', pathname: '/x.txt', headers: { host: VHOST } },
      { credentials, region: REGION, signingTime, expiresIn: 600 },
    );
    const byQuery = await raw(emu.info.cos.http, {
      path: `/x.txt?${new URLSearchParams(url.query as Record<string, string>)}`,
      headers: { host: VHOST },
    });
    expect(byQuery.status).toBe(403);

    const printed = [
      JSON.stringify((await listing('?limit=2')).refusals),
      JSON.stringify(emu.requests.list(5)),
      log,
      await (await fetch(`${emu.info.cos.http}//_emulator/requests?limit=5`)).text(),
    ].join('\n');
    expect(printed).toContain('SignatureDoesNotMatch');
    expect(printed).toContain('<redacted>');
    for (const form of [tmp.sessionToken, encodeURIComponent(tmp.sessionToken)]) expect(printed).not.toContain(form);
  });

  it('is offered to in-process test suites too', () => {
    expect(emu.refusals(1)[0]!.code).toBe('SignatureDoesNotMatch');
  });
});
