import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { emulator, signed, xmlField } from './helpers.js';

const MiB = 1024 * 1024;
const md5b64 = (b: Buffer | string) => createHash('md5').update(b).digest('base64');

describe('COS operations and their error codes', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
  });
  afterAll(() => emu.close());
  const code = (t: string) => xmlField(t, 'Code');

  it('checks Content-MD5', async () => {
    expect((await signed(emu, 'PUT', 'md5.txt', { body: 'abc', headers: { 'content-md5': md5b64('abc') } })).status).toBe(200);
    const bad = await signed(emu, 'PUT', 'md5.txt', { body: 'abd', headers: { 'content-md5': md5b64('abc') } });
    expect(bad.status).toBe(400);
    expect(code(bad.text)).toBe('BadDigest');
    expect((await signed(emu, 'GET', 'md5.txt')).text).toBe('abc');
    const invalid = await signed(emu, 'PUT', 'md5.txt', { body: 'abc', headers: { 'content-md5': 'nope' } });
    expect(code(invalid.text)).toBe('InvalidDigest');
  });

  it('answers NoSuchKey, NoSuchBucket, InvalidRange and preconditions', async () => {
    const missing = await signed(emu, 'GET', 'no/such/key');
    expect(missing.status).toBe(404);
    expect(code(missing.text)).toBe('NoSuchKey');
    const head = await signed(emu, 'HEAD', 'no/such/key');
    expect(head.status).toBe(404);
    expect(head.text).toBe('');
    const bucket = await signed(emu, 'GET', 'x', { host: 'nobucket-1250000000.cos.ap-guangzhou.myqcloud.com' });
    expect(code(bucket.text)).toBe('NoSuchBucket');
    await signed(emu, 'PUT', 'r.txt', { body: '0123456789' });
    const range = await signed(emu, 'GET', 'r.txt', { headers: { range: 'bytes=20-30' } });
    expect(range.status).toBe(416);
    expect(code(range.text)).toBe('InvalidRange');
    const suffix = await signed(emu, 'GET', 'r.txt', { headers: { range: 'bytes=-3' } });
    expect(suffix.status).toBe(206);
    expect(suffix.text).toBe('789');
    const etag = (await signed(emu, 'HEAD', 'r.txt')).headers.etag as string;
    expect((await signed(emu, 'GET', 'r.txt', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const failed = await signed(emu, 'GET', 'r.txt', { headers: { 'if-match': '"0000"' } });
    expect(failed.status).toBe(412);
    expect(code(failed.text)).toBe('PreconditionFailed');
  });

  it('returns stored metadata and response-* overrides', async () => {
    await signed(emu, 'PUT', 'meta.bin', {
      body: 'm',
      headers: { 'content-type': 'image/png', 'cache-control': 'max-age=60', 'content-disposition': 'inline', 'x-cos-meta-k': 'v' },
    });
    const get = await signed(emu, 'GET', 'meta.bin', { query: { 'response-content-type': 'text/plain' } });
    expect(get.headers['content-type']).toBe('text/plain');
    expect(get.headers['cache-control']).toBe('max-age=60');
    expect(get.headers['content-disposition']).toBe('inline');
    expect(get.headers['x-cos-meta-k']).toBe('v');
    expect(get.headers['last-modified']).toBeTruthy();
  });

  it('refuses x-cos-forbid-overwrite on an existing key', async () => {
    await signed(emu, 'PUT', 'once.txt', { body: '1' });
    const again = await signed(emu, 'PUT', 'once.txt', { body: '2', headers: { 'x-cos-forbid-overwrite': 'true' } });
    expect(again.status).toBe(409);
    expect(code(again.text)).toBe('FileAlreadyExists');
  });

  it('names sub-resources it does not implement', async () => {
    const res = await signed(emu, 'GET', '', { query: { 'object-lock': '' } });
    expect(res.status).toBe(501);
    expect(code(res.text)).toBe('NotImplemented');
    expect(xmlField(res.text, 'Reason')).toContain('object-lock');
  });

  it('runs a multipart upload and enforces part rules on Complete', async () => {
    const init = await signed(emu, 'POST', 'mp.bin', { query: { uploads: '' } });
    const uploadId = xmlField(init.text, 'UploadId')!;
    expect(uploadId).toMatch(/^\d{10}[0-9a-f]+$/);
    const small = Buffer.alloc(1000, 1);
    const big = Buffer.alloc(MiB, 2);
    const p1 = await signed(emu, 'PUT', 'mp.bin', { query: { partNumber: '1', uploadId }, body: small });
    const p2 = await signed(emu, 'PUT', 'mp.bin', { query: { partNumber: '2', uploadId }, body: big });
    const complete = (parts: Array<[number, string]>) =>
      signed(emu, 'POST', 'mp.bin', {
        query: { uploadId },
        body: `<CompleteMultipartUpload>${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
      });
    const list = await signed(emu, 'GET', 'mp.bin', { query: { uploadId } });
    expect(list.text.match(/<PartNumber>/g)).toHaveLength(2);
    const uploads = await signed(emu, 'GET', '', { query: { uploads: '', prefix: 'mp' } });
    expect(xmlField(uploads.text, 'UploadId')).toBe(uploadId);
    expect(
      code(
        (
          await complete([
            [2, p2.headers.etag as string],
            [1, p1.headers.etag as string],
          ])
        ).text,
      ),
    ).toBe('InvalidPartOrder');
    expect(
      code(
        (
          await complete([
            [1, '"00000000000000000000000000000000"'],
            [2, p2.headers.etag as string],
          ])
        ).text,
      ),
    ).toBe('InvalidPart');
    expect(
      code(
        (
          await complete([
            [1, p1.headers.etag as string],
            [2, p2.headers.etag as string],
          ])
        ).text,
      ),
    ).toBe('EntityTooSmall');
    // Re-uploading a part replaces it.
    const p1b = await signed(emu, 'PUT', 'mp.bin', { query: { partNumber: '1', uploadId }, body: big });
    const done = await complete([
      [1, p1b.headers.etag as string],
      [2, p2.headers.etag as string],
    ]);
    expect(done.status).toBe(200);
    expect(xmlField(done.text, 'ETag')).toMatch(/^&quot;[0-9a-f]{32}-2&quot;$/);
    const get = await signed(emu, 'GET', 'mp.bin');
    expect(get.body.equals(Buffer.concat([big, big]))).toBe(true);
    const gone = await signed(emu, 'GET', 'mp.bin', { query: { uploadId } });
    expect(code(gone.text)).toBe('NoSuchUpload');
  });

  it('aborts a multipart upload', async () => {
    const init = await signed(emu, 'POST', 'ab.bin', { query: { uploads: '' } });
    const uploadId = xmlField(init.text, 'UploadId')!;
    await signed(emu, 'PUT', 'ab.bin', { query: { partNumber: '1', uploadId }, body: 'x' });
    expect((await signed(emu, 'DELETE', 'ab.bin', { query: { uploadId } })).status).toBe(204);
    expect(code((await signed(emu, 'PUT', 'ab.bin', { query: { partNumber: '2', uploadId }, body: 'y' })).text)).toBe('NoSuchUpload');
    expect((await signed(emu, 'HEAD', 'ab.bin')).status).toBe(404);
  });

  it('creates, lists and deletes buckets', async () => {
    const host = 'made-1250000000.cos.ap-guangzhou.myqcloud.com';
    expect((await signed(emu, 'PUT', '', { host })).status).toBe(200);
    expect(code((await signed(emu, 'PUT', '', { host })).text)).toBe('BucketAlreadyOwnedByYou');
    await signed(emu, 'PUT', 'k', { host, body: 'x' });
    expect(code((await signed(emu, 'DELETE', '', { host })).text)).toBe('BucketNotEmpty');
    await signed(emu, 'DELETE', 'k', { host });
    expect((await signed(emu, 'DELETE', '', { host })).status).toBe(204);
    const service = await signed(emu, 'GET', '', { host: 'service.cos.myqcloud.com' });
    expect(service.text).toContain('<Name>dev-1250000000</Name>');
  });

  it('serves public-read objects anonymously', async () => {
    await signed(emu, 'PUT', 'public.txt', { body: 'hi', headers: { 'x-cos-acl': 'public-read' } });
    const { raw } = await import('./helpers.js');
    const res = await raw(`${emu.info.cos.http}/public.txt`, { headers: { host: 'dev-1250000000.cos.ap-guangzhou.myqcloud.com' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('hi');
  });
});
