import { createObjectPolicy, createPostPolicy, signPostPolicy } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, REGION, signed, temporaryKey, VHOST, xmlField } from './helpers.js';

async function post(emu: RunningEmulator, fields: Record<string, string>, file: Blob, filename = 'photo.jpg') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', file, filename);
  const req = new Request('http://placeholder/', { method: 'POST', body: form });
  const body = Buffer.from(await req.arrayBuffer());
  const { raw } = await import('./helpers.js');
  return raw(`${emu.info.cos.http}/`, {
    method: 'POST',
    headers: { host: VHOST, 'content-type': req.headers.get('content-type')!, 'content-length': body.length },
    body,
  });
}

describe('POST Object (browser form upload)', () => {
  let emu: RunningEmulator;
  let clock = Math.floor(Date.now() / 1000);
  beforeAll(async () => {
    emu = await emulator({ now: () => clock });
  });
  afterAll(() => emu.close());

  const form = (key: string, extra: Partial<Parameters<typeof createPostPolicy>[0]> = {}, fieldsExtra: Record<string, string> = {}) => {
    const keyTime = `${clock - 1};${clock + 600}`;
    const policy = createPostPolicy({
      bucket: BUCKET,
      key,
      expiration: new Date((clock + 600) * 1000),
      credentials: emu.info.credentials,
      keyTime,
      ...extra,
    });
    return { key, ...fieldsExtra, ...signPostPolicy(policy, { credentials: emu.info.credentials, keyTime }) } as Record<string, string>;
  };

  it('stores the file and answers 204 with the ETag', async () => {
    const res = await post(emu, form('forms/a.jpg'), new Blob(['form bytes']));
    expect(res.status).toBe(204);
    expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const get = await signed(emu, 'GET', 'forms/a.jpg');
    expect(get.text).toBe('form bytes');
  });

  it('answers 201 with a PostResponse document, and 303 to a redirect', async () => {
    const created = await post(emu, form('forms/b.jpg', { successActionStatus: 201 }, { success_action_status: '201' }), new Blob(['b']));
    expect(created.status).toBe(201);
    expect(xmlField(created.text, 'Key')).toBe('forms/b.jpg');
    const redirect = await post(
      emu,
      form(
        'forms/c.jpg',
        { extra: [['starts-with', '$success_action_redirect', 'https://app.example/']] },
        { success_action_redirect: 'https://app.example/done' },
      ),
      new Blob(['c']),
    );
    expect(redirect.status).toBe(303);
    expect(redirect.headers.location).toMatch(
      /^https:\/\/app\.example\/done\?bucket=dev-1250000000&key=forms%2Fc\.jpg&etag=%22[0-9a-f]{32}%22$/,
    );
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${filename} is COS's placeholder, sent as written
  it('substitutes ${filename} in the key before checking the policy', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the same placeholder, in the form's key
    const fields = form('uploads/${filename}', { key: undefined, keyPrefix: 'uploads/' });
    const res = await post(emu, fields, new Blob(['named']), 'cat.png');
    expect(res.status).toBe(204);
    expect((await signed(emu, 'GET', 'uploads/cat.png')).text).toBe('named');
  });

  it('refuses a form that violates its policy, naming the clause', async () => {
    const fields = form('forms/d.jpg');
    fields.key = 'forms/other.jpg';
    const res = await post(emu, fields, new Blob(['d']));
    expect(res.status).toBe(403);
    expect(xmlField(res.text, 'Code')).toBe('AccessDenied');
    expect(xmlField(res.text, 'Reason')).toContain('forms/other.jpg');
  });

  it('refuses a file outside content-length-range and keeps nothing', async () => {
    const res = await post(emu, form('forms/e.jpg', { contentLengthRange: [0, 4] }), new Blob(['too long']));
    expect(res.status).toBe(400);
    expect(xmlField(res.text, 'Code')).toBe('EntityTooLarge');
    expect((await signed(emu, 'HEAD', 'forms/e.jpg')).status).toBe(404);
  });

  it('refuses a forged signature and an expired policy', async () => {
    const fields = form('forms/f.jpg');
    fields['q-signature'] = '0'.repeat(40);
    expect(xmlField((await post(emu, fields, new Blob(['f']))).text, 'Code')).toBe('SignatureDoesNotMatch');
    const old = form('forms/g.jpg');
    clock += 3600;
    try {
      const res = await post(emu, old, new Blob(['g']));
      expect(res.status).toBe(403);
    } finally {
      clock -= 3600;
    }
  });

  it('holds a temporary key to its PostObject policy', async () => {
    const key = await temporaryKey(
      emu,
      createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'forms/tmp.jpg', actions: ['PostObject'] }),
    );
    const credentials = { secretId: key.tmpSecretId, secretKey: key.tmpSecretKey, securityToken: key.sessionToken };
    const keyTime = `${clock - 1};${clock + 600}`;
    const make = (k: string) => ({
      key: k,
      ...signPostPolicy(createPostPolicy({ bucket: BUCKET, key: k, expiration: new Date((clock + 600) * 1000), credentials, keyTime }), {
        credentials,
        keyTime,
      }),
    });
    expect((await post(emu, make('forms/tmp.jpg') as never, new Blob(['ok']))).status).toBe(204);
    const denied = await post(emu, make('forms/elsewhere.jpg') as never, new Blob(['no']));
    expect(denied.status).toBe(403);
    expect(xmlField(denied.text, 'Reason')).toContain('name/cos:PostObject');
  });
});
