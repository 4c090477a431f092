import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack, ticket, type Stack } from './harness.js';

const secret = 'a-jwt-secret-that-is-at-least-32-chars!!';
const key = new TextEncoder().encode(secret);
const now = () => Math.floor(Date.now() / 1000);

describe('JWT claims (issue 24)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ jwt: { secret } });
  });
  afterAll(() => s.close());
  const call = (token: string) => ticket(s.base, '/sts-direct-sign?ext=jpg', { headers: { authorization: `Bearer ${token}` } });

  it('refuses a JWT without exp: it would be valid forever', async () => {
    const forever = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(key);
    const res = await call(forever);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ code: 'SRV_ERR_UNAUTHENTICATED', message: 'the JWT is not valid: it has no "exp" claim' });
  });

  it('refuses a JWT issued in the future beyond the clock skew, and allows one within it', async () => {
    const ahead = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now() + 365 * 86400)
      .setExpirationTime('2y')
      .sign(key);
    const res = await call(ahead);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe('SRV_ERR_UNAUTHENTICATED');
    expect(res.json.message).toContain('"iat"');
    const skewed = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now() + 30)
      .setExpirationTime('5m')
      .sign(key);
    expect((await call(skewed)).status).toBe(200);
  });

  it('refuses an expired JWT with the same stable code', async () => {
    const old = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now() - 600)
      .setExpirationTime(now() - 300)
      .sign(key);
    expect((await call(old)).json).toEqual({ code: 'SRV_ERR_UNAUTHENTICATED', message: 'the JWT is not valid: it has expired (exp)' });
  });
});

describe("errors thrown by the app's authenticate", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({
      authenticate: () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:5432 (sessions database)');
      },
    });
  });
  afterAll(() => s.close());

  it('answer the stable 401 without their message, which goes to the log', async () => {
    const res = await ticket(s.base, '/sts-direct-sign?ext=jpg');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ code: 'SRV_ERR_UNAUTHENTICATED', message: 'Authentication is required' });
    expect(s.logs.join('')).toContain('sessions database');
  });
});
