import { CosDirectError } from '@cos-direct/client/browser';
import { describe, expect, it } from 'vitest';
import { describeLimits, fetchLimits, refusal } from '../src/limits.js';
import { explain } from '../src/messages.js';

const limits = { allowedExtensions: ['jpg', 'png'], maxBytes: 1048576 };

describe('checks before upload', () => {
  it('refuses a type the server does not take, naming the allowed ones', () => {
    expect(refusal({ name: 'tool.EXE', size: 2 }, limits)).toBe('.exe files are not accepted here. Allowed: .jpg, .png.');
  });
  it('refuses a file over the limit with both sizes', () => {
    expect(refusal({ name: 'big.png', size: 5 * 1048576 }, limits)).toBe('This file is 5.0 MiB; the limit is 1.0 MiB per file.');
  });
  it('lets an allowed file through, empty ones too, and refuses extension-less files', () => {
    expect(refusal({ name: 'ok.jpg', size: 1048576 }, limits)).toBeUndefined();
    expect(refusal({ name: 'empty.jpg', size: 0 }, limits)).toBeUndefined();
    expect(refusal({ name: 'README', size: 3 }, undefined)).toMatch(/no extension/);
    expect(refusal({ name: 'any.exe', size: 3 }, undefined)).toBeUndefined();
  });
  it('describes the limits before a file is picked', () => {
    expect(describeLimits(limits)).toBe('Accepted: .jpg, .png · up to 1.0 MiB per file.');
    expect(describeLimits({ allowedExtensions: ['txt'] })).toBe('Accepted: .txt.');
    expect(describeLimits(undefined)).toMatch(/checks each file/);
  });
  it('reads GET /limits, taking the smaller of the two sizes, and gives up quietly on an older server', async () => {
    const answer = (status: number, body: unknown) => (async () => new Response(JSON.stringify(body), { status })) as typeof fetch;
    const data = { allowedExtensions: ['jpg'], maxSize: 2048, maxMultipartSize: 4096 };
    expect(await fetchLimits('http://s/', answer(200, { code: 0, data }))).toEqual({ allowedExtensions: ['jpg'], maxBytes: 2048 });
    expect(await fetchLimits('http://s', answer(200, { code: 0, data: { ...data, maxSize: null } }))).toEqual({
      allowedExtensions: ['jpg'],
      maxBytes: 4096,
    });
    expect(await fetchLimits('http://s', answer(404, { code: 'SRV_ERR_NOT_FOUND' }))).toBeUndefined();
    expect(await fetchLimits('http://s', (async () => Promise.reject(new TypeError('failed'))) as typeof fetch)).toBeUndefined();
  });
});

describe('failure messages', () => {
  const file = { name: 'tool.exe', size: 2 };
  it('says which type the server refused, with the codes and the request id once in the details', () => {
    const e = new CosDirectError(
      'CLIENT_ERR_TYPE_NOT_ALLOWED',
      'the sign server answered HTTP 400 with code SRV_ERR_INVALID_EXTENSION: no',
      {
        status: 400,
        serverCode: 'SRV_ERR_INVALID_EXTENSION',
        requestId: 'req-1',
      },
    );
    const f = explain(e, file);
    expect(f.message).toBe('The server does not accept .exe files.');
    expect(f.retryable).toBe(false);
    expect(f.details).toContainEqual(['server code', 'SRV_ERR_INVALID_EXTENSION']);
    expect(f.details.filter(([, v]) => v === 'req-1')).toHaveLength(1);
    expect(f.message).not.toMatch(/SRV_ERR/);
  });
  it('turns a storage 403 on an oversize file into the sizes, not policy words', () => {
    const e = new CosDirectError('CLIENT_ERR_COS', 'PUT Object failed: HTTP 403 AccessDenied: denied (policy) [request req-9]', {
      status: 403,
      cosCode: 'AccessDenied',
      requestId: 'req-9',
      reason: 'policy',
    });
    // The request id and the reason are each shown once in the details.
    const all = explain(e, { name: 'big.png', size: 1 })
      .details.map(([, v]) => v)
      .join('\n');
    expect(all.split('req-9')).toHaveLength(2);
    expect(all.split('policy')).toHaveLength(2);
    expect(explain(e, { name: 'big.png', size: 5 * 1048576 }, { allowedExtensions: ['png'], maxBytes: 1048576 }).message).toBe(
      'The file is 5.0 MiB; the storage accepts at most 1.0 MiB.',
    );
  });
  it('says a file the ticket refused before sending is too large, in sizes, and offers no retry', () => {
    const e = new CosDirectError(
      'CLIENT_ERR_TOO_LARGE',
      'the source is 5000000 bytes; the ticket allows at most 1048576: nothing was sent',
    );
    const f = explain(e, { name: 'big.jpg', size: 5_000_000 }, { allowedExtensions: ['jpg'], maxBytes: 1048576 });
    expect(f).toMatchObject({ message: 'The file is 4.8 MiB; the server accepts at most 1.0 MiB.', retryable: false });
    expect(explain(e, { name: 'big.jpg', size: 5_000_000 }).message).toBe('The file is larger than the server allows.');
  });
  it.each([
    ['CLIENT_ERR_ABORTED', /Cancelled/],
    ['CLIENT_ERR_NETWORK', /connection failed/],
    ['CLIENT_ERR_TICKET_EXPIRED', /permission lasts/],
    ['CLIENT_ERR_INTEGRITY', /does not match/],
    ['CLIENT_ERR_COS', /storage could not/],
  ] as const)('%s has a sentence of its own and can be retried', (code, text) => {
    const f = explain(new CosDirectError(code, 'raw'), file);
    expect(f.message).toMatch(text);
    expect(f.retryable).toBe(true);
    expect(f.details[0]).toEqual(['code', code]);
  });
  it.each([
    ['CLIENT_ERR_SIGN_SERVER_CORS', /does not accept requests from this page/],
    ['CLIENT_ERR_COS_CORS', /CORS rules/],
    ['CLIENT_ERR_CERTIFICATE', /certificate is not trusted/],
  ] as const)('%s says what to fix and offers no retry', (code, text) => {
    const f = explain(new CosDirectError(code, 'raw', { networkCode: 'ERR_CORS' }), file);
    expect(f.message).toMatch(text);
    expect(f.retryable).toBe(false);
    expect(f.details).toContainEqual(['network code', 'ERR_CORS']);
  });
  it('explains a throw that is not the client’s', () => {
    expect(explain(new Error('boom'), file).message).toMatch(/went wrong/);
  });
});
