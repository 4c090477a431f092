import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack, ticket, type Stack } from './harness.js';

// Issue 23: when the app names the user, each user has a budget of their own; others count per address.
describe('rate limits per user', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({
      rateLimit: { max: 2, timeWindow: '1 minute' },
      authenticate: (req) => (typeof req.headers['x-user'] === 'string' ? { id: req.headers['x-user'] } : null),
    });
  });
  afterAll(() => s.close());

  const as = (user?: string) => ticket(s.base, '/sts-direct-sign?ext=jpg', user ? { headers: { 'x-user': user } } : undefined);

  it('gives each named user their own budget, and callers without a name one per address', async () => {
    expect([(await as('ann')).status, (await as('ann')).status, (await as('ann')).status]).toEqual([200, 200, 429]);
    const refused = await as('ann');
    expect(refused.json).toMatchObject({ code: 'SRV_ERR_RATE_LIMITED', message: 'too many requests: at most 2 tickets per 1 minute' });
    expect([(await as('ben')).status, (await as('ben')).status]).toEqual([200, 200]);
    expect([(await as()).status, (await as()).status, (await as()).status]).toEqual([200, 200, 429]);
  });

  it('logs one audit line per ticket: kind, key and caller, no secrets', async () => {
    const { json } = await as('cat');
    const line = s.logs.map((l) => JSON.parse(l)).find((l) => l.audit?.key === json.data.cosKey);
    expect(line).toMatchObject({ msg: 'ticket issued', audit: { kind: 'direct', caller: 'cat' } });
    expect(JSON.stringify(line)).not.toContain(json.data.securityToken);
  });
});

describe('a pino logger of the app', () => {
  it('is used as it is', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const s = await stack({ logger: logger as never });
    try {
      expect((await ticket(s.base, '/sts-direct-sign?ext=jpg')).status).toBe(200);
      expect(lines.join('')).toContain('ticket issued');
    } finally {
      await s.close();
    }
  });
});

describe('failed sign-ins', () => {
  it('count against the address before any user is known: guessing tokens is rate-limited too', async () => {
    const s = await stack({ rateLimit: { max: 2, timeWindow: '1 minute' }, bearerTokens: ['the-right-bearer-token-0001'] });
    try {
      const guess = (token: string) => ticket(s.base, '/sts-direct-sign?ext=jpg', { headers: { authorization: `Bearer ${token}` } });
      expect([(await guess('wrong-guess-000000001')).status, (await guess('wrong-guess-000000002')).status]).toEqual([401, 401]);
      const third = await guess('wrong-guess-000000003');
      expect([third.status, third.json.code]).toEqual([429, 'SRV_ERR_RATE_LIMITED']);
      expect(third.json.message).toContain('failed sign-ins');
    } finally {
      await s.close();
    }
  });
});
