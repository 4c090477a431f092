import { describe, expect, it } from 'vitest';
import { CosDirectError } from '../src/errors.js';
import { fetchDirectTicket } from '../src/tickets.js';
import type { HttpRequest, HttpResponse, Transport, UploadSource } from '../src/types.js';
import { uploadWith } from '../src/upload.js';
import { cosFailure, type Scene, scriptedTransport, signServer } from './support/scripted.js';

/** A transport that records requests and answers from a script: the unit tests' observing handler. */
function scripted(answers: Array<HttpResponse | Error>): Transport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(req) {
      requests.push(req);
      const next = answers.shift();
      if (!next) throw new Error('no scripted answer left');
      if (next instanceof Error) throw next;
      return next;
    },
  };
}
const json = (status: number, body: unknown): HttpResponse => ({ status, headers: {}, text: JSON.stringify(body) });
const ticket = {
  cosHost: 'b-1.cos.r.myqcloud.com',
  cosKey: 'images/x.jpg',
  authorization: 'q-sign-algorithm=sha1&…',
  securityToken: 'tok',
};
const bytes = (text: string): UploadSource => {
  const data = new TextEncoder().encode(text);
  return { size: data.length, name: 'x.jpg', repeatable: true, slice: (a, b) => data.subarray(a, b) };
};
const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };

describe('single PUT', () => {
  it("sends the seed's request: ticket URL, Authorization, token, octet-stream", async () => {
    const t = scripted([json(200, { code: 0, data: ticket }), { status: 200, headers: { etag: '"abc"' }, text: '' }]);
    const result = await uploadWith({ transport: t }, bytes('hello'), { signUrl: 'http://sign.example', ...fast });
    expect(t.requests[0]!.url).toBe('http://sign.example/sts-direct-sign?ext=jpg&sendsHeaders=1');
    const put = t.requests[1]!;
    expect(put.method).toBe('PUT');
    expect(put.url).toBe('https://b-1.cos.r.myqcloud.com/images/x.jpg');
    expect(put.headers).toEqual({
      authorization: ticket.authorization,
      'x-cos-security-token': 'tok',
      'content-type': 'application/octet-stream',
    });
    expect(result).toMatchObject({ key: 'images/x.jpg', etag: 'abc', size: 5, method: 'put' });
  });

  it('sends every header the ticket signed, as given; refuses a ticket whose headers are not strings', async () => {
    const signed = { ...ticket, headers: { 'X-Cos-Forbid-Overwrite': 'true' } };
    const t = scripted([json(200, { code: 0, data: signed }), { status: 200, headers: { etag: '"abc"' }, text: '' }]);
    await uploadWith({ transport: t }, bytes('hello'), { signUrl: 'http://sign.example', ...fast });
    expect(t.requests[1]!.headers).toEqual({
      authorization: ticket.authorization,
      'x-cos-security-token': 'tok',
      'x-cos-forbid-overwrite': 'true',
      'content-type': 'application/octet-stream',
    });

    const bad = scripted([json(200, { code: 0, data: { ...ticket, headers: { 'x-cos-forbid-overwrite': true } } })]);
    const err = await uploadWith({ transport: bad }, bytes('hello'), { signUrl: 'http://sign.example', ...fast }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', message: expect.stringContaining('x-cos-forbid-overwrite') });
    expect(bad.requests).toHaveLength(1);
  });

  it('retries 5xx and network errors, then succeeds', async () => {
    const t = scripted([
      json(200, { code: 0, data: ticket }),
      { status: 503, headers: {}, text: '<Error><Code>ServiceUnavailable</Code></Error>' },
      new CosDirectError('CLIENT_ERR_NETWORK', 'reset'),
      { status: 200, headers: { etag: '"e"' }, text: '' },
    ]);
    await uploadWith({ transport: t }, bytes('x'), { signUrl: 'http://s', ...fast });
    expect(t.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
  });

  it('does not retry an authorization refusal', async () => {
    const t = scripted([
      json(200, { code: 0, data: ticket }),
      {
        status: 403,
        headers: { 'x-cos-request-id': 'rid' },
        text: '<Error><Code>AccessDenied</Code><Message>Access Denied.</Message></Error>',
      },
    ]);
    const err = await uploadWith({ transport: t }, bytes('x'), { signUrl: 'http://s', ...fast }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', cosCode: 'AccessDenied', status: 403, requestId: 'rid' });
    expect(t.requests).toHaveLength(2);
  });

  it('refreshes an expired ticket once', async () => {
    const expired = { status: 403, headers: {}, text: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' };
    const t = scripted([
      json(200, { code: 0, data: ticket }),
      expired,
      json(200, { code: 0, data: { ...ticket, cosKey: 'images/y.jpg' } }),
      { status: 200, headers: { etag: '"e"' }, text: '' },
    ]);
    const result = await uploadWith({ transport: t }, bytes('x'), { signUrl: 'http://s', ...fast });
    expect(result.key).toBe('images/y.jpg');
    const t2 = scripted([json(200, { code: 0, data: ticket }), expired, json(200, { code: 0, data: ticket }), expired]);
    expect(await uploadWith({ transport: t2 }, bytes('x'), { signUrl: 'http://s', ...fast }).catch((e) => e.code)).toBe(
      'CLIENT_ERR_TICKET_EXPIRED',
    );
  });

  it('detects a checksum mismatch', async () => {
    const t = scripted([
      json(200, { code: 0, data: ticket }),
      { status: 200, headers: { etag: '"bad"', 'x-cos-hash-crc64ecma': '1' }, text: '', sent: { size: 1, crc64: '2', md5: 'good' } },
    ]);
    expect(await uploadWith({ transport: t }, bytes('x'), { signUrl: 'http://s', ...fast }).catch((e) => e.code)).toBe(
      'CLIENT_ERR_INTEGRITY',
    );
  });

  it('honours an AbortSignal before anything is sent', async () => {
    const t = scripted([]);
    const controller = new AbortController();
    controller.abort();
    expect(await uploadWith({ transport: t }, bytes('x'), { signUrl: 'http://s', signal: controller.signal }).catch((e) => e.code)).toBe(
      'CLIENT_ERR_ABORTED',
    );
    expect(t.requests).toHaveLength(0);
  });
});

describe('tickets', () => {
  it('passes on the sign server code and message', async () => {
    const t = scripted([json(400, { code: 'SRV_ERR_INVALID_EXTENSION', message: 'ext "exe" is not allowed' })]);
    const err = await fetchDirectTicket(t, 'http://s/sts-direct-sign', 'exe').catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_TYPE_NOT_ALLOWED', serverCode: 'SRV_ERR_INVALID_EXTENSION', status: 400, ext: 'exe' });
    expect(err.message).toContain('ext "exe" is not allowed');
    expect(t.requests[0]!.url).toBe('http://s/sts-direct-sign?ext=exe');
  });

  it('refuses a ticket without the seed fields', async () => {
    const t = scripted([json(200, { code: 0, data: { cosHost: 'h' } })]);
    expect((await fetchDirectTicket(t, 'http://s', 'jpg').catch((e) => e)).message).toContain('cosKey');
  });
});

describe('single PUT against a scripted network', () => {
  const direct = { ...ticket, cosUrl: 'https://b-1.cos.r.myqcloud.com/images/x.jpg' };
  const ticketScene = (data: unknown): Scene => ({
    expect: { method: 'GET', path: '/sts-direct-sign', query: { ext: 'jpg', sendsHeaders: '1' } },
    reply: signServer(data),
  });

  it("refuses a source over the ticket's maxSize before sending a byte", async () => {
    const net = scriptedTransport([ticketScene({ ...direct, maxSize: 4 })]);
    const err = await uploadWith({ transport: net.transport }, bytes('hello'), { signUrl: 'http://sign.example', ...fast }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE', message: expect.stringContaining('allows at most 4: nothing was sent') });
    net.verify();
  });

  it('sends the real content type when the ticket allows it, else application/octet-stream; the ticket’s own type first', async () => {
    const cases: Array<[Record<string, unknown>, string | undefined, string]> = [
      [{ contentTypes: ['application/octet-stream', 'image/jpeg'] }, undefined, 'image/jpeg'],
      [{ contentTypes: ['application/octet-stream', 'image/jpeg'] }, 'application/octet-stream', 'application/octet-stream'],
      [{ contentTypes: ['application/octet-stream'] }, undefined, 'application/octet-stream'],
      [{ contentType: 'image/jpeg', contentTypes: ['image/jpeg'] }, undefined, 'image/jpeg'],
      [{}, undefined, 'application/octet-stream'],
    ];
    for (const [limits, wanted, sent] of cases) {
      const net = scriptedTransport([
        ticketScene({ ...direct, ...limits }),
        {
          expect: {
            method: 'PUT',
            path: '/images/x.jpg',
            query: {},
            headers: { 'content-type': sent, authorization: ticket.authorization },
            body: 'hello',
          },
          reply: { status: 200, headers: { etag: '"e"' } },
        },
      ]);
      const result = await uploadWith({ transport: net.transport }, bytes('hello'), {
        signUrl: 'http://sign.example',
        ...(wanted ? { contentType: wanted } : {}),
        ...fast,
      });
      net.verify();
      expect(result.contentType, JSON.stringify(limits)).toBe(sent);
    }
  });

  it('refuses a wanted type the ticket cannot carry after the ticket, before the PUT (issue 25)', async () => {
    const cases: Array<[Record<string, unknown>, string, string[]]> = [
      [{ contentTypes: ['application/octet-stream'] }, 'image/jpeg', ['application/octet-stream']],
      [{ contentType: 'image/jpeg', contentTypes: ['image/jpeg'] }, 'image/png', ['image/jpeg']],
      [{ contentTypes: ['application/octet-stream', 'image/jpeg'] }, 'text/html', ['application/octet-stream', 'image/jpeg']],
    ];
    for (const [limits, wanted, allowed] of cases) {
      // Only the ticket request is scripted: a PUT would fail the scene.
      const net = scriptedTransport([ticketScene({ ...direct, ...limits })]);
      const error = await uploadWith({ transport: net.transport }, bytes('hello'), {
        signUrl: 'http://sign.example',
        contentType: wanted,
        ...fast,
      }).catch((e: unknown) => e);
      net.verify();
      expect(error, wanted).toMatchObject({
        code: 'CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED',
        contentType: wanted,
        allowedContentTypes: allowed,
      });
    }
  });

  it('reports progress through retries: a retry counts again from its first byte, the size at the end', async () => {
    const net = scriptedTransport([
      ticketScene(direct),
      { expect: { method: 'PUT', path: '/images/x.jpg' }, reply: cosFailure(503, 'SlowDown') },
      { expect: { method: 'PUT', path: '/images/x.jpg' }, reply: { status: 200, headers: { etag: '"e"' } } },
    ]);
    const seen: number[] = [];
    await uploadWith({ transport: net.transport }, bytes('hello'), {
      signUrl: 'http://sign.example',
      onProgress: (s) => seen.push(s),
      ...fast,
    });
    net.verify();
    expect(seen).toEqual([2, 5, 2, 5, 5]);
  });

  it("retries the sign server's busy answer as its Retry-After asks, then uploads", async () => {
    const net = scriptedTransport([
      {
        expect: { method: 'GET', path: '/sts-direct-sign' },
        reply: { status: 503, headers: { 'retry-after': '0' }, body: '{"code":"SRV_ERR_BUSY","message":"busy"}' },
      },
      ticketScene(direct),
      { expect: { method: 'PUT', path: '/images/x.jpg' }, reply: { status: 200, headers: { etag: '"e"' } } },
    ]);
    // A backoff far longer than the test: only the Retry-After of 0 s lets it finish at once.
    const result = await uploadWith({ transport: net.transport }, bytes('hello'), {
      signUrl: 'http://sign.example',
      retryPolicy: { backoff: { baseMs: 60_000, maxMs: 60_000, jitter: 'none' } },
    });
    net.verify();
    expect(result.key).toBe('images/x.jpg');
  });

  it('refuses an unknown or out-of-range retry setting before any request', async () => {
    const net = scriptedTransport([]);
    const err = await uploadWith({ transport: net.transport }, bytes('x'), {
      signUrl: 'http://s',
      retryPolicy: { maxAttemps: 2 } as never,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT', message: expect.stringContaining('maxAttemps') });
    net.verify();
  });

  it('still reads the deprecated flat retry settings', async () => {
    const net = scriptedTransport([
      ticketScene(direct),
      { expect: { method: 'PUT', path: '/images/x.jpg' }, reply: cosFailure(503, 'SlowDown') },
      { expect: { method: 'PUT', path: '/images/x.jpg' }, reply: cosFailure(503, 'SlowDown') },
    ]);
    const err = await uploadWith({ transport: net.transport }, bytes('x'), {
      signUrl: 'http://s',
      retryPolicy: { retries: 1, minDelayMs: 0, maxDelayMs: 0 },
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', status: 503 });
    net.verify();
  });
});
