import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, postSignedForm, REGION, sdk, signed, temporaryKey, xmlField } from './helpers.js';

const ops = (rules: Array<Record<string, string>>, picInfo = 1) => JSON.stringify({ is_pic_info: picInfo, rules });

const photo = () =>
  sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 100, b: 50 } } })
    .jpeg()
    .toBuffer();

/** Every `<Object>` of a `<ProcessResults>`, each as its fields. */
const processResults = (text: string) =>
  [...text.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((f) => [f[1], f[2]])),
  );

/** Processing that stores copies: PUT Object and Complete Multipart Upload with Pic-Operations, and POST ?image_process. */
describe('Pic-Operations', () => {
  let emu: RunningEmulator;
  let jpeg: Buffer;
  beforeAll(async () => {
    emu = await emulator();
    jpeg = await photo();
  });
  afterAll(() => emu.close());

  const stored = async (key: string) => {
    const head = await signed(emu, 'GET', key);
    if (head.status !== 200) return undefined;
    const m = await sharp(head.body).metadata();
    return { width: m.width, height: m.height, format: m.format, size: head.body.length, type: head.headers['content-type'] };
  };

  it('stores the original and each copy from the official SDK, relative to its folder or from the root', async () => {
    const data = await call(sdk(emu), 'putObject', {
      Key: 'pic/a/photo.jpg',
      Body: jpeg,
      Headers: {
        'Pic-Operations': ops([
          { fileid: 'thumb.jpg', rule: 'imageMogr2/thumbnail/200x/' },
          { fileid: '/out/photo.png', rule: 'imageMogr2/thumbnail/x60/format/png' },
        ]),
      },
    });
    const result = data.UploadResult;
    expect(result.OriginalInfo.Key).toBe('pic/a/photo.jpg');
    expect(result.OriginalInfo.ETag).toBe(data.ETag);
    expect(result.OriginalInfo.Location).toMatch(/\/pic\/a\/photo\.jpg$/);
    expect(result.OriginalInfo.ImageInfo).toMatchObject({ Format: 'jpeg', Width: '800', Height: '600', Orientation: '0' });
    expect(result.OriginalInfo.ImageInfo.Ave).toMatch(/^0x[0-9a-f]{6}$/);
    const [thumb, png] = result.ProcessResults.Object;
    expect(thumb).toMatchObject({ Key: 'pic/a/thumb.jpg', Format: 'jpeg', Width: '200', Height: '150', Quality: '80' });
    expect(png).toMatchObject({ Key: 'out/photo.png', Format: 'png', Width: '80', Height: '60', Quality: '100' });
    expect(await stored('pic/a/photo.jpg')).toMatchObject({ width: 800, height: 600, size: jpeg.length });
    const thumbStored = await stored('pic/a/thumb.jpg');
    expect(thumbStored).toMatchObject({ width: 200, height: 150, format: 'jpeg', type: 'image/jpeg' });
    expect(String(thumbStored!.size)).toBe(thumb.Size);
    const pngStored = await stored('out/photo.png');
    expect(pngStored).toMatchObject({ width: 80, height: 60, format: 'png', type: 'image/png' });
    expect(String(pngStored!.size)).toBe(png.Size);
    const head = await call(sdk(emu), 'headObject', { Key: 'out/photo.png' });
    expect(head.ETag).toBe(png.ETag);
  });

  it('processes a stored object with POST ?image_process, as the SDK sends it', async () => {
    await call(sdk(emu), 'putObject', { Key: 'stored/1.jpg', Body: jpeg });
    const data = await call(sdk(emu), 'request', {
      Key: 'stored/1.jpg',
      Method: 'POST',
      Action: 'image_process',
      Headers: { 'Pic-Operations': ops([{ fileid: 'small.webp', rule: 'imageMogr2/thumbnail/50x/format/webp/quality/60' }], 0) },
    });
    expect(data.statusCode).toBe(200);
    expect(data.UploadResult.OriginalInfo.ImageInfo).toBeUndefined();
    expect(data.UploadResult.ProcessResults.Object).toMatchObject({ Key: 'stored/small.webp', Format: 'webp', Width: '50', Quality: '60' });
    expect(await stored('stored/small.webp')).toMatchObject({ width: 50, height: 38, format: 'webp' });
  });

  it('answers a signed PUT with the <UploadResult> XML, and a copy over the original reports its ETag', async () => {
    const res = await signed(emu, 'PUT', 'over/p.jpg', {
      headers: { 'Pic-Operations': ops([{ fileid: 'p.jpg', rule: 'imageMogr2/thumbnail/100x' }], 0) },
      body: jpeg,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.text).toContain('<UploadResult>');
    const [copy] = processResults(res.text);
    expect(copy).toMatchObject({ Key: 'over/p.jpg', Width: '100', Height: '75' });
    expect(xmlField(xmlField(res.text, 'OriginalInfo') ?? '', 'ETag')).toBe(copy!.ETag);
    expect(await stored('over/p.jpg')).toMatchObject({ width: 100 });
  });

  it('refuses a non-image, a rule that makes no image, more than five rules and bad JSON, storing nothing', async () => {
    const put = (key: string, header: string, body: Buffer | string = jpeg) =>
      signed(emu, 'PUT', key, { headers: { 'Pic-Operations': header }, body });
    const text = await put('bad/text.jpg', ops([{ fileid: 't.jpg', rule: 'imageMogr2/thumbnail/10x' }]), 'not an image');
    expect(text.status).toBe(400);
    expect(xmlField(text.text, 'Code')).toBe('InvalidArgument');
    expect(xmlField(text.text, 'Reason')).toContain('not an image');
    const info = await put('bad/info.jpg', ops([{ fileid: 'i.json', rule: 'imageInfo' }]));
    expect(info.status).toBe(400);
    const six = Array.from({ length: 6 }, (_, i) => ({ fileid: `${i}.jpg`, rule: 'imageMogr2/thumbnail/10x' }));
    const many = await put('bad/many.jpg', ops(six));
    expect(many.status).toBe(400);
    expect(xmlField(many.text, 'Reason')).toContain('at most 5');
    expect((await put('bad/json.jpg', '{rules')).status).toBe(400);
    expect((await put('bad/slash.jpg', ops([{ fileid: 'dir/', rule: 'imageMogr2/thumbnail/10x' }]))).status).toBe(400);
    for (const key of ['bad/text.jpg', 'bad/t.jpg', 'bad/info.jpg', 'bad/many.jpg', 'bad/0.jpg', 'bad/json.jpg']) {
      expect((await signed(emu, 'HEAD', key)).status, key).toBe(404);
    }
    const style = await put('bad/style.jpg', ops([{ fileid: 's.jpg', rule: 'style/test' }]));
    expect(style.status).toBe(501);
  });

  it('refuses a temporary key a copy outside the key it may write, before storing anything', async () => {
    const key = await temporaryKey(emu, {
      version: '2.0',
      statement: [
        {
          effect: 'allow',
          action: ['name/cos:PutObject', 'name/cos:GetObject'],
          resource: [`qcs::cos:${REGION}:uid/${BUCKET.split('-').at(-1)}:${BUCKET}/scoped/*`],
        },
      ],
    } as never);
    const temp = sdk(emu, { SecretId: key.tmpSecretId, SecretKey: key.tmpSecretKey, SecurityToken: key.sessionToken });
    const inside = await call(temp, 'putObject', {
      Key: 'scoped/ok.jpg',
      Body: jpeg,
      Headers: { 'Pic-Operations': ops([{ fileid: 'ok-thumb.jpg', rule: 'imageMogr2/thumbnail/20x' }]) },
    });
    expect(inside.UploadResult.ProcessResults.Object.Key).toBe('scoped/ok-thumb.jpg');
    await expect(
      call(temp, 'putObject', {
        Key: 'scoped/out.jpg',
        Body: jpeg,
        Headers: { 'Pic-Operations': ops([{ fileid: '/elsewhere/out.jpg', rule: 'imageMogr2/thumbnail/20x' }]) },
      }),
    ).rejects.toMatchObject({ statusCode: 403, code: 'AccessDenied' });
    expect((await signed(emu, 'HEAD', 'scoped/out.jpg')).status).toBe(404);
    expect((await signed(emu, 'HEAD', 'elsewhere/out.jpg')).status).toBe(404);
    await expect(
      call(temp, 'request', {
        Key: 'scoped/ok.jpg',
        Method: 'POST',
        Action: 'image_process',
        Headers: { 'Pic-Operations': ops([{ fileid: '/escape.jpg', rule: 'imageMogr2/thumbnail/20x' }]) },
      }),
    ).rejects.toMatchObject({ statusCode: 403 });
    expect((await signed(emu, 'HEAD', 'escape.jpg')).status).toBe(404);
  });

  it("processes the joined object on Complete Multipart Upload, as the official SDK's sliceUploadFile sends it", async () => {
    // Noise, so the JPEG is over 1 MB and the SDK uploads it in two parts.
    const big = await sharp(randomBytes(1200 * 900 * 3), { raw: { width: 1200, height: 900, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const dir = await mkdtemp(join(tmpdir(), 'pic-ops-'));
    const file = join(dir, 'big.jpg');
    await writeFile(file, big);
    const data = await call(sdk(emu), 'sliceUploadFile', {
      Key: 'pic/multi/big.jpg',
      FilePath: file,
      SliceSize: 1024 * 1024,
      Headers: { 'Pic-Operations': ops([{ fileid: 'big-thumb.webp', rule: 'imageMogr2/thumbnail/300x/format/webp' }]) },
    });
    await rm(dir, { recursive: true });
    expect(data.UploadResult.OriginalInfo).toMatchObject({ Key: 'pic/multi/big.jpg', ETag: data.ETag });
    expect(data.UploadResult.OriginalInfo.ImageInfo).toMatchObject({ Format: 'jpeg', Width: '1200', Height: '900' });
    expect(data.UploadResult.ProcessResults.Object).toMatchObject({
      Key: 'pic/multi/big-thumb.webp',
      Format: 'webp',
      Width: '300',
      Height: '225',
    });
    expect(data.ETag).toMatch(/-2"$/);
    expect(await stored('pic/multi/big.jpg')).toMatchObject({ width: 1200, size: big.length });
    expect(await stored('pic/multi/big-thumb.webp')).toMatchObject({ width: 300, height: 225, format: 'webp', type: 'image/webp' });
  });

  it('refuses a Complete whose object is not an image, and leaves the upload to complete without the header', async () => {
    const key = 'pic/multi/not-image.jpg';
    const cos = sdk(emu);
    const init = await call(cos, 'multipartInit', { Key: key });
    const part = await call(cos, 'multipartUpload', { Key: key, UploadId: init.UploadId, PartNumber: 1, Body: Buffer.from('plain text') });
    const complete = (headers: Record<string, string>) =>
      call(cos, 'multipartComplete', { Key: key, UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }], Headers: headers });
    await expect(complete({ 'Pic-Operations': ops([{ fileid: 'x.jpg', rule: 'imageMogr2/thumbnail/10x' }]) })).rejects.toMatchObject({
      statusCode: 400,
    });
    expect((await signed(emu, 'HEAD', key)).status).toBe(404);
    expect((await signed(emu, 'HEAD', 'pic/multi/x.jpg')).status).toBe(404);
    const plain = await complete({});
    expect(plain.UploadResult).toBeUndefined();
    expect((await signed(emu, 'HEAD', key)).status).toBe(200);
  });

  it('still refuses it on POST Object, which the emulator does not process', async () => {
    const res = await postSignedForm(emu, 'pic/c.jpg', 'jpeg', { 'Pic-Operations': ops([]) });
    expect(res.status).toBe(501);
    expect(xmlField(res.text, 'Reason')).toContain('Cloud Infinite');
  });
});
