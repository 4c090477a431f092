import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostPolicy, signPostPolicy } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, raw, sdk, signed, VHOST } from './helpers.js';

/** The Content-Type COS stores for an upload that sends none (the official SDK's "upload Content-Type" group). */
describe('Content-Type defaults by the key extension', () => {
  let emu: RunningEmulator;
  let cos: ReturnType<typeof sdk>;
  let zipFile: string;
  beforeAll(async () => {
    emu = await emulator();
    cos = sdk(emu);
    zipFile = join(await mkdtemp(join(tmpdir(), 'cos-type-')), `${Date.now()}.zip`);
    await writeFile(zipFile, 'z');
  });
  afterAll(() => emu.close());

  const typeOf = async (key: string) => (await call(cos, 'headObject', { Key: key })).headers['content-type'];

  it('PUT Object without a type: by the extension, application/octet-stream without a known one', async () => {
    for (const [key, type] of [
      ['types/1.zip', 'application/zip'],
      ['types/1.txt', 'text/plain'],
      ['types/photo.JPG', 'image/jpeg'],
      ['types/a.b/report.pdf', 'application/pdf'],
      ['types/1', 'application/octet-stream'],
      ['types/dir.d/noext', 'application/octet-stream'],
      ['types/x.unknownext', 'application/octet-stream'],
      ['types/x.constructor', 'application/octet-stream'],
    ] as const) {
      await call(cos, 'putObject', { Key: key, Body: '12345' });
      expect(await typeOf(key), key).toBe(type);
    }
  });

  it('keeps a type the request names, and treats an empty Content-Type header as none', async () => {
    await call(cos, 'putObject', { Key: 'types/named.txt', Body: 'x', ContentType: 'text/xml' });
    expect(await typeOf('types/named.txt')).toBe('text/xml');
    const res = await signed(emu, 'PUT', 'types/empty.zip', { headers: { 'content-type': '' }, body: 'x' });
    expect(res.status).toBe(200);
    expect(await typeOf('types/empty.zip')).toBe('application/zip');
  });

  it('matches the SDK suite: a file stream sends its own path type, sliceUploadFile leaves it to the key', async () => {
    // The SDK's request layer types a file stream by the file's path (.zip), whatever the key says.
    await call(cos, 'putObject', { Key: 'types/stream.txt', Body: createReadStream(zipFile) });
    expect(await typeOf('types/stream.txt')).toBe('application/zip');
    // Initiate Multipart Upload goes with an empty Content-Type: the key's .txt decides.
    await call(cos, 'sliceUploadFile', { Key: 'types/slice.txt', FilePath: zipFile });
    expect(await typeOf('types/slice.txt')).toBe('text/plain');
    await call(cos, 'sliceUploadFile', { Key: 'types/slice-named.txt', FilePath: zipFile, ContentType: 'text/xml' });
    expect(await typeOf('types/slice-named.txt')).toBe('text/xml');
  });

  it('POST Object: the Content-Type field sets the type; the file part type is ignored, so the key decides', async () => {
    const post = async (key: string, fields: Record<string, string>) => {
      const now = Math.floor(Date.now() / 1000);
      const keyTime = `${now - 1};${now + 600}`;
      const credentials = emu.info.credentials;
      const policy = createPostPolicy({ bucket: BUCKET, key, expiration: new Date((now + 600) * 1000), credentials, keyTime });
      const form = new FormData();
      for (const [k, v] of Object.entries({ key, ...fields, ...signPostPolicy(policy, { credentials, keyTime }) })) form.append(k, v);
      form.append('file', new Blob(['png bytes'], { type: 'image/png' }), 'upload.png');
      const req = new Request('http://placeholder/', { method: 'POST', body: form });
      const body = Buffer.from(await req.arrayBuffer());
      return raw(`${emu.info.cos.http}/`, {
        method: 'POST',
        headers: { host: VHOST, 'content-type': req.headers.get('content-type')!, 'content-length': body.length },
        body,
      });
    };
    expect((await post('types/form.jpg', {})).status).toBe(204);
    expect(await typeOf('types/form.jpg')).toBe('image/jpeg');
    expect((await post('types/form-named.jpg', { 'Content-Type': 'text/plain' })).status).toBe(204);
    expect(await typeOf('types/form-named.jpg')).toBe('text/plain');
  });
});
