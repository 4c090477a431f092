import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createObjectPolicy } from '@cos-direct/signer';
import { serveWeb, type WebServer } from '@cos-direct/web';
import type CosJs from 'cos-js-sdk-v5';
import type { Browser, Page } from 'playwright-core';
import STS from 'qcloud-cos-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, failOnPageErrors, launch } from '../support/chromium.js';
import { startStack, type Stack } from '../support/stack.js';

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const jsSdk = join(dirname(createRequire(import.meta.url).resolve('cos-js-sdk-v5/package.json')), 'dist', 'cos-js-sdk-v5.min.js');

interface TemporaryKey {
  tmpSecretId: string;
  tmpSecretKey: string;
  sessionToken: string;
  startTime: number;
  expiredTime: number;
}

// cos-js-sdk-v5's uploadFile in a real browser, with the prefix-scoped temporary key COS documents for
// direct upload (doc 436/31923), obtained from the emulator's STS with the official qcloud-cos-sts.
// Above SliceSize it lists multipart uploads with Prefix=<key> before uploading, which COS authorizes
// against <bucket>/<key>: a policy on <bucket>/doc/* must allow it.
describe.skipIf(!chromiumAvailable())('cos-js-sdk-v5 in Chromium', () => {
  let s: Stack;
  let web: WebServer;
  let browser: Browser;
  let page: Page;
  let key: TemporaryKey;
  let bucket: string;
  let region: string;
  const watch = failOnPageErrors();

  beforeAll(async () => {
    s = await startStack(async (emu) => ({ cosHost: new URL(emu.info.cos.http).host, cosProtocol: 'http', corsOrigins: ['*'] }));
    const info = s.emu.info;
    bucket = info.buckets[0]!;
    region = info.region;
    const result = await STS.getCredential({
      secretId: info.credentials.secretId,
      secretKey: info.credentials.secretKey,
      host: info.sts!.endpoint,
      region,
      durationSeconds: 1800,
      // COS's documented direct-upload actions (doc 436/31923), on every key under doc/.
      policy: createObjectPolicy({
        region,
        bucket,
        prefix: 'doc/',
        actions: [
          'PutObject',
          'PostObject',
          'InitiateMultipartUpload',
          'ListMultipartUploads',
          'ListParts',
          'UploadPart',
          'CompleteMultipartUpload',
        ],
      }),
    } as never);
    key = { ...result.credentials, startTime: result.startTime, expiredTime: result.expiredTime } as TemporaryKey;
    web = await serveWeb({ port: 0, signUrl: s.signUrl, extraFiles: { '/cos-js-sdk-v5.min.js': jsSdk } });
    browser = await launch();
    page = watch(await browser.newPage());
    await page.goto(web.url);
    await page.addScriptTag({ url: '/cos-js-sdk-v5.min.js' });
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await s?.close();
  });

  /** uploadFile of `size` random bytes to `objectKey` from the page; returns the SDK's outcome and the bytes. */
  async function uploadFromPage(objectKey: string, size: number) {
    const bytes = randomBytes(size);
    const outcome = await page.evaluate(
      async ({ host, bucket, region, key, objectKey, base64 }) => {
        const body = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const COS = (window as unknown as { COS: typeof CosJs }).COS;
        const cos = new COS({
          Domain: host,
          Protocol: 'http:',
          getAuthorization: (_options, callback) =>
            callback({
              TmpSecretId: key.tmpSecretId,
              TmpSecretKey: key.tmpSecretKey,
              SecurityToken: key.sessionToken,
              StartTime: key.startTime,
              ExpiredTime: key.expiredTime,
            }),
        });
        return new Promise<{ ok: true; etag: string } | { ok: false; error: string }>((resolve) =>
          cos.uploadFile(
            { Bucket: bucket, Region: region, Key: objectKey, Body: new Blob([body]), SliceSize: 1024 * 1024, ChunkSize: 1024 * 1024 },
            (err, data) => resolve(err ? { ok: false, error: JSON.stringify(err) } : { ok: true, etag: data.ETag }),
          ),
        );
      },
      { host: new URL(s.emu.info.cos.http).host, bucket, region, key, objectKey, base64: bytes.toString('base64') },
    );
    return { outcome, expected: bytes };
  }

  it('uploads a small file in one PUT', async () => {
    const { outcome, expected } = await uploadFromPage('doc/small.bin', 200 * 1024);
    expect(outcome).toMatchObject({ ok: true, etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
    expect(sha((await s.getObject('doc/small.bin')).body)).toBe(sha(expected));
  });

  it('uploads a big file in parts, listing multipart uploads under the key prefix first', async () => {
    const before = s.emu.requests.list().at(-1)?.seq ?? 0;
    const { outcome, expected } = await uploadFromPage('doc/big.bin', 3 * 1024 * 1024 + 5);
    expect(outcome).toMatchObject({ ok: true, etag: expect.stringMatching(/^"[0-9a-f]{32}-4"$/) });
    const listed = s.emu.requests.list().filter((r) => r.seq > before && r.operation === 'ListMultipartUploads');
    expect(listed.map((r) => r.status)).toContain(200);
    expect(sha((await s.getObject('doc/big.bin')).body)).toBe(sha(expected));
  });

  it('is refused outside the prefix the key allows', async () => {
    const { outcome } = await uploadFromPage('elsewhere/small.bin', 1024);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok === false && outcome.error).toMatch(/AccessDenied/);
    expect((await s.getObject('elsewhere/small.bin')).status).toBe(404);
  });
});
