import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectTicket, MultipartTicket } from '../src/index.js';
import { post, withTicketKey } from './cos-requests.js';
import { seedPut, stack, ticket, type Stack } from './harness.js';

// Issue 24: confirming what a ticket uploaded must not spend the ticket budget, or a client that used
// its tickets could not confirm (and, with server completion, its multipart parts would be stranded).

describe('confirmations and the ticket rate limit', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ rateLimit: { max: 2, timeWindow: '1 minute', confirmMax: 3 } });
  });
  afterAll(() => s.close());

  it('confirms and completes after the tickets used the whole budget, within a limit of their own', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    const m = (await ticket(s.base, '/sts-multipart?ext=jpg&size=100')).json.data as MultipartTicket;
    expect((await ticket(s.base, '/sts-direct-sign?ext=jpg')).status).toBe(429);

    const put = await seedPut(
      `https://${d.cosHost}/${d.cosKey}`,
      { 'content-length': 2, authorization: d.authorization, 'x-cos-security-token': d.securityToken, host: d.cosHost },
      [Buffer.from('hi')],
      s.emu.info.caCert!,
    );
    expect(put.status).toBe(200);
    expect((await post(s, '/confirm', { confirmToken: d.confirmToken })).status).toBe(200);
    const init = await withTicketKey(s, m, 'POST', { uploads: '' });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
    expect((await withTicketKey(s, m, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(100))).status).toBe(200);
    expect((await post(s, '/complete-multipart', { confirmToken: m.confirmToken, uploadId })).status).toBe(200);

    // Each confirmation route counts on its own: this is the third /confirm of the window.
    expect((await post(s, '/confirm', { confirmToken: d.confirmToken })).status).toBe(200);
    expect((await post(s, '/confirm', { confirmToken: d.confirmToken })).status).toBe(200);
    const over = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(over.status).toBe(429);
    expect(over.json.code).toBe('SRV_ERR_RATE_LIMITED');
    expect(over.json.message).toContain('at most 3 confirmations');
  });
});
