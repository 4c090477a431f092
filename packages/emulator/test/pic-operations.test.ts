import { createPostPolicy, signPostPolicy } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, raw, sdk, signed, VHOST, xmlField } from './helpers.js';

const RULES = JSON.stringify({ is_pic_info: 1, rules: [{ fileid: 'thumb.jpg', rule: 'imageMogr2/thumbnail/200x' }] });

/** Image processing on upload is not emulated: refused, explained, and nothing is stored. */
describe('Pic-Operations', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  it('refuses a PUT with 501 whose reason says what it asks for and why the emulator cannot', async () => {
    const res = await signed(emu, 'PUT', 'pic/a.jpg', { headers: { 'Pic-Operations': RULES }, body: 'jpeg' });
    expect(res.status).toBe(501);
    expect(xmlField(res.text, 'Code')).toBe('NotImplemented');
    const reason = xmlField(res.text, 'Reason') ?? '';
    expect(reason.toLowerCase()).toContain('pic-operations');
    expect(reason).toContain('Cloud Infinite');
    expect(reason).toContain('--loose');
    expect((await signed(emu, 'HEAD', 'pic/a.jpg')).status).toBe(404);
  });

  it('refuses it from the official SDK and as a POST form field too', async () => {
    await expect(
      call(sdk(emu), 'putObject', { Key: 'pic/b.jpg', Body: 'jpeg', Headers: { 'Pic-Operations': RULES } }),
    ).rejects.toMatchObject({ statusCode: 501, code: 'NotImplemented' });
    const now = Math.floor(Date.now() / 1000);
    const keyTime = `${now - 1};${now + 600}`;
    const credentials = emu.info.credentials;
    const policy = createPostPolicy({ bucket: BUCKET, key: 'pic/c.jpg', expiration: new Date((now + 600) * 1000), credentials, keyTime });
    const form = new FormData();
    for (const [k, v] of Object.entries({
      key: 'pic/c.jpg',
      'Pic-Operations': RULES,
      ...signPostPolicy(policy, { credentials, keyTime }),
    })) {
      form.append(k, v);
    }
    form.append('file', new Blob(['jpeg']), 'c.jpg');
    const req = new Request('http://placeholder/', { method: 'POST', body: form });
    const body = Buffer.from(await req.arrayBuffer());
    const res = await raw(`${emu.info.cos.http}/`, {
      method: 'POST',
      headers: { host: VHOST, 'content-type': req.headers.get('content-type')!, 'content-length': body.length },
      body,
    });
    expect(res.status).toBe(501);
    expect(xmlField(res.text, 'Reason')).toContain('Cloud Infinite');
  });
});
