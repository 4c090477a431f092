import type { ConfirmedThumbnail } from '@cos-direct/protocol';
import { signRequest } from '@cos-direct/signer';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigError, type ConfirmedUpload, type DirectTicket, loadConfig, type MultipartTicket } from '../src/index.js';
import { isImage, thumbnailKeyOf } from '../src/thumbnails.js';
import { post, send, withTicketKey } from './cos-requests.js';
import { putWithTicket, stack, ticket, type Stack } from './harness.js';

/** A real 1600×1200 JPEG: a gradient, so the encoder has something to encode. */
async function jpeg(width = 1600, height = 1200): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    const x = (i / 3) % width;
    pixels[i] = (x * 255) / width;
    pixels[i + 1] = 128;
    pixels[i + 2] = 255 - pixels[i]!;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer();
}

const made = (t: ConfirmedThumbnail | undefined) => {
  if (!t || 'error' in t) throw new Error(`no thumbnail: ${JSON.stringify(t)}`);
  return t;
};

const seedEnv = {
  COS_SECRET_ID: 'AKIDx',
  COS_SECRET_KEY: 'secret-key-x',
  PERSIST_BUCKET: 'test-1250000000',
  PERSIST_BUCKET_REGION: 'ap-guangzhou',
};

describe('THUMBNAIL_RULE: a processed copy of every confirmed image, made by COS', () => {
  let s: Stack;
  const hooked: ConfirmedUpload[] = [];
  beforeAll(async () => {
    s = await stack({
      thumbnailRule: 'imageMogr2/thumbnail/400x',
      downloadUrlSeconds: 300,
      allowedExtensions: ['jpg', 'png', 'pdf'],
      onUploadConfirmed: (upload) => {
        hooked.push(upload);
      },
    });
  });
  afterAll(() => s.close());

  it("the seed's sequence (ticket, PUT, /confirm) leaves a 400 px wide copy next to the upload", async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    expect((await putWithTicket(s, d, await jpeg())).status).toBe(200);
    const { status, json } = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(status).toBe(200);
    const thumbnail = made(json.data.thumbnail);
    expect(thumbnail.key).toBe(d.cosKey.replace(/\.jpg$/, '_thumb.jpg'));
    expect(thumbnail).toMatchObject({ width: 400, height: 300 });
    expect(hooked.at(-1)?.thumbnail).toEqual(thumbnail);
    // The copy is an object of its own, read through its presigned URL; COS's own imageInfo agrees.
    const bytes = await fetchBytes(s, thumbnail.downloadUrl!);
    expect(bytes.length).toBe(thumbnail.size);
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 400, 300]);
    // A second /confirm answers the recorded copy without making another.
    const again = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(again.json.data.thumbnail).toMatchObject({ key: thumbnail.key, width: 400 });
  });

  it('makes the copy when the server completes a multipart upload', async () => {
    const file = await jpeg(800, 800);
    const d = (await ticket(s.base, `/sts-multipart?ext=png&size=${file.length}`)).json.data as MultipartTicket;
    const init = await withTicketKey(s, d, 'POST', { uploads: '' });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
    expect((await withTicketKey(s, d, 'PUT', { partNumber: '1', uploadId }, file)).status).toBe(200);
    const { status, json } = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId });
    expect(status).toBe(200);
    // A JPEG under a .png key: the copy keeps the key's extension, and COS keeps the input's format.
    expect(made(json.data.thumbnail)).toMatchObject({ key: d.cosKey.replace(/\.png$/, '_thumb.png'), width: 400, height: 400 });
  });

  it('skips uploads that are not images', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=pdf')).json.data as DirectTicket;
    expect((await putWithTicket(s, d, Buffer.from('%PDF-1.4\n'))).status).toBe(200);
    const { json } = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(json.data.key).toBe(d.cosKey);
    expect(json.data).not.toHaveProperty('thumbnail');
  });

  it('confirms an image COS cannot process, and reports and logs why there is no copy', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    expect((await putWithTicket(s, d, Buffer.from('not a picture at all'))).status).toBe(200);
    const { status, json } = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(status).toBe(200);
    expect(json.data.size).toBe(20);
    expect(json.data.thumbnail.error.code).toMatch(/^[A-Za-z]+$/);
    expect(json.data.thumbnail.error.message).toBeTruthy();
    expect(s.logs.join('')).toContain('COS made no thumbnail of the upload');
    const copy = d.cosKey.replace(/\.jpg$/, '_thumb.jpg');
    const auth = signRequest(
      { method: 'HEAD', pathname: `/${copy}`, headers: { host: d.cosHost } },
      { credentials: s.emu.info.credentials },
    );
    const head = await send(s, `https://${d.cosHost}/${copy}`, 'HEAD', { host: d.cosHost, authorization: auth.authorization });
    expect(head.status).toBe(404);
  });
});

describe('thumbnail settings', () => {
  it('reads THUMBNAIL_RULE and THUMBNAIL_SUFFIX, and refuses a rule that makes no image', () => {
    const c = loadConfig({ ...seedEnv, THUMBNAIL_RULE: 'imageMogr2/thumbnail/400x', THUMBNAIL_SUFFIX: '-400' });
    expect([c.options.thumbnailRule, c.options.thumbnailSuffix]).toEqual(['imageMogr2/thumbnail/400x', '-400']);
    expect(loadConfig(seedEnv).options.thumbnailRule).toBeUndefined();
    for (const rule of ['imageInfo', 'imageMogr2/thumbnail/400x|imageInfo']) {
      try {
        loadConfig({ ...seedEnv, THUMBNAIL_RULE: rule });
        expect.unreachable();
      } catch (e) {
        expect((e as ConfigError).issues[0]).toMatchObject({ code: 'SRV_ERR_CONFIG_FORMAT', env: 'THUMBNAIL_RULE' });
      }
    }
  });
});

describe('thumbnail keys', () => {
  it('adds the suffix before the extension, which the rule’s format decides', () => {
    expect(thumbnailKeyOf('images/20260101/abc.jpg', 'imageMogr2/thumbnail/400x', '_thumb')).toBe('images/20260101/abc_thumb.jpg');
    expect(thumbnailKeyOf('u/1/abc.PNG', 'imageMogr2/thumbnail/400x/format/webp', '-small')).toBe('u/1/abc-small.webp');
    expect(thumbnailKeyOf('u/abc', 'imageMogr2/format/jpeg/thumbnail/10x', '_t')).toBe('u/abc_t.jpg');
  });

  it('knows images by extension, or by type without one', () => {
    expect(isImage({ key: 'a/b.jpeg', contentType: 'application/octet-stream' })).toBe(true);
    expect(isImage({ key: 'a/b.pdf', contentType: 'image/png' })).toBe(false);
    expect(isImage({ key: 'a/b', contentType: 'image/png' })).toBe(true);
    expect(isImage({ key: 'a/b', contentType: 'image/svg+xml' })).toBe(false);
  });
});

async function fetchBytes(s: Stack, url: string): Promise<Buffer> {
  const { request } = await import('node:https');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path: u.pathname + u.search, ca: s.emu.info.caCert }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    })
      .on('error', reject)
      .end();
  });
}
