import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectPolicy, MULTIPART_UPLOAD_ACTIONS } from '@cos-direct/signer';
import { crc64ecma } from '@cos-direct/signer/crc64';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, raw, REGION, sdk, temporaryKey, VHOST } from './helpers.js';

const KEY = "dir/a b+c/中文(1)!*~'.txt";

describe('cos-nodejs-sdk-v5 against the emulator', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  for (const mode of ['permanent key', 'temporary key'] as const) {
    describe(mode, () => {
      let cos: ReturnType<typeof sdk>;
      beforeAll(async () => {
        if (mode === 'permanent key') {
          cos = sdk(emu);
          return;
        }
        const key = await temporaryKey(
          emu,
          createObjectPolicy({
            region: REGION,
            bucket: BUCKET,
            prefix: '',
            actions: [
              'PutObject',
              'GetObject',
              'HeadObject',
              'DeleteObject',
              'GetBucket',
              ...MULTIPART_UPLOAD_ACTIONS,
              'ListMultipartUploads',
            ],
          }),
        );
        cos = sdk(emu, { SecretId: key.tmpSecretId, SecretKey: key.tmpSecretKey, SecurityToken: key.sessionToken });
      });

      it('puts, heads, gets and range-gets an object whose key needs encoding', async () => {
        const body = Buffer.from(`hello from ${mode}`);
        const put = await call(cos, 'putObject', {
          Key: KEY,
          Body: body,
          ContentType: 'text/plain',
          Headers: { 'x-cos-meta-author': 'Zhang San' },
        });
        expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
        expect(put.headers['x-cos-hash-crc64ecma']).toBe(crc64ecma(body));
        const head = await call(cos, 'headObject', { Key: KEY });
        expect(head.headers['content-length']).toBe(String(body.length));
        expect(head.headers['content-type']).toBe('text/plain');
        expect(head.headers['x-cos-meta-author']).toBe('Zhang San');
        const get = await call(cos, 'getObject', { Key: KEY });
        expect(Buffer.compare(get.Body, body)).toBe(0);
        const range = await call(cos, 'getObject', { Key: KEY, Range: 'bytes=6-9' });
        expect(range.statusCode).toBe(206);
        expect(range.Body.toString()).toBe(body.subarray(6, 10).toString());
      });

      it('lists with prefix and delimiter', async () => {
        await call(cos, 'putObject', { Key: `list-${mode}/a/1.txt`, Body: '1' });
        await call(cos, 'putObject', { Key: `list-${mode}/a/2.txt`, Body: '2' });
        await call(cos, 'putObject', { Key: `list-${mode}/b.txt`, Body: '3' });
        const all = await call(cos, 'getBucket', { Prefix: `list-${mode}/` });
        expect(all.Contents.map((c: { Key: string }) => c.Key)).toEqual([
          `list-${mode}/a/1.txt`,
          `list-${mode}/a/2.txt`,
          `list-${mode}/b.txt`,
        ]);
        const folders = await call(cos, 'getBucket', { Prefix: `list-${mode}/`, Delimiter: '/' });
        expect(folders.CommonPrefixes.map((p: { Prefix: string }) => p.Prefix)).toEqual([`list-${mode}/a/`]);
        expect(folders.Contents.map((c: { Key: string }) => c.Key)).toEqual([`list-${mode}/b.txt`]);
        const page = await call(cos, 'getBucket', { Prefix: `list-${mode}/`, MaxKeys: 2 });
        expect(page.IsTruncated).toBe('true');
        const rest = await call(cos, 'getBucket', { Prefix: `list-${mode}/`, Marker: page.NextMarker });
        expect(rest.Contents.map((c: { Key: string }) => c.Key)).toEqual([`list-${mode}/b.txt`]);
      });

      it('uploads a multi-part file with sliceUploadFile, byte-identical', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'cos-sdk-'));
        const file = join(dir, 'big.bin');
        const data = randomBytes(3 * 1024 * 1024 + 1234);
        await writeFile(file, data);
        const result = await call(cos, 'sliceUploadFile', { Key: `big-${mode}.bin`, FilePath: file, ChunkSize: 1024 * 1024 });
        expect(result.ETag).toMatch(/^"[0-9a-f]{32}-4"$/);
        const get = await call(cos, 'getObject', { Key: `big-${mode}.bin` });
        expect(createHash('sha256').update(get.Body).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
        expect(get.headers['x-cos-hash-crc64ecma']).toBe(crc64ecma(data));
      });

      it('deletes, and a deleted object is gone', async () => {
        await call(cos, 'putObject', { Key: `gone-${mode}.txt`, Body: 'x' });
        const del = await call(cos, 'deleteObject', { Key: `gone-${mode}.txt` });
        expect(del.statusCode).toBe(204);
        await expect(call(cos, 'headObject', { Key: `gone-${mode}.txt` })).rejects.toMatchObject({ statusCode: 404 });
      });
    });
  }

  it('copies an object and deletes several at once (permanent key)', async () => {
    const cos = sdk(emu);
    await call(cos, 'putObject', { Key: 'src.txt', Body: 'copy me' });
    const copy = await call(cos, 'putObjectCopy', { Key: 'dst.txt', CopySource: `${VHOST}/src.txt` });
    expect(copy.ETag).toBe(`"${createHash('md5').update('copy me').digest('hex')}"`);
    expect((await call(cos, 'getObject', { Key: 'dst.txt' })).Body.toString()).toBe('copy me');
    const multi = await call(cos, 'deleteMultipleObject', { Objects: [{ Key: 'src.txt' }, { Key: 'dst.txt' }, { Key: 'never-existed' }] });
    expect(multi.Deleted.map((d: { Key: string }) => d.Key).sort()).toEqual(['dst.txt', 'never-existed', 'src.txt']);
    await expect(call(cos, 'headObject', { Key: 'src.txt' })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('serves a presigned GET URL made by getObjectUrl, and refuses it once tampered', async () => {
    const cos = sdk(emu);
    await call(cos, 'putObject', { Key: 'shared/report 2024.pdf', Body: 'pdf bytes' });
    const url = cos.getObjectUrl(
      { Bucket: BUCKET, Region: REGION, Key: 'shared/report 2024.pdf', Sign: true, Expires: 600 } as never,
      () => undefined,
    ) as unknown as string;
    const u = new URL(url);
    const ok = await raw(emu.info.cos.http + u.pathname + u.search, { headers: { host: u.host } });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('pdf bytes');
    const tampered = await raw(emu.info.cos.http + u.pathname.replace('2024', '2025') + u.search, { headers: { host: u.host } });
    expect(tampered.status).toBe(403);
    expect(tampered.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('answers the bare emulator address with the default bucket, as a ticket naming host:port needs', async () => {
    const cos = sdk(emu);
    await call(cos, 'putObject', { Key: 'default/hello.txt', Body: 'default bucket' });
    const u = new URL(emu.info.cos.http);
    const res = await raw(`${emu.info.cos.http}/default/hello.txt`, { headers: { host: u.host } });
    // The bare address needs a signature too; anonymous requests are refused with an explanation.
    expect(res.status).toBe(403);
    expect(res.text).toContain('anonymous');
    // Path style is refused as COS refuses it for buckets created since 2024, naming the fix.
    const pathStyle = await raw(`${emu.info.cos.http}/${BUCKET}/default/hello.txt`, { headers: { host: u.host } });
    expect(pathStyle.status).toBe(403);
    expect(pathStyle.text).toContain('<Code>PathStyleDomainForbidden</Code>');
    expect(pathStyle.text).toContain('--path-style');
  });
});
