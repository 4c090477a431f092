import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosDirectError } from '../src/errors.js';
import { getStsDirectSign, getStsMultipart } from '../src/node.js';
import { DEFAULT_RETRY_POLICY } from '../src/lib/retry-policy.js';
import { fetchDirectTicket, fetchMultipartTicket, ticketSourceOf } from '../src/tickets.js';
import { undiciTransport } from '../src/transport/undici.js';
import type { HttpRequest, HttpResponse, Transport } from '../src/types.js';
import { type Stack, stack } from './support/stack.js';

/** Answers every request with one response and records the requests. */
function answering(res: HttpResponse): Transport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(req) {
      requests.push(req);
      return res;
    },
  };
}
const json = (status: number, body: unknown): HttpResponse => ({ status, headers: {}, text: JSON.stringify(body) });
const direct = { cosHost: 'b-1.cos.r.myqcloud.com', cosKey: 'images/a.jpg', authorization: 'q-sign-algorithm=sha1', securityToken: 't' };
const multipart = {
  cosHost: 'b-1.cos.r.myqcloud.com',
  cosKey: 'images/a.mp4',
  credentials: { tmpSecretId: 'id', tmpSecretKey: 'key', sessionToken: 'tok' },
  expiredTime: 2_000_000_000,
};

describe('sign server answers the client refuses', () => {
  it('a body that is not JSON, with the status and the start of the body', async () => {
    const t = answering({ status: 502, headers: {}, text: `<html>Bad Gateway${'.'.repeat(500)}</html>` });
    const err = await fetchDirectTicket(t, 'http://s', 'jpg').catch((e) => e);
    expect(err).toBeInstanceOf(CosDirectError);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', status: 502, serverCode: undefined });
    expect(err.message).toContain('HTTP 502');
    expect(err.message).toContain('<html>Bad Gateway');
    expect(err.message.length).toBeLessThan(300);
  });

  it('JSON that is not an object with code 0, even with HTTP 200', async () => {
    for (const body of [{ code: 1, message: 'quota exhausted' }, { code: '0' }, { data: direct }, null, [1, 2]]) {
      const err = await fetchDirectTicket(answering(json(200, body)), 'http://s', 'jpg').catch((e) => e);
      expect(err, JSON.stringify(body)).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', status: 200 });
    }
    const err = await fetchDirectTicket(answering(json(200, { code: 1, message: 'quota exhausted' })), 'http://s', 'jpg').catch((e) => e);
    // Another server's code is not one of @cos-direct/server's: it stays in the message only.
    expect(err.serverCode).toBeUndefined();
    expect(err.message).toContain('with code 1: quota exhausted');
  });

  it('an HTTP error even when the body says code 0', async () => {
    const err = await fetchDirectTicket(answering(json(500, { code: 0, data: direct })), 'http://s', 'jpg').catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', status: 500 });
  });

  it('an empty body', async () => {
    const err = await fetchDirectTicket(answering({ status: 503, headers: {}, text: '' }), 'http://s', 'jpg').catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', status: 503 });
    expect(err.message).toContain('(no message)');
  });

  it('code 0 without data', async () => {
    for (const data of [undefined, 'a string', 42]) {
      const err = await fetchDirectTicket(answering(json(200, { code: 0, data })), 'http://s', 'jpg').catch((e) => e);
      expect(err).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', message: 'the sign server answered code 0 without data' });
    }
  });

  it('a ticket that lacks a field or has an empty one, naming them', async () => {
    const err = await fetchDirectTicket(
      answering(json(200, { code: 0, data: { ...direct, authorization: '', securityToken: 5 } })),
      'http://s',
      'jpg',
    ).catch((e) => e);
    expect(err.message).toBe('the ticket lacks authorization, securityToken');
  });

  it('a multipart ticket without credentials or with incomplete ones', async () => {
    const none = await fetchMultipartTicket(
      answering(json(200, { code: 0, data: { ...multipart, credentials: undefined } })),
      'http://s',
      'mp4',
      1,
    ).catch((e) => e);
    expect(none).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', message: 'the multipart ticket lacks credentials' });
    const partial = await fetchMultipartTicket(
      answering(json(200, { code: 0, data: { ...multipart, credentials: { tmpSecretId: 'id' } } })),
      'http://s',
      'mp4',
      1,
    ).catch((e) => e);
    expect(partial.message).toBe('the multipart ticket credentials lacks tmpSecretKey, sessionToken');
    const noKey = await fetchMultipartTicket(
      answering(json(200, { code: 0, data: { ...multipart, cosKey: undefined } })),
      'http://s',
      'mp4',
      1,
    ).catch((e) => e);
    expect(noKey.message).toBe('the multipart ticket lacks cosKey');
  });
});

describe('sign server requests', () => {
  it('find the endpoint from a base URL or from a URL that already names one', async () => {
    const cases: Array<[string, string]> = [
      ['http://s', 'http://s/sts-direct-sign?ext=jpg'],
      ['http://s/', 'http://s/sts-direct-sign?ext=jpg'],
      ['http://s/sts-direct-sign', 'http://s/sts-direct-sign?ext=jpg'],
      ['http://s/sts-multipart/', 'http://s/sts-direct-sign?ext=jpg'],
      ['http://s/api/post-policy', 'http://s/api/sts-direct-sign?ext=jpg'],
      ['https://s:8443/api/', 'https://s:8443/api/sts-direct-sign?ext=jpg'],
    ];
    for (const [signUrl, expected] of cases) {
      const t = answering(json(200, { code: 0, data: direct }));
      await fetchDirectTicket(t, signUrl, 'jpg');
      expect(t.requests[0]!.url, signUrl).toBe(expected);
    }
  });

  it('send the caller headers and ask for JSON; encode ext; name the size for multipart', async () => {
    const t = answering(json(200, { code: 0, data: multipart }));
    const ticket = await fetchMultipartTicket(t, 'http://s/api', 'm p4&x', 12345, { headers: { authorization: 'Bearer abc' } });
    expect(ticket).toEqual(multipart);
    expect(t.requests[0]).toMatchObject({
      method: 'GET',
      url: 'http://s/api/sts-multipart?ext=m%20p4%26x&size=12345',
      headers: { accept: 'application/json', authorization: 'Bearer abc' },
    });
  });

  it('ticketSourceOf needs signUrl or ticket functions', async () => {
    const t = answering(json(200, { code: 0, data: direct }));
    expect(() => ticketSourceOf(t, DEFAULT_RETRY_POLICY, {})).toThrow(expect.objectContaining({ code: 'CLIENT_ERR_INVALID_ARGUMENT' }));
    const own = ticketSourceOf(t, DEFAULT_RETRY_POLICY, { getTicket: async () => ({ ...direct, cosKey: 'own.jpg' }) });
    expect((await own.direct('jpg')).cosKey).toBe('own.jpg');
    await expect(own.multipart('mp4', 1)).rejects.toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT' });
    const both = ticketSourceOf(t, DEFAULT_RETRY_POLICY, {
      getTicket: async () => direct,
      getMultipartTicket: async (ext, size) => ({ ...multipart, cosKey: `${size}.${ext}` }),
    });
    expect((await both.multipart('mp4', 7)).cosKey).toBe('7.mp4');
    expect(t.requests).toHaveLength(0);
  });
});

describe('against the sign server', () => {
  let s: Stack;
  let authed: Stack;
  const token = 'a-long-enough-bearer-token';
  beforeAll(async () => {
    [s, authed] = await Promise.all([stack(), stack({ bearerTokens: [token], maxMultipartSize: 10 * 1024 * 1024 })]);
  });
  afterAll(async () => {
    await Promise.all([s?.close(), authed?.close()]);
  });

  it('gets the seed ticket and a multipart ticket', async () => {
    const ticket = await getStsDirectSign(s.signUrl, 'jpg');
    expect(ticket.cosKey).toMatch(/^images\/\d{8}\/[\w-]+\.jpg$/);
    expect(ticket.authorization).toMatch(/^q-sign-algorithm=sha1&/);
    expect(ticket.securityToken).not.toBe('');
    const mp = await getStsMultipart(s.signUrl, 'mp4', 20 * 1024 * 1024);
    expect(mp.cosKey).toMatch(/\.mp4$/);
    expect(mp.credentials.tmpSecretId).not.toBe('');
    expect(mp.expiredTime).toBeGreaterThan(Date.now() / 1000);
  });

  it("passes on the server's refusal codes", async () => {
    const ext = await getStsDirectSign(s.signUrl, 'exe').catch((e) => e);
    expect(ext).toMatchObject({ code: 'CLIENT_ERR_TYPE_NOT_ALLOWED', status: 400, serverCode: 'SRV_ERR_INVALID_EXTENSION', ext: 'exe' });
    const unauth = await getStsDirectSign(authed.signUrl, 'jpg').catch((e) => e);
    expect(unauth).toMatchObject({ code: 'CLIENT_ERR_UNAUTHENTICATED', status: 401, serverCode: 'SRV_ERR_UNAUTHENTICATED' });
    const ok = await getStsDirectSign(authed.signUrl, 'jpg', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.cosKey).toMatch(/\.jpg$/);
    const big = await getStsMultipart(authed.signUrl, 'mp4', 11 * 1024 * 1024, { headers: { authorization: `Bearer ${token}` } }).catch(
      (e) => e,
    );
    expect(big).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE', status: 400, serverCode: 'SRV_ERR_INVALID_SIZE', size: 11 * 1024 * 1024 });
  });

  it('refuses an address that answers something other than the sign server', async () => {
    // The emulator's own address answers XML.
    const err = await getStsDirectSign(s.emu.info.cos.http, 'jpg').catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER' });
    expect(err.status).toBeGreaterThanOrEqual(400);
  });

  it('reports a sign server that does not answer as unreachable', async () => {
    const closed = await stack();
    const url = closed.signUrl;
    await closed.close();
    const err = await fetchDirectTicket(undiciTransport(), url, 'jpg').catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER_UNREACHABLE', networkCode: 'ECONNREFUSED' });
    expect(err.message).toContain(new URL(url).origin);
  });
});
