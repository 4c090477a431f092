import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectTicket } from '../src/index.js';
import { seedPut, stack, ticket, type Stack } from './harness.js';

// "Every ticket waits for STS": direct and POST tickets are signed with one temporary key per policy
// shape; the signature (or the signed POST policy) is what pins the ticket's one key.

let clock = Math.floor(Date.now() / 1000);
const now = () => clock;

const put = (s: Stack, d: DirectTicket, key = d.cosKey) =>
  seedPut(
    `https://${d.cosHost}/${key}`,
    { 'content-length': 1, authorization: d.authorization, 'x-cos-security-token': d.securityToken, host: d.cosHost },
    [Buffer.from('x')],
    s.emu.info.caCert!,
  );

describe('shared ticket keys (the default)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ now, durationSeconds: 1800, signatureSeconds: 900 }, now);
  });
  afterAll(() => s.close());

  it('sign many tickets with one key, each good for its own object only', async () => {
    const [a, b] = await Promise.all([1, 2].map(async () => (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket));
    expect(a!.securityToken).toBe(b!.securityToken);
    expect(a!.cosKey).not.toBe(b!.cosKey);
    expect(a).not.toHaveProperty('tmpSecretKey');
    const crossed = await put(s, a!, b!.cosKey);
    expect(crossed.status).toBe(403);
    expect(crossed.text).toContain('SignatureDoesNotMatch');
    expect((await put(s, a!)).status).toBe(200);
    expect((await put(s, b!)).status).toBe(200);
    const [p, q] = await Promise.all([1, 2].map(async () => (await ticket(s.base, '/post-policy?ext=jpg')).json.data));
    expect(p.fields['x-cos-security-token']).toBe(q.fields['x-cos-security-token']);
    expect(p.fields['x-cos-security-token']).not.toBe(a!.securityToken);
    // Another extension is another shape (its own allowed types), so another key.
    const png = (await ticket(s.base, '/sts-direct-sign?ext=png')).json.data as DirectTicket;
    expect(png.securityToken).not.toBe(a!.securityToken);
    // Multipart tickets hand out their key: one each.
    const [m, n] = await Promise.all([1, 2].map(async () => (await ticket(s.base, '/sts-multipart?ext=jpg&size=10')).json.data));
    expect(m.credentials.sessionToken).not.toBe(n.credentials.sessionToken);
  });

  it('refresh in the background while the key still has spare life, handing out the old one meanwhile', async () => {
    const first = (await ticket(s.base, '/sts-direct-sign?ext=bmp')).json.data as DirectTicket;
    clock += 1800 - 900 - 100; // 100 s of spare life left: inside the last quarter
    try {
      const during = (await ticket(s.base, '/sts-direct-sign?ext=bmp')).json.data as DirectTicket;
      expect(during.securityToken).toBe(first.securityToken);
      expect(during.expiredTime).toBeLessThanOrEqual(clock + 900);
      let next = during;
      for (let i = 0; i < 100 && next.securityToken === first.securityToken; i++) {
        await new Promise((r) => setTimeout(r, 20));
        next = (await ticket(s.base, '/sts-direct-sign?ext=bmp')).json.data as DirectTicket;
      }
      expect(next.securityToken).not.toBe(first.securityToken);
      expect((await put(s, during)).status).toBe(200);
    } finally {
      clock = Math.floor(Date.now() / 1000);
    }
  });

  it('refresh before the key could end inside a signature, with one STS call for many waiting tickets', async () => {
    const first = (await ticket(s.base, '/sts-direct-sign?ext=gif')).json.data as DirectTicket;
    clock += 1800 - 900 + 10; // the key now outlives a fresh signature by less than nothing
    try {
      const burst = await Promise.all(
        Array.from({ length: 20 }, async () => (await ticket(s.base, '/sts-direct-sign?ext=gif')).json.data as DirectTicket),
      );
      const tokens = new Set(burst.map((t) => t.securityToken));
      expect(tokens.size).toBe(1);
      expect(tokens.has(first.securityToken)).toBe(false);
      // A signature is good to its last second: the key under it lives at least that long.
      const last = burst[0]!;
      expect(last.expiredTime).toBeLessThanOrEqual(clock + 900);
      clock = last.expiredTime - 1;
      expect((await put(s, last)).status).toBe(200);
    } finally {
      clock = Math.floor(Date.now() / 1000);
    }
  });
});

describe('per-ticket keys (TICKET_KEYS=per-ticket)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ ticketKeys: 'per-ticket' });
  });
  afterAll(() => s.close());

  it('give every ticket a key of its own, scoped to its object', async () => {
    const [a, b] = await Promise.all([1, 2].map(async () => (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket));
    expect(a!.securityToken).not.toBe(b!.securityToken);
    expect((await put(s, a!)).status).toBe(200);
  });
});
