import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { serveWeb, type WebServer } from '@cos-direct/web';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type CosJs from 'cos-js-sdk-v5';
import { chromiumAvailable, launch } from '../support/chromium.js';
import { startStack, type Stack } from '../support/stack.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const jsSdk = join(dirname(createRequire(import.meta.url).resolve('cos-js-sdk-v5/package.json')), 'dist', 'cos-js-sdk-v5.min.js');

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  let s: Stack;
  let web: WebServer;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    // Wired as `npm start` wires it: the page talks plain HTTP to the emulator.
    s = await startStack(async (emu) => ({
      cosHost: new URL(emu.info.cos.http).host,
      cosProtocol: 'http',
      corsOrigins: ['*'],
      downloadUrlSeconds: 600,
    }));
    web = await serveWeb({ port: 0, signUrl: s.signUrl, extraFiles: { '/cos-js-sdk-v5.min.js': jsSdk } });
    browser = await launch();
    page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await s?.close();
  });

  it('uploads a picked file from the demo page, progress reaching 100%', async () => {
    await page.goto(web.url);
    await expect.poll(() => page.textContent('#server')).toContain(s.signUrl);
    const data = randomBytes(700 * 1024);
    await page.setInputFiles('#files', { name: 'picked.png', mimeType: 'image/png', buffer: data });
    const item = page.locator('li.done');
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(1);
    const key = await item.getAttribute('data-key');
    expect(key).toMatch(/^images\/\d{8}\/[\w-]+\.png$/);
    expect(await item.locator('.status').textContent()).toContain('Uploaded');
    const back = await s.getObject(key!);
    expect(sha(back.body)).toBe(sha(data));
    // The result links to the private object through a presigned GET that opens it.
    const href = await item.locator('.status a').getAttribute('href');
    expect(href).toContain(`/${key}?q-sign-algorithm=sha1&`);
    const opened = await page.context().request.get(href!);
    expect(opened.status()).toBe(200);
    expect(sha(await opened.body())).toBe(sha(data));
  });

  it('uploads a big file in parts from the page', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 10);
    await page.setInputFiles('#files', { name: 'movie.bin', mimeType: 'application/octet-stream', buffer: data });
    const settled = page.locator('li.done, li.failed', { hasText: 'movie.bin' });
    await settled.waitFor({ timeout: 60_000 });
    const item = page.locator('li', { hasText: 'movie.bin' });
    expect(await item.getAttribute('class'), (await item.locator('.status').textContent()) ?? '').toBe('done');
    const key = await item.getAttribute('data-key');
    expect(await item.locator('.status').textContent()).toMatch(/ETag [0-9a-f]{32}-2/);
    expect(sha((await s.getObject(key!)).body)).toBe(sha(data));
    const opened = await page.context().request.get((await item.locator('.status a').getAttribute('href'))!);
    expect(sha(await opened.body())).toBe(sha(data));
  });

  it('resumes a multipart upload after the page reloads, without re-sending finished parts', async () => {
    const data = randomBytes(12 * 1024 * 1024);
    const path = join(await mkdtemp(join(tmpdir(), 'cos-e2e-page-')), 'resume.bin');
    await writeFile(path, data);
    const tuned = `${web.url}/?partSize=1048576&concurrency=1&threshold=1048576`;
    await page.goto(tuned);
    await page.setInputFiles('#files', path);
    // Reload once a few parts are in: the upload state stays in localStorage.
    await page.waitForFunction(() => ((document.querySelector('li progress') as HTMLProgressElement | null)?.value ?? 0) > 0.4, undefined, {
      timeout: 60_000,
    });
    await page.goto(tuned);
    await page.setInputFiles('#files', path);
    const item = page.locator('li.done', { hasText: 'resume.bin' });
    await item.waitFor({ timeout: 60_000 });
    const sent = Number(await item.getAttribute('data-parts-uploaded'));
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(12);
    const key = await item.getAttribute('data-key');
    expect(sha((await s.getObject(key!)).body)).toBe(sha(data));
  });

  it('shows the sign server refusal on the page', async () => {
    await page.setInputFiles('#files', { name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    const item = page.locator('li.failed', { hasText: 'tool.exe' });
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('.status').textContent()).toContain('SRV_ERR_INVALID_EXTENSION');
  });

  it('lets the official cos-js-sdk-v5 upload to the emulator from the same browser', async () => {
    await page.addScriptTag({ url: '/cos-js-sdk-v5.min.js' });
    const result = await page.evaluate(
      async ({ signUrl, host }) => {
        const t = (await (await fetch(`${signUrl}/sts-multipart?ext=txt&size=17`)).json()).data;
        const COS = (window as unknown as { COS: typeof CosJs }).COS;
        const cos = new COS({
          Domain: host,
          Protocol: 'http:',
          getAuthorization: (_options, callback) =>
            callback({
              TmpSecretId: t.credentials.tmpSecretId,
              TmpSecretKey: t.credentials.tmpSecretKey,
              SecurityToken: t.credentials.sessionToken,
              StartTime: t.startTime,
              ExpiredTime: t.expiredTime,
            }),
        });
        return new Promise<{ key: string; etag: string }>((resolve, reject) =>
          cos.putObject({ Bucket: t.bucket, Region: t.region, Key: t.cosKey, Body: 'hello from js sdk' }, (err, data) =>
            err ? reject(new Error(JSON.stringify(err))) : resolve({ key: t.cosKey, etag: data.ETag }),
          ),
        );
      },
      { signUrl: s.signUrl, host: new URL(s.emu.info.cos.http).host },
    );
    expect(result.etag).toBe(`"${createHash('md5').update('hello from js sdk').digest('hex')}"`);
    expect((await s.getObject(result.key)).body.toString()).toBe('hello from js sdk');
  });
});
