import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, raw, sdk, signed, VHOST, xmlField } from './helpers.js';

const KEY = 'dir/中文 1.txt';
const encodedKey = `/${KEY.split('/').map(encodeURIComponent).join('/')}`;

/** A `sign` of COS's earlier form, built from its documented plain text, for the cases the SDK cannot make. */
function earlierSign(secretKey: string, fields: Record<string, string | number>): string {
  const plain = Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return Buffer.concat([createHmac('sha1', secretKey).update(plain).digest(), Buffer.from(plain)]).toString('base64');
}

describe("COS's earlier signature in a sign parameter (the SDK's getV4Auth)", () => {
  let emu: RunningEmulator;
  let get: (sign: string, key?: string, method?: string) => ReturnType<typeof raw>;
  const [shortName, appId] = [BUCKET.slice(0, BUCKET.lastIndexOf('-')), BUCKET.slice(BUCKET.lastIndexOf('-') + 1)];
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
    expect((await signed(emu, 'PUT', KEY, { body: 'legacy' })).status).toBe(200);
    get = (sign, key = encodedKey, method = 'GET') =>
      raw(`${emu.info.cos.http}${key}?sign=${encodeURIComponent(sign)}`, { method, headers: { host: VHOST } });
  });
  afterAll(() => emu.close());

  it('downloads with the official SDK getV4Auth signature', async () => {
    const sign = sdk(emu).getV4Auth({ Bucket: BUCKET, Key: KEY });
    const res = await get(sign);
    expect(res.status).toBe(200);
    expect(res.text).toBe('legacy');
    expect((await get(sign, encodedKey, 'HEAD')).status).toBe(200);
  });

  it('refuses it for another object than its file names', async () => {
    const sign = sdk(emu).getV4Auth({ Bucket: BUCKET, Key: 'other.txt' });
    const res = await get(sign);
    expect(res.status).toBe(403);
    expect(xmlField(res.text, 'Code')).toBe('AccessDenied');
    expect(xmlField(res.text, 'Reason')).toContain(`/${appId}/${shortName}/other.txt`);
  });

  it('refuses a digest made with another secret key, showing the plain text it checked', async () => {
    const sign = sdk(emu).getV4Auth({ Bucket: BUCKET, Key: KEY, SecretKey: 'not-the-secret' } as never);
    const res = await get(sign);
    expect(res.status).toBe(403);
    expect(xmlField(res.text, 'Code')).toBe('SignatureDoesNotMatch');
    expect(xmlField(res.text, 'StringToSign')?.replaceAll('&amp;', '&')).toMatch(new RegExp(`^a=${appId}&b=${shortName}&k=`));
  });

  it('refuses an expired signature, and one for another bucket', async () => {
    const expired = sdk(emu).getV4Auth({ Bucket: BUCKET, Key: KEY, Expires: -60 });
    const late = await get(expired);
    expect(late.status).toBe(403);
    expect(xmlField(late.text, 'Message')).toBe('Request has expired');
    const other = sdk(emu).getV4Auth({ Bucket: 'other-1250000000', Key: KEY });
    const wrongBucket = await get(other);
    expect(wrongBucket.status).toBe(403);
    expect(xmlField(wrongBucket.text, 'Reason')).toContain('not bucket');
  });

  it('takes a multi-use signature without a file, within its expiry', async () => {
    const { secretId, secretKey } = emu.info.credentials;
    const t = now();
    const multi = earlierSign(secretKey, { a: appId!, b: shortName, k: secretId, e: t + 60, t, r: 12345, f: '' });
    expect((await get(multi)).status).toBe(200);
    const neither = earlierSign(secretKey, { a: appId!, b: shortName, k: secretId, e: 0, t, r: 1, f: '' });
    const res = await get(neither);
    expect(res.status).toBe(403);
    expect(xmlField(res.text, 'Reason')).toContain('neither an expiry');
  });

  it('authorizes downloads only', async () => {
    const sign = sdk(emu).getV4Auth({ Bucket: BUCKET, Key: KEY });
    const res = await raw(`${emu.info.cos.http}${encodedKey}?sign=${encodeURIComponent(sign)}`, {
      method: 'PUT',
      headers: { host: VHOST, 'content-length': 1 },
      body: 'x',
    });
    expect(res.status).toBe(403);
    expect(xmlField(res.text, 'Reason')).toContain('downloads only');
  });
});
