import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectTicket, HttpRequest, Transport, UploadSource } from '../src/types.js';
import { uploadWith } from '../src/upload.js';
import { type Stack, stack } from './support/stack.js';

const bytes = (text: string): UploadSource => {
  const data = new TextEncoder().encode(text);
  return { size: data.length, name: 'a.jpg', repeatable: true, slice: (a, b) => data.subarray(a, b) };
};

/** The real transport, keeping the direct tickets the sign server hands out and the PUTs sent to COS. */
function keeping(inner: Transport) {
  const tickets: DirectTicket[] = [];
  const puts: HttpRequest[] = [];
  const transport: Transport = {
    async send(req) {
      const res = await inner.send(req);
      if (new URL(req.url).pathname.endsWith('/sts-direct-sign')) tickets.push(JSON.parse(res.text).data);
      if (req.method === 'PUT') puts.push(req);
      return res;
    },
  };
  return { transport, tickets, puts };
}

describe('a direct upload cannot be replaced with its own ticket', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack();
  });
  afterAll(() => s?.close());

  it('asks for the header ticket and sends its headers, so COS refuses a second upload with that ticket', async () => {
    const k = keeping(s.transport);
    const first = await uploadWith({ transport: k.transport }, bytes('the first bytes'), { signUrl: s.signUrl });
    const [ticket] = k.tickets;
    expect(ticket?.headers).toEqual({ 'x-cos-forbid-overwrite': 'true' });
    expect(k.puts[0]!.headers['x-cos-forbid-overwrite']).toBe('true');

    const second = await uploadWith({ transport: k.transport }, bytes('other bytes, replaced'), {
      getTicket: async () => ticket!,
      retryPolicy: { maxAttempts: 1 },
    }).catch((e) => e);
    expect(second).toMatchObject({ code: 'CLIENT_ERR_COS', status: 409, cosCode: 'FileAlreadyExists' });

    const stored = await s.root('GET', `/${first.key}`);
    expect(stored.text).toBe('the first bytes');
    expect(stored.headers.etag).toBe(`"${first.etag}"`);
  });
});
