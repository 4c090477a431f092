import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { call, emulator, postSignedForm, sdk, signed, VHOST, xmlField } from './helpers.js';

const code = (text: string) => xmlField(text, 'Code');

/** x-cos-forbid-overwrite beyond PUT: a POST form field, a header on Complete and on PUT Object - Copy. */
describe('x-cos-forbid-overwrite', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  const post = (key: string, content: string, extra: Record<string, string>) => postSignedForm(emu, key, content, extra);

  it('refuses a POST form that sets it on an existing key, and stores one on a free key', async () => {
    expect((await post('forbid/post.txt', 'first', { 'x-cos-forbid-overwrite': 'true' })).status).toBe(204);
    const again = await post('forbid/post.txt', 'second', { 'x-cos-forbid-overwrite': 'true' });
    expect([again.status, code(again.text)]).toEqual([409, 'FileAlreadyExists']);
    expect((await signed(emu, 'GET', 'forbid/post.txt')).text).toBe('first');
    expect((await post('forbid/post.txt', 'third', { 'x-cos-forbid-overwrite': 'false' })).status).toBe(204);
    expect((await signed(emu, 'GET', 'forbid/post.txt')).text).toBe('third');
  });

  it('refuses Complete Multipart Upload that sends it when the key exists, and keeps the upload', async () => {
    await signed(emu, 'PUT', 'forbid/mp.bin', { body: 'existing' });
    const init = await signed(emu, 'POST', 'forbid/mp.bin', { query: { uploads: '' } });
    const uploadId = xmlField(init.text, 'UploadId')!;
    const part = await signed(emu, 'PUT', 'forbid/mp.bin', { query: { partNumber: '1', uploadId }, body: 'part' });
    const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag}</ETag></Part></CompleteMultipartUpload>`;
    const refused = await signed(emu, 'POST', 'forbid/mp.bin', {
      query: { uploadId },
      body: xml,
      headers: { 'x-cos-forbid-overwrite': 'true' },
    });
    expect([refused.status, code(refused.text)]).toEqual([409, 'FileAlreadyExists']);
    expect((await signed(emu, 'GET', 'forbid/mp.bin')).text).toBe('existing');
    const parts = await signed(emu, 'GET', 'forbid/mp.bin', { query: { uploadId } });
    expect(parts.text.match(/<PartNumber>/g)).toHaveLength(1);
    // Without it, the same Complete replaces the object.
    const done = await call(sdk(emu), 'multipartComplete', {
      Key: 'forbid/mp.bin',
      UploadId: uploadId,
      Parts: [{ PartNumber: 1, ETag: part.headers.etag }],
    });
    expect(done.statusCode).toBe(200);
    expect((await signed(emu, 'GET', 'forbid/mp.bin')).text).toBe('part');
  });

  it('refuses Initiate Multipart Upload that sends it when the key exists', async () => {
    await signed(emu, 'PUT', 'forbid/init.bin', { body: 'existing' });
    const refused = await signed(emu, 'POST', 'forbid/init.bin', { query: { uploads: '' }, headers: { 'x-cos-forbid-overwrite': 'true' } });
    expect([refused.status, code(refused.text)]).toEqual([409, 'FileAlreadyExists']);
    const uploads = await signed(emu, 'GET', '', { query: { uploads: '', prefix: 'forbid/init.bin' } });
    expect(uploads.text).not.toContain('<Upload>');
  });

  it('completes onto a free key with it', async () => {
    const cos = sdk(emu);
    const init = await call(cos, 'multipartInit', { Key: 'forbid/new.bin' });
    const part = await call(cos, 'multipartUpload', {
      Key: 'forbid/new.bin',
      UploadId: init.UploadId,
      PartNumber: 1,
      Body: Buffer.from('new'),
    });
    const done = await call(cos, 'multipartComplete', {
      Key: 'forbid/new.bin',
      UploadId: init.UploadId,
      Parts: [{ PartNumber: 1, ETag: part.ETag }],
      Headers: { 'x-cos-forbid-overwrite': 'true' },
    });
    expect(done.statusCode).toBe(200);
  });

  it("refuses the SDK's putObjectCopy onto an existing key with it", async () => {
    const cos = sdk(emu);
    await call(cos, 'putObject', { Key: 'forbid/src.txt', Body: 'source' });
    await call(cos, 'putObject', { Key: 'forbid/dst.txt', Body: 'destination' });
    const refused = call(cos, 'putObjectCopy', {
      Key: 'forbid/dst.txt',
      CopySource: `${VHOST}/forbid/src.txt`,
      Headers: { 'x-cos-forbid-overwrite': 'true' },
    });
    await expect(refused).rejects.toMatchObject({ statusCode: 409, code: 'FileAlreadyExists' });
    expect((await signed(emu, 'GET', 'forbid/dst.txt')).text).toBe('destination');
    await call(cos, 'putObjectCopy', {
      Key: 'forbid/fresh.txt',
      CopySource: `${VHOST}/forbid/src.txt`,
      Headers: { 'x-cos-forbid-overwrite': 'true' },
    });
    expect((await signed(emu, 'GET', 'forbid/fresh.txt')).text).toBe('source');
  });

  it('lets one of two racing PUTs with it create a new key and refuses the other', async () => {
    const body = Buffer.alloc(300 * 1024, 1);
    const results = await Promise.all(
      [0, 1].map((i) =>
        signed(emu, 'PUT', 'forbid/race.bin', {
          body: Buffer.concat([body, Buffer.from([i])]),
          headers: { 'x-cos-forbid-overwrite': 'true' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});
