import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfirmTokens } from '../src/confirm.js';
import type { MultipartRefresh, MultipartTicket } from '../src/index.js';
import { post, withTicketKey } from './cos-requests.js';
import { stack, ticket, type Stack } from './harness.js';

// POST /sts-multipart-refresh: a new key for the same upload, for the user the ticket went to, while
// the upload is neither completed nor too old; other refreshes are refused with a stable code.

const asUser = (user: string) => ({ 'x-user': user, 'content-type': 'application/json' });

async function multipartTicket(s: Stack, user = 'alice'): Promise<MultipartTicket> {
  return (await ticket(s.base, '/sts-multipart?ext=jpg&size=300', { headers: asUser(user) })).json.data as MultipartTicket;
}

async function initiate(s: Stack, d: MultipartTicket): Promise<string> {
  const init = await withTicketKey(s, d, 'POST', { uploads: '' });
  return /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
}

const refresh = (s: Stack, body: unknown, user = 'alice') =>
  ticket(s.base, '/sts-multipart-refresh', { method: 'POST', headers: asUser(user), body: JSON.stringify(body) });

describe('POST /sts-multipart-refresh', () => {
  let s: Stack;
  let clock = Math.floor(Date.now() / 1000);
  beforeAll(async () => {
    s = await stack({
      authenticate: (req) => (typeof req.headers['x-user'] === 'string' ? { id: req.headers['x-user'] } : null),
      maxUploadSeconds: 3600,
      now: () => clock,
      metrics: true,
    });
  });
  afterAll(() => s.close());

  it('issues a new key that works on the same upload, and on nothing else', async () => {
    const d = await multipartTicket(s);
    const uploadId = await initiate(s, d);
    const res = await refresh(s, { confirmToken: d.confirmToken, uploadId });
    expect(res.status).toBe(200);
    const fresh = res.json.data as MultipartRefresh;
    expect(Object.keys(fresh).sort()).toEqual(['credentials', 'expiredTime', 'startTime']);
    expect(fresh.credentials.tmpSecretId).not.toBe(d.credentials.tmpSecretId);
    const renewed = { ...d, credentials: fresh.credentials };
    expect((await withTicketKey(s, renewed, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(300, 1))).status).toBe(200);
    // The same limits as the ticket: a part over its size is refused, and so is another key.
    expect((await withTicketKey(s, renewed, 'PUT', { partNumber: '2', uploadId }, Buffer.alloc(301, 1))).status).toBe(403);
    const other = await multipartTicket(s);
    expect((await withTicketKey(s, { ...other, credentials: fresh.credentials }, 'POST', { uploads: '' })).status).toBe(403);
    // Counted beside the tickets, as a kind of its own.
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/cos_direct_tickets_total\{kind="multipart-refresh",outcome="ok"\} [1-9]/);
  });

  it('keeps a ticket narrowed to the type its client named at that one type in the renewed key', async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=300&contentType=image/jpeg', { headers: asUser('alice') })).json
      .data as MultipartTicket;
    expect(d.contentTypes).toEqual(['image/jpeg']);
    const init = await withTicketKey(s, d, 'POST', { uploads: '' }, undefined, { 'content-type': 'image/jpeg' });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
    const fresh = (await refresh(s, { confirmToken: d.confirmToken, uploadId })).json.data as MultipartRefresh;
    const renewed = { ...d, credentials: fresh.credentials };
    const body = Buffer.alloc(300, 2);
    const as = (type: string) => withTicketKey(s, renewed, 'PUT', {}, body, { 'content-type': type });
    expect((await as('application/octet-stream')).status).toBe(403);
    expect((await as('image/jpeg')).status).toBe(200);
  });

  it('refuses a token that is not this server’s, or a malformed upload id', async () => {
    const d = await multipartTicket(s);
    const uploadId = await initiate(s, d);
    const [body, mac] = d.confirmToken.split('.');
    const claim = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'));
    const forged = `${Buffer.from(JSON.stringify({ ...claim, s: 1e12 })).toString('base64url')}.${mac}`;
    for (const confirmToken of [forged, 'nonsense', undefined]) {
      const res = await refresh(s, { confirmToken, uploadId });
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('SRV_ERR_INVALID_CONFIRM_TOKEN');
    }
    const direct = (await ticket(s.base, '/sts-direct-sign?ext=jpg', { headers: asUser('alice') })).json.data;
    expect((await refresh(s, { confirmToken: direct.confirmToken, uploadId })).json.code).toBe('SRV_ERR_INVALID_CONFIRM_TOKEN');
    expect((await refresh(s, { confirmToken: d.confirmToken, uploadId: 'not an id!' })).json.code).toBe('SRV_ERR_BAD_REQUEST');
  });

  it('refuses another user, an upload of another key and an upload COS no longer holds', async () => {
    const d = await multipartTicket(s);
    const uploadId = await initiate(s, d);
    const stranger = await refresh(s, { confirmToken: d.confirmToken, uploadId }, 'mallory');
    expect(stranger.status).toBe(403);
    expect(stranger.json.code).toBe('SRV_ERR_FORBIDDEN');

    const other = await multipartTicket(s);
    const otherId = await initiate(s, other);
    const crossed = await refresh(s, { confirmToken: d.confirmToken, uploadId: otherId });
    expect(crossed.status).toBe(404);
    expect(crossed.json.code).toBe('SRV_ERR_NOT_UPLOADED');

    expect((await withTicketKey(s, d, 'DELETE', { uploadId })).status).toBe(204);
    const aborted = await refresh(s, { confirmToken: d.confirmToken, uploadId });
    expect(aborted.json.code).toBe('SRV_ERR_NOT_UPLOADED');
  });

  it('refuses a token issued before refreshes existed (no refresh deadline in it)', async () => {
    const d = await multipartTicket(s);
    const uploadId = await initiate(s, d);
    const old = new ConfirmTokens(String(s.emulatorOptions.secretKey)).issue({ k: d.cosKey, t: 'multipart', s: 300, e: clock + 3600 });
    const res = await refresh(s, { confirmToken: old, uploadId });
    expect(res.json).toMatchObject({
      code: 'SRV_ERR_INVALID_CONFIRM_TOKEN',
      message: expect.stringContaining('before keys could be refreshed'),
    });
  });

  it('refuses a completed upload', async () => {
    const d = await multipartTicket(s);
    const uploadId = await initiate(s, d);
    expect((await withTicketKey(s, d, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(300, 2))).status).toBe(200);
    const done = await ticket(s.base, '/complete-multipart', {
      method: 'POST',
      headers: asUser('alice'),
      body: JSON.stringify({ confirmToken: d.confirmToken, uploadId }),
    });
    expect(done.status).toBe(200);
    const res = await refresh(s, { confirmToken: d.confirmToken, uploadId });
    expect(res.status).toBe(409);
    expect(res.json.code).toBe('SRV_ERR_ALREADY_COMPLETED');
  });

  it('refuses an upload that started more than maxUploadSeconds ago', async () => {
    const d = await multipartTicket(s);
    const uploadId = await initiate(s, d);
    clock += 3601;
    try {
      const res = await refresh(s, { confirmToken: d.confirmToken, uploadId });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: 'SRV_ERR_INVALID_CONFIRM_TOKEN', message: expect.stringContaining('longer than allowed') });
    } finally {
      clock -= 3601;
    }
  });
});

describe('refresh rate limit', () => {
  it('counts refreshes apart from tickets: a client out of tickets still renews its upload’s key', async () => {
    const s = await stack({ rateLimit: { max: 1, timeWindow: '1 minute', confirmMax: 2 } });
    try {
      const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=300')).json.data as MultipartTicket;
      expect((await ticket(s.base, '/sts-multipart?ext=jpg&size=300')).status).toBe(429);
      const uploadId = await initiate(s, d);
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await post(s, '/sts-multipart-refresh', { confirmToken: d.confirmToken, uploadId })).status);
      expect(statuses).toEqual([200, 200, 429]);
      // Refreshes have a budget of their own: completing is still allowed.
      expect((await withTicketKey(s, d, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(10, 3))).status).toBe(200);
      expect((await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
