import { createObjectPolicy, signRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, raw, REGION, signed, temporaryKey, VHOST, xmlField } from './helpers.js';

let clock = Math.floor(Date.now() / 1000);
const now = () => clock;

describe('authentication and authorization refusals', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ now });
    const res = await signed(emu, 'PUT', 'existing.txt', { body: 'present' });
    expect(res.status).toBe(200);
  });
  afterAll(() => emu.close());

  const code = (text: string) => xmlField(text, 'Code');

  it('accepts a correctly signed request', async () => {
    const res = await signed(emu, 'GET', 'existing.txt');
    expect(res.status).toBe(200);
    expect(res.text).toBe('present');
    expect(res.headers['x-cos-request-id']).toBeTruthy();
  });

  it('refuses an unknown SecretId with InvalidAccessKeyId', async () => {
    const res = await signed(emu, 'GET', 'existing.txt', { credentials: { secretId: 'AKIDnobody', secretKey: 'whatever-key' } });
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('InvalidAccessKeyId');
    expect(xmlField(res.text, 'Reason')).toContain('AKIDnobody');
  });

  it('refuses a wrong signature with SignatureDoesNotMatch and shows what it signed', async () => {
    const res = await signed(emu, 'GET', 'existing.txt', { credentials: { ...emu.info.credentials, secretKey: 'not-the-secret' } });
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('SignatureDoesNotMatch');
    expect(xmlField(res.text, 'FormatString')).toBe(`get\n/existing.txt\n\nhost=${encodeURIComponent(VHOST)}\n`);
    expect(xmlField(res.text, 'StringToSign')).toMatch(/^sha1\n\d+;\d+\n[0-9a-f]{40}\n$/);
    expect(res.text).not.toContain(emu.info.credentials.secretKey);
  });

  it('refuses an expired signature with "Request has expired"', async () => {
    const res = await signed(emu, 'GET', 'existing.txt', { keyTime: `${clock - 1000};${clock - 10}` });
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('AccessDenied');
    expect(xmlField(res.text, 'Message')).toBe('Request has expired');
  });

  it('refuses a signature from the future with RequestTimeTooSkewed', async () => {
    const res = await signed(emu, 'GET', 'existing.txt', { keyTime: `${clock + 3600};${clock + 7200}` });
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('RequestTimeTooSkewed');
  });

  it('refuses a malformed Authorization with AccessDenied naming the problem', async () => {
    const res = await raw(`${emu.info.cos.http}/existing.txt`, { headers: { host: VHOST, authorization: 'q-sign-algorithm=sha1&q-ak=x' } });
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('AccessDenied');
    expect(xmlField(res.text, 'Reason')).toContain('lacks');
  });

  it('refuses an anonymous request to a private object', async () => {
    const res = await raw(`${emu.info.cos.http}/existing.txt`, { headers: { host: VHOST } });
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('AccessDenied');
  });

  it('refuses a request whose signed header was changed', async () => {
    const res = await signed(emu, 'PUT', 'h.txt', { body: 'abc', headers: { 'x-cos-meta-a': '1' } });
    expect(res.status).toBe(200);
    // The same authorization with another value of a signed header.
    const tampered = await raw(`${emu.info.cos.http}/h.txt`, {
      method: 'PUT',
      headers: {
        host: VHOST,
        'content-length': 3,
        'x-cos-meta-a': '2',
        authorization: signRequest(
          { method: 'PUT', pathname: '/h.txt', headers: { host: VHOST, 'content-length': 3, 'x-cos-meta-a': '1' } },
          { credentials: emu.info.credentials },
        ).authorization,
      },
      body: 'abc',
    });
    expect(tampered.status).toBe(403);
    expect(code(tampered.text)).toBe('SignatureDoesNotMatch');
  });

  describe('temporary keys', () => {
    const uploadPolicy = (key: string, extra: { maxSize?: number; contentType?: string } = {}) =>
      createObjectPolicy({ region: REGION, bucket: BUCKET, key, actions: ['PutObject'], ...extra });

    it('need their security token', async () => {
      const key = await temporaryKey(emu, uploadPolicy('t/one.jpg'));
      const res = await signed(emu, 'PUT', 't/one.jpg', {
        body: 'x',
        credentials: { secretId: key.tmpSecretId, secretKey: key.tmpSecretKey },
      });
      expect(res.status).toBe(403);
      expect(code(res.text)).toBe('AccessDenied');
      expect(xmlField(res.text, 'Reason')).toContain('x-cos-security-token');
    });

    it('refuse a tampered or foreign token', async () => {
      const a = await temporaryKey(emu, uploadPolicy('t/one.jpg'));
      const b = await temporaryKey(emu, uploadPolicy('t/one.jpg'));
      const tampered = a.sessionToken.slice(0, -4) + (a.sessionToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const r1 = await signed(emu, 'PUT', 't/one.jpg', {
        body: 'x',
        credentials: { secretId: a.tmpSecretId, secretKey: a.tmpSecretKey, securityToken: tampered },
      });
      expect(code(r1.text)).toBe('AccessDenied');
      const r2 = await signed(emu, 'PUT', 't/one.jpg', {
        body: 'x',
        credentials: { secretId: a.tmpSecretId, secretKey: a.tmpSecretKey, securityToken: b.sessionToken },
      });
      expect(code(r2.text)).toBe('AccessDenied');
      expect(xmlField(r2.text, 'Reason')).toContain('belongs to');
      const foreign = await emulator({ now });
      try {
        const c = await temporaryKey(foreign, uploadPolicy('t/one.jpg'));
        const r3 = await signed(emu, 'PUT', 't/one.jpg', {
          body: 'x',
          credentials: { secretId: c.tmpSecretId, secretKey: c.tmpSecretKey, securityToken: c.sessionToken },
        });
        expect(code(r3.text)).toBe('AccessDenied');
      } finally {
        await foreign.close();
      }
    });

    it('are held to their policy: key, action, size and type', async () => {
      const k = await temporaryKey(emu, uploadPolicy('t/only.jpg', { maxSize: 10, contentType: 'image/jpeg' }));
      const creds = { secretId: k.tmpSecretId, secretKey: k.tmpSecretKey, securityToken: k.sessionToken };
      const ok = await signed(emu, 'PUT', 't/only.jpg', {
        body: '0123456789',
        credentials: creds,
        headers: { 'content-type': 'image/jpeg' },
      });
      expect(ok.status).toBe(200);
      const otherKey = await signed(emu, 'PUT', 't/other.jpg', {
        body: '1',
        credentials: creds,
        headers: { 'content-type': 'image/jpeg' },
      });
      expect(code(otherKey.text)).toBe('AccessDenied');
      expect(xmlField(otherKey.text, 'Reason')).toContain('t/other.jpg');
      const get = await signed(emu, 'GET', 't/only.jpg', { credentials: creds });
      expect(code(get.text)).toBe('AccessDenied');
      expect(xmlField(get.text, 'Reason')).toContain('name/cos:GetObject');
      const big = await signed(emu, 'PUT', 't/only.jpg', {
        body: '01234567890',
        credentials: creds,
        headers: { 'content-type': 'image/jpeg' },
      });
      expect(code(big.text)).toBe('AccessDenied');
      expect(xmlField(big.text, 'Reason')).toContain('cos:content-length');
      const wrongType = await signed(emu, 'PUT', 't/only.jpg', { body: '1', credentials: creds, headers: { 'content-type': 'text/html' } });
      expect(code(wrongType.text)).toBe('AccessDenied');
      expect(xmlField(wrongType.text, 'Reason')).toContain('cos:content-type');
      const otherBucket = await signed(emu, 'PUT', 't/only.jpg', {
        body: '1',
        credentials: creds,
        headers: { 'content-type': 'image/jpeg' },
        host: `other-1250000000.cos.${REGION}.myqcloud.com`,
      });
      // COS authorises before it looks the bucket up: a key scoped to one bucket learns nothing of another.
      expect([otherBucket.status, code(otherBucket.text)]).toEqual([403, 'AccessDenied']);
      expect(xmlField(otherBucket.text, 'Reason')).toContain('other-1250000000');
    });

    it('stop working when they expire', async () => {
      const k = await temporaryKey(emu, uploadPolicy('t/later.jpg'), 60);
      const creds = { secretId: k.tmpSecretId, secretKey: k.tmpSecretKey, securityToken: k.sessionToken };
      clock += 61;
      try {
        const res = await signed(emu, 'PUT', 't/later.jpg', { body: 'x', credentials: creds });
        expect(res.status).toBe(403);
        expect(code(res.text)).toBe('InvalidAccessKeyId');
        expect(xmlField(res.text, 'Reason')).toContain('expired');
      } finally {
        clock -= 61;
      }
    });
  });
});
