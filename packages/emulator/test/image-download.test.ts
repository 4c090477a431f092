import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, raw, REGION, sdk, signed, VHOST, xmlField } from './helpers.js';

/** Processing on download, through the official Node SDK and signed requests, on images sharp makes. */
describe('image processing on download', () => {
  let emu: RunningEmulator;
  const photo = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 3, background: { r: 200, g: 100, b: 50 } } })
      .jpeg()
      .withExif({ IFD0: { Make: 'Acme', Model: 'X1' } })
      .toBuffer();
  beforeAll(async () => {
    emu = await emulator({ httpPort: 0, httpsPort: false });
    const cos = sdk(emu);
    await call(cos, 'putObject', { Key: 'img/photo.jpg', Body: await photo(800, 600) });
    await call(cos, 'putObject', {
      Key: 'img/small.png',
      Body: await sharp({ create: { width: 100, height: 50, channels: 4, background: '#00ff0080' } })
        .png()
        .toBuffer(),
    });
    await call(cos, 'putObject', { Key: 'img/text.txt', Body: 'not an image' });
  });
  afterAll(() => emu.close());

  const process = async (key: string, rule: string) => {
    const res = await signed(emu, 'GET', key, { query: { [rule]: '' } });
    return res;
  };
  const sizeOf = async (body: Buffer) => {
    const m = await sharp(body).metadata();
    return { width: m.width, height: m.height, format: m.format };
  };

  it('thumbnails with the Query the SDK signs, and with the QueryString it appends unsigned', async () => {
    const cos = sdk(emu);
    const signedQuery = await call(cos, 'getObject', { Key: 'img/photo.jpg', Query: { 'imageMogr2/thumbnail/400x': '' } });
    expect(await sizeOf(signedQuery.Body)).toEqual({ width: 400, height: 300, format: 'jpeg' });
    const appended = await call(cos, 'getObject', { Key: 'img/photo.jpg', QueryString: 'imageMogr2/thumbnail/200x/' });
    expect(await sizeOf(appended.Body)).toEqual({ width: 200, height: 150, format: 'jpeg' });
    expect(appended.headers['x-cos-hash-crc64ecma']).toBeUndefined();
  });

  it('serves a presigned URL whose signature covers the processing parameter', async () => {
    const cos = sdk(emu);
    const url = await new Promise<string>((resolve, reject) =>
      cos.getObjectUrl(
        { Bucket: BUCKET, Region: REGION, Key: 'img/photo.jpg', Query: { 'imageMogr2/thumbnail/x60': '' }, Sign: true } as never,
        (err, data) => (err ? reject(err) : resolve(data.Url)),
      ),
    );
    expect(url).toContain('q-url-param-list=imagemogr2%252fthumbnail%252fx60');
    const u = new URL(url);
    const res = await raw(emu.info.cos.http, { path: u.pathname + u.search, headers: { host: VHOST } });
    expect(res.status).toBe(200);
    expect(await sizeOf(res.body)).toEqual({ width: 80, height: 60, format: 'jpeg' });
  });

  it('answers HEAD with the processed result’s type and length', async () => {
    const get = await process('img/photo.jpg', 'imageMogr2/format/png');
    const head = await signed(emu, 'HEAD', 'img/photo.jpg', { query: { 'imageMogr2/format/png': '' } });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('image/png');
    expect(head.headers['content-length']).toBe(String(get.body.length));
  });

  it.each([
    ['400x', 400, 300],
    ['x300', 400, 300],
    ['400x400', 400, 300],
    ['!50p', 400, 300],
    ['!50px', 400, 600],
    ['!x50p', 800, 300],
    ['!400x400r', 533, 400],
    ['300x300!', 300, 300],
    ['1000x1000>', 800, 600],
    ['400x400>', 400, 300],
    ['400x400<', 800, 600],
    ['1600x1600<', 1600, 1200],
    ['120000@', 400, 300],
  ])('thumbnail/%s gives %ix%i', async (size, width, height) => {
    const res = await process('img/photo.jpg', `imageMogr2/thumbnail/${size}`);
    expect(res.status).toBe(200);
    expect(await sizeOf(res.body)).toMatchObject({ width, height });
  });

  it.each([
    ['crop/300x200', 300, 200],
    ['crop/x100', 800, 100],
    ['gravity/center/crop/300x200', 300, 200],
    ['crop/!300x200a700a500', 100, 100],
    ['cut/100x50x10x10', 100, 50],
    ['iradius/100', 200, 200],
    ['rotate/90', 600, 800],
    ['auto-orient', 800, 600],
    ['blur/8x5', 800, 600],
    ['thumbnail/400x/crop/200x200', 200, 200],
  ])('%s gives %ix%i', async (rule, width, height) => {
    const res = await process('img/photo.jpg', `imageMogr2/${rule}`);
    expect(res.status, res.text).toBe(200);
    expect(await sizeOf(res.body)).toMatchObject({ width, height });
  });

  it.each([
    ['jpg', 'jpeg', 'image/jpeg'],
    ['png', 'png', 'image/png'],
    ['webp', 'webp', 'image/webp'],
    ['gif', 'gif', 'image/gif'],
    ['avif', 'heif', 'image/avif'],
  ])('format/%s writes %s', async (format, sharpName, type) => {
    const res = await process('img/small.png', `imageMogr2/format/${format}`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect((await sizeOf(res.body)).format).toBe(sharpName);
  });

  it('format/bmp writes a 24-bit BMP', async () => {
    const res = await process('img/small.png', 'imageMogr2/format/bmp');
    expect(res.headers['content-type']).toBe('image/bmp');
    expect(res.body.subarray(0, 2).toString()).toBe('BM');
    expect(res.body.readInt32LE(18)).toBe(100);
  });

  it('quality, interlace and strip change the encoding; chains run left to right', async () => {
    const low = await process('img/photo.jpg', 'imageMogr2/quality/5');
    const high = await process('img/photo.jpg', 'imageMogr2/quality/95!');
    expect(low.body.length).toBeLessThan(high.body.length);
    expect((await sharp((await process('img/photo.jpg', 'imageMogr2/interlace/1')).body).metadata()).isProgressive).toBe(true);
    expect((await sharp((await process('img/photo.jpg', 'imageMogr2/thumbnail/100x')).body).metadata()).exif).toBeDefined();
    expect((await sharp((await process('img/photo.jpg', 'imageMogr2/strip')).body).metadata()).exif).toBeUndefined();
    const chained = await process('img/photo.jpg', 'imageMogr2/thumbnail/400x|imageMogr2/rotate/90/format/png');
    expect(await sizeOf(chained.body)).toEqual({ width: 300, height: 400, format: 'png' });
  });

  it('answers imageInfo, imageAve and exif as JSON', async () => {
    const info = await process('img/photo.jpg', 'imageInfo');
    expect(info.headers['content-type']).toBe('application/json');
    expect(JSON.parse(info.text)).toMatchObject({ format: 'jpeg', width: '800', height: '600', frame_count: '1' });
    expect(JSON.parse(info.text).md5).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse((await process('img/photo.jpg', 'imageAve')).text).RGB).toMatch(/^0x[0-9a-f]{6}$/);
    expect(JSON.parse((await process('img/photo.jpg', 'exif')).text)).toMatchObject({ Make: { val: 'Acme' }, Model: { val: 'X1' } });
    expect(JSON.parse((await process('img/small.png', 'exif')).text)).toEqual({ error: 'no exif data' });
    const after = await process('img/photo.jpg', 'imageMogr2/thumbnail/100x|imageInfo');
    expect(JSON.parse(after.text)).toMatchObject({ width: '100', height: '75' });
  });

  it.each([
    ['imageMogr2/thumbnail/abc', 400, 'InvalidArgument'],
    ['imageMogr2/rotate/400', 400, 'InvalidArgument'],
    ['imageMogr2/frobnicate/1', 400, 'InvalidArgument'],
    ['imageMogr2/thumbnail/10000x', 400, 'InvalidArgument'],
    ['imageInfo|imageMogr2/strip', 400, 'InvalidArgument'],
    ['imageMogr2/sharpen/70', 501, 'NotImplemented'],
    ['imageMogr2/format/heif', 501, 'NotImplemented'],
    ['imageView2/1/w/100', 501, 'NotImplemented'],
    ['watermark/2/text/aGk', 501, 'NotImplemented'],
    ['imageSlim', 501, 'NotImplemented'],
  ])('refuses %s with %i %s, logged', async (rule, status, code) => {
    const res = await process('img/photo.jpg', rule);
    expect(res.status).toBe(status);
    expect(xmlField(res.text, 'Code')).toBe(code);
    expect(emu.refusals(1)[0]).toMatchObject({ code, status });
  });

  it('refuses ci-process and processing of an object that is not an image', async () => {
    const ci = await signed(emu, 'GET', 'img/photo.jpg', { query: { 'ci-process': 'videoinfo' } });
    expect(ci.status).toBe(501);
    expect(xmlField(ci.text, 'Reason')).toContain('ci-process');
    const text = await process('img/text.txt', 'imageMogr2/thumbnail/10x');
    expect(text.status).toBe(400);
    expect(xmlField(text.text, 'Reason')).toContain('not an image');
    expect(text.text).not.toContain('not an image Cloud Infinite can process</Message>');
  });

  it('ignore-error/1 answers the input unchanged where the rule fails on this image', async () => {
    const res = await process('img/photo.jpg', 'imageMogr2/cut/10x10x900x900/ignore-error/1');
    expect(res.status).toBe(200);
    expect(await sizeOf(res.body)).toMatchObject({ width: 800, height: 600 });
  });

  it('refuses a Range with processing rather than answer part of something', async () => {
    const res = await signed(emu, 'GET', 'img/photo.jpg', { query: { 'imageMogr2/thumbnail/10x': '' }, headers: { range: 'bytes=0-9' } });
    expect(res.status).toBe(501);
  });
});
