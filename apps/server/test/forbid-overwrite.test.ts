import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectTicket } from '../src/index.js';
import { post } from './cos-requests.js';
import { seedPut, type Stack, stack, ticket } from './harness.js';

// Issue 24: a direct ticket's signature is still valid after its upload. For a client that says it sends
// the ticket's headers, the signature covers x-cos-forbid-overwrite: true, so COS itself refuses to
// replace the object, and a PUT that drops the header no longer matches the signature.

const putWith = (s: Stack, d: DirectTicket, bytes: string, extra: Record<string, string>) =>
  seedPut(
    d.cosUrl,
    {
      'content-length': Buffer.byteLength(bytes),
      'content-type': 'application/octet-stream',
      authorization: d.authorization,
      'x-cos-security-token': d.securityToken,
      host: d.cosHost,
      ...extra,
    },
    [Buffer.from(bytes)],
    s.emu.info.caCert!,
  );

const cosCode = (text: string) => /<Code>([^<]+)<\/Code>/.exec(text)?.[1];

describe('direct tickets for clients that send headers', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack();
  });
  afterAll(() => s.close());

  const headerTicket = async (query = 'sendsHeaders=1') =>
    (await ticket(s.base, `/sts-direct-sign?ext=jpg&${query}`)).json.data as DirectTicket;

  it('signs x-cos-forbid-overwrite, so the same ticket cannot replace the confirmed object', async () => {
    const d = await headerTicket();
    expect(d.headers).toEqual({ 'x-cos-forbid-overwrite': 'true' });
    expect(d.authorization).toContain('q-header-list=host;x-cos-forbid-overwrite&');

    const first = await putWith(s, d, 'the first bytes', d.headers!);
    expect(first.status).toBe(200);
    const confirmed = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.data.etag).toBe(first.headers.etag);
    // Nothing can replace it, so the confirmation is final at once.
    expect(confirmed.json.data).not.toHaveProperty('replaceableUntil');

    const second = await putWith(s, d, 'other bytes, replaced', d.headers!);
    expect(second.status).toBe(409);
    expect(cosCode(second.text)).toBe('FileAlreadyExists');

    const again = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(again.status).toBe(200);
    expect(again.json.data).toEqual(confirmed.json.data);
  });

  it('refuses the ticket without the header, or with another value: the holder cannot drop it', async () => {
    const d = await headerTicket();
    const bare = await putWith(s, d, 'no header', {});
    expect(bare.status).toBe(403);
    expect(cosCode(bare.text)).toBe('SignatureDoesNotMatch');
    const flipped = await putWith(s, d, 'header flipped', { 'x-cos-forbid-overwrite': 'false' });
    expect(flipped.status).toBe(403);
    expect(cosCode(flipped.text)).toBe('SignatureDoesNotMatch');
    expect((await post(s, '/confirm', { confirmToken: d.confirmToken })).json.code).toBe('SRV_ERR_NOT_UPLOADED');

    expect((await putWith(s, d, 'the real upload', d.headers!)).status).toBe(200);
    const confirmed = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect((await putWith(s, d, 'a replacement', {})).status).toBe(403);
    expect((await post(s, '/confirm', { confirmToken: d.confirmToken })).json.data).toEqual(confirmed.json.data);
  });

  it('takes sendsHeaders as 1 or true, in the query or a JSON body; the seed gets a ticket without headers', async () => {
    expect((await headerTicket('sendsHeaders=true')).headers).toEqual({ 'x-cos-forbid-overwrite': 'true' });
    const fromBody = await post(s, '/sts-direct-sign', { ext: 'jpg', sendsHeaders: true });
    expect(fromBody.json.data.headers).toEqual({ 'x-cos-forbid-overwrite': 'true' });

    for (const seed of [
      await headerTicket('sendsHeaders=0'),
      (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket,
    ]) {
      expect(seed.headers).toBeUndefined();
      expect(seed.authorization).toContain('q-header-list=host&');
      expect((await putWith(s, seed, 'seed bytes', {})).status).toBe(200);
    }

    const bad = await ticket(s.base, '/sts-direct-sign?ext=jpg&sendsHeaders=yes');
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('SRV_ERR_BAD_REQUEST');
  });
});
