import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosDirectError } from '../src/errors.js';
import { cosError, isExpiry, xmlValue, xmlValues } from '../src/responses.js';
import type { HttpResponse } from '../src/types.js';
import { uploadWith } from '../src/upload.js';
import { observe, type Stack, stack } from './support/stack.js';

const res = (status: number, text: string, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, text });

describe('COS XML', () => {
  it('reads the first element of a name and decodes entities', () => {
    const xml = '<Error><Code>A&amp;B</Code><Message>&lt;x&gt; &quot;y&quot; &apos;z&apos;</Message><Code>second</Code></Error>';
    expect(xmlValue(xml, 'Code')).toBe('A&B');
    expect(xmlValue(xml, 'Message')).toBe(`<x> "y" 'z'`);
    expect(xmlValue(xml, 'Missing')).toBeUndefined();
    // &amp; is decoded last, so an escaped entity stays literal.
    expect(xmlValue('<a>&amp;lt;</a>', 'a')).toBe('&lt;');
  });

  it('reads every element of a name, across lines', () => {
    const xml = '<R>\n<ETag>&quot;a&quot;</ETag>\n<ETag>b\nc</ETag>\n<ETag></ETag></R>';
    expect(xmlValues(xml, 'ETag')).toEqual(['"a"', 'b\nc', '']);
    expect(xmlValues(xml, 'Nope')).toEqual([]);
  });
});

describe('cosError', () => {
  it('carries status, code, message, reason and request id, and says them all', () => {
    const err = cosError(
      res(
        403,
        '<Error><Code>AccessDenied</Code><Message>Access Denied.</Message><Reason>action name/cos:PutObject is not allowed</Reason></Error>',
        {
          'x-cos-request-id': 'NjU',
        },
      ),
      'PUT images/a.jpg',
    );
    expect(err).toBeInstanceOf(CosDirectError);
    expect(err).toMatchObject({
      code: 'CLIENT_ERR_COS',
      status: 403,
      cosCode: 'AccessDenied',
      requestId: 'NjU',
      reason: 'action name/cos:PutObject is not allowed',
    });
    expect(err.message).toBe(
      'PUT images/a.jpg failed: HTTP 403 AccessDenied: Access Denied. (action name/cos:PutObject is not allowed) [request NjU]',
    );
  });

  it('takes the request id from the body when the header is missing, and the header over the body', () => {
    expect(cosError(res(404, '<Error><Code>NoSuchKey</Code><RequestId>from-body</RequestId></Error>'), 'GET').requestId).toBe('from-body');
    expect(cosError(res(404, '<Error><RequestId>from-body</RequestId></Error>', { 'x-cos-request-id': 'hdr' }), 'GET').requestId).toBe(
      'hdr',
    );
  });

  it('makes do with a body that is not XML', () => {
    const err = cosError(res(502, '<html>Bad Gateway</html>'), 'PUT k');
    expect(err).toMatchObject({ status: 502, cosCode: undefined, requestId: undefined, reason: undefined });
    expect(err.message).toBe('PUT k failed: HTTP 502');
  });

  it('is the refusal alone: a Retry-After stays with the answer, for the retry step, not on the error', () => {
    const e = cosError(res(503, '', { 'retry-after': '2' }), 'x');
    expect(Object.keys(e)).not.toContain('retryAfterMs');
    expect(e).toMatchObject({ code: 'CLIENT_ERR_COS', status: 503 });
  });
});

describe('isExpiry', () => {
  const refusal = (code: string, message = '', reason?: string) =>
    cosError(
      res(403, `<Error><Code>${code}</Code><Message>${message}</Message>${reason ? `<Reason>${reason}</Reason>` : ''}</Error>`),
      'PUT',
    );

  it('recognises the refusals a fresh ticket cures', () => {
    expect(isExpiry(refusal('ExpiredToken'))).toBe(true);
    expect(
      isExpiry(refusal('InvalidAccessKeyId', 'The Access Key Id you provided does not exist', 'the temporary key expired at 1700000000')),
    ).toBe(true);
    expect(isExpiry(refusal('AccessDenied', 'Request has expired'))).toBe(true);
  });

  it('leaves every other refusal alone', () => {
    expect(isExpiry(refusal('InvalidAccessKeyId', 'The Access Key Id you provided does not exist', 'unknown SecretId'))).toBe(false);
    expect(isExpiry(refusal('AccessDenied', 'Access Denied.'))).toBe(false);
    expect(isExpiry(refusal('SignatureDoesNotMatch'))).toBe(false);
    expect(isExpiry(new CosDirectError('CLIENT_ERR_NETWORK', 'Request has expired'))).toBe(false);
    expect(isExpiry(new Error('ExpiredToken'))).toBe(false);
    expect(isExpiry(undefined)).toBe(false);
  });
});

describe("the emulator's refusals", () => {
  let s: Stack;
  let stale: Stack;
  let offset = 0;
  beforeAll(async () => {
    // An emulator whose clock the test moves: an hour on while a PUT is on its way, so that the
    // ticket's signature and key have run out by the time COS checks them.
    [s, stale] = await Promise.all([stack(), stack({}, () => Math.floor(Date.now() / 1000) + offset)]);
  });
  afterAll(async () => {
    await Promise.all([s?.close(), stale?.close()]);
  });

  it('parses a real SignatureDoesNotMatch with its request id and reason', async () => {
    const o = observe(s.transport, (req, send) =>
      req.method === 'PUT'
        ? s.transport.send({
            ...req,
            headers: {
              ...req.headers,
              authorization: req.headers.authorization!.replace(/q-signature=\w+/, `q-signature=${'0'.repeat(40)}`),
            },
          })
        : send(),
    );
    const err = await uploadWith(
      { transport: o.transport },
      { size: 3, name: 'a.jpg', repeatable: true, slice: () => new Uint8Array(3) },
      {
        signUrl: s.signUrl,
        retries: 0,
      },
    ).catch((e) => e);
    const put = o.find((r) => r.method === 'PUT')[0]!.res!;
    expect(err).toMatchObject({
      code: 'CLIENT_ERR_COS',
      status: 403,
      cosCode: 'SignatureDoesNotMatch',
      requestId: put.headers['x-cos-request-id'],
    });
    expect(err.requestId).toBeTruthy();
    expect(err.reason).toBeTruthy();
    expect(err.message).toContain(`[request ${err.requestId}]`);
    // The same refusal is in the emulator's own list, under the same request id.
    expect(s.emu.refusals(5).some((r) => r.requestId === err.requestId)).toBe(true);
  });

  // The ticket's signed PUT lasts 900 s and its temporary key 1800 s (the sign server's defaults).
  it.each([
    [1200, 'AccessDenied', 'Request has expired'],
    [3600, 'InvalidAccessKeyId', 'expired at'],
  ])('turns a PUT refused %d s later (%s) into CLIENT_ERR_TICKET_EXPIRED after one fresh ticket', async (later, cosCode, text) => {
    const o = observe(stale.transport, async (req, send) => {
      if (req.method !== 'PUT') return send();
      offset = later;
      try {
        return await send();
      } finally {
        offset = 0;
      }
    });
    const source = { size: 3, name: 'a.jpg', repeatable: true, slice: () => new Uint8Array(3) };
    const err = await uploadWith({ transport: o.transport }, source, { signUrl: stale.signUrl }).catch((e) => e);
    // Ticket, refused PUT, fresh ticket (a new key), refused PUT: an expiry is not retried as such.
    expect(o.log.map((e) => `${e.req.method} ${e.res?.status}`)).toEqual(['GET 200', 'PUT 403', 'GET 200', 'PUT 403']);
    const [first, second] = o.find((r) => r.method === 'PUT').map((e) => new URL(e.req.url).pathname);
    expect(first).not.toBe(second);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_TICKET_EXPIRED', status: 403, cosCode });
    expect(err.cause).toMatchObject({ code: 'CLIENT_ERR_COS', cosCode });
    expect(isExpiry(err.cause)).toBe(true);
    expect(err.message).toContain(text);
  });

  it('succeeds with the fresh ticket when only the first PUT was late', async () => {
    let puts = 0;
    const o = observe(stale.transport, async (req, send) => {
      if (req.method !== 'PUT' || puts++ > 0) return send();
      offset = 1200;
      try {
        return await send();
      } finally {
        offset = 0;
      }
    });
    const source = { size: 3, name: 'a.jpg', repeatable: true, slice: () => new Uint8Array(3) };
    const result = await uploadWith({ transport: o.transport }, source, { signUrl: stale.signUrl });
    expect(o.log.map((e) => `${e.req.method} ${e.res?.status}`)).toEqual(['GET 200', 'PUT 403', 'GET 200', 'PUT 200']);
    expect(result.key).toBe(new URL(o.log[3]!.req.url).pathname.slice(1));
  });
});
