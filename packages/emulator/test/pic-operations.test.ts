import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { call, emulator, postSignedForm, sdk, signed, xmlField } from './helpers.js';

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
    const res = await postSignedForm(emu, 'pic/c.jpg', 'jpeg', { 'Pic-Operations': RULES });
    expect(res.status).toBe(501);
    expect(xmlField(res.text, 'Reason')).toContain('Cloud Infinite');
  });
});
