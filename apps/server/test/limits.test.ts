import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack, ticket, type Stack } from './harness.js';

describe('GET /limits', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ allowedExtensions: ['png', '.JPG'], maxSize: 1048576, rateLimit: { max: 1, timeWindow: '1 minute' } });
  });
  afterAll(() => s.close());

  it('answers the extensions and sizes a ticket allows, outside the ticket budget', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await ticket(s.base, '/limits');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        code: 0,
        data: { allowedExtensions: ['png', 'jpg'], maxSize: 1048576, maxMultipartSize: 50 * 1024 ** 3, enforceContentType: false },
      });
    }
    expect((await ticket(s.base, '/sts-direct-sign?ext=png')).status).toBe(200);
  });
});

describe('GET /limits with authentication', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ bearerTokens: ['a-long-enough-bearer-token'] });
  });
  afterAll(() => s.close());

  it('asks for the same credentials as the tickets, and says maxSize is null when unset', async () => {
    expect((await ticket(s.base, '/limits')).json.code).toBe('SRV_ERR_UNAUTHENTICATED');
    const res = await ticket(s.base, '/limits', { headers: { authorization: 'Bearer a-long-enough-bearer-token' } });
    expect(res.status).toBe(200);
    expect(res.json.data.maxSize).toBeNull();
  });
});
