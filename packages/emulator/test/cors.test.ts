import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { emulator, raw, signed, VHOST, xmlField } from './helpers.js';

describe('CORS', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
  });
  afterAll(() => emu.close());

  const preflight = (origin: string, method: string, headers = 'authorization,x-cos-security-token,content-type') =>
    raw(`${emu.info.cos.http}/photo.jpg`, {
      method: 'OPTIONS',
      headers: { host: VHOST, origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    });

  it('gives new buckets a development rule that exposes ETag', async () => {
    const res = await preflight('http://localhost:5173', 'PUT');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain('PUT');
    expect(String(res.headers['access-control-expose-headers'])).toContain('ETag');
    const put = await signed(emu, 'PUT', 'cors.txt', { body: 'x', headers: { origin: 'http://localhost:5173' } });
    expect(put.headers['access-control-allow-origin']).toBe('*');
    expect(String(put.headers['access-control-expose-headers'])).toContain('ETag');
  });

  it('applies PUT Bucket cors rules and refuses what they do not allow', async () => {
    const xml =
      '<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>' +
      '<AllowedHeader>authorization</AllowedHeader><AllowedHeader>x-cos-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>';
    const put = await signed(emu, 'PUT', '', { query: { cors: '' }, body: xml, headers: { 'content-type': 'application/xml' } });
    expect(put.status).toBe(200);
    const get = await signed(emu, 'GET', '', { query: { cors: '' } });
    expect(xmlField(get.text, 'AllowedOrigin')).toBe('https://app.example');

    const ok = await preflight('https://app.example', 'PUT', 'authorization,x-cos-security-token');
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(ok.headers['access-control-max-age']).toBe('60');

    const badOrigin = await preflight('https://evil.example', 'PUT', 'authorization');
    expect(badOrigin.status).toBe(403);
    expect(xmlField(badOrigin.text, 'Code')).toBe('AccessForbidden');
    expect(xmlField(badOrigin.text, 'Reason')).toContain('https://evil.example');
    const badHeader = await preflight('https://app.example', 'PUT', 'authorization,x-custom');
    expect(badHeader.status).toBe(403);
    expect(xmlField(badHeader.text, 'Reason')).toContain('x-custom');

    expect((await signed(emu, 'DELETE', '', { query: { cors: '' } })).status).toBe(204);
    const none = await signed(emu, 'GET', '', { query: { cors: '' } });
    expect(xmlField(none.text, 'Code')).toBe('NoSuchCORSConfiguration');
  });

  it.each(['abc', '-1', '1.5'])('refuses MaxAgeSeconds %s as a malformed document, keeping the rules it had', async (value) => {
    const xml = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>${value}</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
    const put = await signed(emu, 'PUT', '', { query: { cors: '' }, body: xml, headers: { 'content-type': 'application/xml' } });
    expect([put.status, xmlField(put.text, 'Code')]).toEqual([400, 'MalformedXML']);
    expect(xmlField(put.text, 'Reason')).toContain(`MaxAgeSeconds &quot;${value}&quot;`);
    // Nothing of the refused document was kept.
    expect(xmlField((await signed(emu, 'GET', '', { query: { cors: '' } })).text, 'Code')).toBe('NoSuchCORSConfiguration');
  });
});

describe('emulator endpoints', () => {
  it('serves its health and CA certificate on the bare address only', async () => {
    const emu = await emulator();
    try {
      const u = new URL(emu.info.cos.http);
      const health = await raw(`${emu.info.cos.http}//_emulator/health`, { headers: { host: u.host } });
      expect(JSON.parse(health.text)).toMatchObject({ status: 'ok' });
      const ca = await raw(`${emu.info.cos.http}//_emulator/ca.pem`, { headers: { host: u.host } });
      expect(ca.text).toBe(emu.info.caCert);
      const onBucket = await raw(`${emu.info.cos.http}//_emulator/health`, { headers: { host: VHOST } });
      // On a bucket's host it is a COS request: the opening slashes merge into the key "_emulator/health",
      // private to an anonymous caller.
      expect(onBucket.status).toBe(403);
      expect(xmlField(onBucket.text, 'Code')).toBe('AccessDenied');
      // The old address is an ordinary key again: an object named "_emulator/health" is not shadowed.
      expect((await raw(`${emu.info.cos.http}/_emulator/health`, { headers: { host: u.host } })).status).toBe(403);
    } finally {
      await emu.close();
    }
  });
});
