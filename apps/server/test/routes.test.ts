import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveOptions } from '../src/index.js';
import { stack, ticket, type Stack } from './harness.js';

describe('ticket routes', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ rateLimit: { max: 5, timeWindow: '1 minute' } });
  });
  afterAll(() => s.close());

  it('answers HEAD (and other methods) with 405 and Allow, without issuing a ticket', async () => {
    for (const method of ['HEAD', 'PUT', 'DELETE']) {
      const res = await fetch(`${s.base}/sts-direct-sign?ext=jpg`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
      if (method !== 'HEAD') expect(((await res.json()) as { code: string }).code).toBe('SRV_ERR_METHOD_NOT_ALLOWED');
    }
  });

  it('gives each client one budget across all ticket routes', async () => {
    const paths = ['/sts-direct-sign?ext=jpg', '/post-policy?ext=jpg', '/sts-multipart?ext=jpg&size=10', '/sts-direct-sign?ext=png'];
    for (const p of paths) expect((await ticket(s.base, p)).status).toBe(200);
    expect((await ticket(s.base, '/post-policy?ext=png')).status).toBe(200);
    for (const p of ['/sts-direct-sign?ext=jpg', '/post-policy?ext=jpg', '/sts-multipart?ext=jpg&size=10']) {
      const res = await ticket(s.base, p);
      expect(res.status).toBe(429);
      expect(res.json.code).toBe('SRV_ERR_RATE_LIMITED');
    }
    expect((await ticket(s.base, '/healthz')).status).toBe(200);
  });
});

describe('JWKS_URL', () => {
  const base = { secretId: 'a', secretKey: 'b', bucket: 'x-1250000000', region: 'ap-guangzhou' };
  it.each(['https://id.example/jwks.json', 'http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9/jwks'])(
    'accepts %s',
    (jwksUrl) => {
      expect(resolveOptions({ ...base, jwt: { jwksUrl } }).jwt?.jwksUrl).toBe(jwksUrl);
    },
  );
  it.each(['http://id.example/jwks.json', 'http://10.0.0.1/jwks', 'ftp://id.example/jwks', 'not a url'])('refuses %s', (jwksUrl) => {
    expect(() => resolveOptions({ ...base, jwt: { jwksUrl } })).toThrow(ConfigError);
    expect(() => resolveOptions({ ...base, jwt: { jwksUrl } })).toThrow(/JWKS_URL/);
  });
});
