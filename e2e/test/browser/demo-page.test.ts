import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import type CosJs from 'cos-js-sdk-v5';
import { chromiumAvailable } from '../support/chromium.js';
import { usePageStack } from '../support/page-stack.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// A 1x1 PNG; bytes after its IEND chunk are ignored by decoders, so it stays a showable image of any size.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const MiB = 1024 * 1024;
/** Page screenshots, kept for a person to look at. */
const shots = join(tmpdir(), 'cos-direct-screenshots');
const jsSdk = join(dirname(createRequire(import.meta.url).resolve('cos-js-sdk-v5/package.json')), 'dist', 'cos-js-sdk-v5.min.js');

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  // Wired as `npm start` wires it; one page for the whole suite.
  const ui = usePageStack({ server: { downloadUrlSeconds: 600 }, extraFiles: { '/cos-js-sdk-v5.min.js': jsSdk }, page: 'suite' });

  it('shows the limits before a file is picked, has a favicon and a visible keyboard focus', async () => {
    await ui.page.goto(ui.web.url);
    await expect.poll(() => ui.page.textContent('#server')).toContain(ui.s.signUrl);
    await expect.poll(() => ui.page.textContent('#limits')).toBe('Accepted: .jpg, .png, .bin, .txt · up to 50.0 GiB per file.');
    expect(await ui.page.getAttribute('#files', 'accept')).toBe('.jpg,.png,.bin,.txt');
    const icon = await ui.page.getAttribute('link[rel=icon]', 'href');
    const res = await ui.page.context().request.get(new URL(icon!, ui.web.url).href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('image/svg+xml');
    expect((await res.text()).startsWith('<svg')).toBe(true);
    // Tab reaches the file input (visually hidden): its drop zone shows the ring.
    await ui.page.keyboard.press('Tab');
    expect(await ui.page.evaluate(() => document.activeElement?.id)).toBe('files');
    const ring = await ui.page.locator('#drop').evaluate((d) => getComputedStyle(d));
    expect(ring.outlineStyle).toBe('solid');
    expect(Number.parseFloat(ring.outlineWidth)).toBeGreaterThanOrEqual(2);
  });

  it('uploads a picked file from the demo page, with a thumbnail and progress reaching 100%', async () => {
    await ui.page.goto(ui.web.url);
    await expect.poll(() => ui.page.textContent('#server')).toContain(ui.s.signUrl);
    const data = Buffer.concat([PNG, randomBytes(700 * 1024)]);
    await ui.page.setInputFiles('#files', { name: 'picked.png', mimeType: 'image/png', buffer: data });
    const item = ui.page.locator('li.done');
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(1);
    expect(await item.locator('.thumb img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(1);
    const key = await item.getAttribute('data-key');
    expect(key).toMatch(/^images\/\d{8}\/[\w-]+\.png$/);
    expect(await item.locator('.status').textContent()).toContain('Uploaded');
    // Done: no cancel or retry, only remove.
    expect(await item.locator('button:visible').allTextContents()).toEqual(['Remove']);
    expect(await ui.page.textContent('#total .total-text')).toBe(
      `1 of 1 file done · ${(data.length / 1024).toFixed(1)} KiB of ${(data.length / 1024).toFixed(1)} KiB`,
    );
    const back = await ui.s.getObject(key!);
    expect(sha(back.body)).toBe(sha(data));
    // The result links to the private object through a presigned GET that opens it.
    const href = await item.locator('.status a').getAttribute('href');
    expect(href).toContain(`/${key}?q-sign-algorithm=sha1&`);
    const opened = await ui.page.context().request.get(href!);
    expect(opened.status()).toBe(200);
    expect(sha(await opened.body())).toBe(sha(data));
  });

  it('uploads an empty file, as Uppy and the CLI do', async () => {
    await ui.page.goto(ui.web.url);
    await ui.page.setInputFiles('#files', { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    const item = ui.page.locator('li.done', { hasText: 'empty.txt' });
    await item.waitFor({ timeout: 30_000 });
    const stored = await ui.s.getObject((await item.getAttribute('data-key'))!);
    expect([stored.status, stored.body.length]).toEqual([200, 0]);
  });

  it('uploads a big file in parts from the page', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 10);
    await ui.page.setInputFiles('#files', { name: 'movie.bin', mimeType: 'application/octet-stream', buffer: data });
    const settled = ui.page.locator('li.done, li.failed', { hasText: 'movie.bin' });
    await settled.waitFor({ timeout: 60_000 });
    const item = ui.page.locator('li', { hasText: 'movie.bin' });
    expect(await item.getAttribute('class'), (await item.locator('.status').textContent()) ?? '').toBe('done');
    // Not an image: the thumbnail names the type.
    expect(await item.locator('.thumb').textContent()).toBe('BIN');
    const key = await item.getAttribute('data-key');
    expect(await item.locator('.status').textContent()).toMatch(/ETag [0-9a-f]{32}-2/);
    expect(sha((await ui.s.getObject(key!)).body)).toBe(sha(data));
    const opened = await ui.page.context().request.get((await item.locator('.status a').getAttribute('href'))!);
    expect(sha(await opened.body())).toBe(sha(data));
  });

  it('resumes a multipart upload after the page reloads, without re-sending finished parts', async () => {
    const data = randomBytes(12 * 1024 * 1024);
    const path = join(await mkdtemp(join(tmpdir(), 'cos-e2e-page-')), 'resume.bin');
    await writeFile(path, data);
    const tuned = `${ui.web.url}/?partSize=1048576&concurrency=1&threshold=1048576`;
    await ui.page.goto(tuned);
    await ui.page.setInputFiles('#files', path);
    // Reload once a few parts are in: the upload state stays in localStorage.
    await ui.page.waitForFunction(
      () => ((document.querySelector('li progress') as HTMLProgressElement | null)?.value ?? 0) > 0.4,
      undefined,
      {
        timeout: 60_000,
      },
    );
    await ui.page.goto(tuned);
    await ui.page.setInputFiles('#files', path);
    const item = ui.page.locator('li.done', { hasText: 'resume.bin' });
    await item.waitFor({ timeout: 60_000 });
    const sent = Number(await item.getAttribute('data-parts-uploaded'));
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(12);
    const key = await item.getAttribute('data-key');
    expect(sha((await ui.s.getObject(key!)).body)).toBe(sha(data));
  });

  it('refuses a type the server does not take before asking for a ticket, in words', async () => {
    await ui.page.goto(ui.web.url);
    await expect.poll(() => ui.page.textContent('#limits')).toContain('Accepted');
    const asked: string[] = [];
    const watch = (r: { url(): string }) => r.url().startsWith(ui.s.signUrl) && asked.push(r.url());
    ui.page.on('request', watch);
    await ui.page.setInputFiles('#files', { name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    const item = ui.page.locator('li.refused', { hasText: 'tool.exe' });
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('.status').textContent()).toBe('.exe files are not accepted here. Allowed: .jpg, .png, .bin, .txt.');
    expect(await item.locator('button:visible').allTextContents()).toEqual(['Remove']);
    ui.page.off('request', watch);
    expect(asked).toEqual([]);
    // Remove takes it off the list.
    await item.locator('button.remove').click();
    await expect.poll(() => ui.page.locator('li', { hasText: 'tool.exe' }).count()).toBe(0);
  });

  it("says in words what the sign server refused, with its code in the details (?check=server skips the page's checks)", async () => {
    await ui.page.goto(`${ui.web.url}/?check=server`);
    await ui.page.setInputFiles('#files', { name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    const item = ui.page.locator('li.failed', { hasText: 'tool.exe' });
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('.status').textContent()).toBe('The server does not accept .exe files.');
    // A refusal retrying cannot fix offers no retry.
    expect(await item.locator('button:visible').allTextContents()).toEqual(['Remove']);
    const details = item.locator('details');
    expect(await details.locator('dd').first().isVisible()).toBe(false);
    await details.locator('summary').click();
    expect(await details.locator('dd[data-term="server code"]').textContent()).toBe('SRV_ERR_INVALID_EXTENSION');
    expect(await details.locator('dd[data-term="code"]').textContent()).toBe('CLIENT_ERR_TYPE_NOT_ALLOWED');
  });

  it("shows a fault rule's answer as COS's own, not as a network failure: it carries the CORS headers", async () => {
    // More 503s than the client retries: the last one is what the page reports.
    ui.s.emu.faults.set([{ operation: 'PutObject', status: 503, code: 'SlowDown', count: 10 }]);
    try {
      await ui.page.goto(ui.web.url);
      await ui.page.setInputFiles('#files', { name: 'slow.png', mimeType: 'image/png', buffer: PNG });
      const item = ui.page.locator('li.failed', { hasText: 'slow.png' });
      await item.waitFor({ timeout: 60_000 });
      expect(await item.locator('.status').textContent()).toBe('The storage could not take the file right now. Retry in a moment.');
      await item.locator('details summary').click();
      expect(await item.locator('dd[data-term="code"]').textContent()).toBe('CLIENT_ERR_COS');
      expect(await item.locator('dd[data-term="storage code"]').textContent()).toBe('SlowDown');
      expect(await item.locator('dd[data-term="HTTP status"]').textContent()).toBe('503');
      expect(ui.s.emu.faults.list()[0]!.hits).toBeGreaterThan(1);
    } finally {
      ui.s.emu.faults.clear();
    }
  });

  it('counts every file of the page in the total bar, not only the latest pick (issue 26)', async () => {
    await ui.page.goto(ui.web.url);
    await expect.poll(() => ui.page.textContent('#limits')).toContain('Accepted');
    await ui.page.setInputFiles('#files', { name: 'first.txt', mimeType: 'text/plain', buffer: Buffer.alloc(1024, 'a') });
    await ui.page.locator('li.done', { hasText: 'first.txt' }).waitFor({ timeout: 30_000 });
    expect(await ui.page.textContent('#total .total-text')).toBe('1 of 1 file done · 1.0 KiB of 1.0 KiB');
    // A second pick once the first has finished: a batch of its own, counted with the first.
    await ui.page.setInputFiles('#files', [
      { name: 'second.txt', mimeType: 'text/plain', buffer: Buffer.alloc(2048, 'b') },
      { name: 'third.txt', mimeType: 'text/plain', buffer: Buffer.alloc(1024, 'c') },
    ]);
    await ui.page.locator('li.done', { hasText: 'third.txt' }).waitFor({ timeout: 30_000 });
    await ui.page.locator('li.done', { hasText: 'second.txt' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => ui.page.textContent('#total .total-text')).toBe('3 of 3 files done · 4.0 KiB of 4.0 KiB');
    expect(await ui.page.locator('#total progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(1);
    // A removed file leaves the total; a refused one never enters it.
    await ui.page.locator('li', { hasText: 'first.txt' }).locator('button.remove').click();
    await ui.page.setInputFiles('#files', { name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    await ui.page.locator('li.refused', { hasText: 'tool.exe' }).waitFor({ timeout: 30_000 });
    expect(await ui.page.textContent('#total .total-text')).toBe('2 of 2 files done · 3.0 KiB of 3.0 KiB');
  });

  it('shows a failed row in red with the bytes it reached, not as a full bar that reads as done (issue 26)', async () => {
    // Every part arrives, then COS refuses to complete the object: the bar has reached its end, and the
    // upload still failed.
    ui.s.emu.faults.set([{ operation: 'CompleteMultipartUpload', status: 403, code: 'AccessDenied', count: 10 }]);
    try {
      await ui.page.goto(`${ui.web.url}/?partSize=1048576&threshold=1048576`);
      await ui.page.setInputFiles('#files', [{ name: 'refused.bin', mimeType: 'application/octet-stream', buffer: randomBytes(2 * MiB) }]);
      const failed = ui.page.locator('li.failed', { hasText: 'refused.bin' });
      await failed.waitFor({ timeout: 60_000 });
      ui.s.emu.faults.clear();
      await ui.page.setInputFiles('#files', { name: 'kept.bin', mimeType: 'application/octet-stream', buffer: randomBytes(2 * MiB) });
      const done = ui.page.locator('li.done', { hasText: 'kept.bin' });
      await done.waitFor({ timeout: 60_000 });

      const bar = (row: typeof done) =>
        row.locator('progress').evaluate((p: HTMLProgressElement) => ({ value: p.value, accent: getComputedStyle(p).accentColor }));
      const [failedBar, doneBar] = [await bar(failed), await bar(done)];
      expect(failedBar.accent).toBe('rgb(180, 35, 24)');
      expect(doneBar.accent).toBe('rgb(23, 128, 61)');
      // The words say how far it got: all of it sent and not stored, or where it stopped.
      expect(failedBar.value).toBe(1);
      expect(await failed.locator('.reached').textContent()).toBe('Not stored: all 2.0 MiB were sent, then the upload failed.');
      expect(await failed.locator('.reached').isVisible()).toBe(true);
      expect(await done.locator('.reached').isVisible()).toBe(false);
      // As drawn: the failed bar's fill is red, the finished one's green.
      const fill = async (row: typeof done) => {
        const png = await row.locator('progress').screenshot();
        return ui.page.evaluate(async (b64) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const c = document.createElement('canvas');
          [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
          const ctx = c.getContext('2d')!;
          ctx.drawImage(img, 0, 0);
          const [r, g, b] = ctx.getImageData(2, Math.floor(c.height / 2), 1, 1).data;
          return { r: r!, g: g!, b: b! };
        }, png.toString('base64'));
      };
      const red = await fill(failed);
      expect(red.r - red.g, JSON.stringify(red)).toBeGreaterThan(80);
      const green = await fill(done);
      expect(green.g - green.r, JSON.stringify(green)).toBeGreaterThan(40);
      // Retry completes the same upload from its parts once COS takes it, and the row then reads as done.
      await failed.locator('button.retry').click();
      await ui.page.locator('li.done', { hasText: 'refused.bin' }).waitFor({ timeout: 60_000 });
      expect(await ui.page.locator('li', { hasText: 'refused.bin' }).locator('.reached').isVisible()).toBe(false);
      expect(await ui.s.openUploads()).toEqual([]);
    } finally {
      ui.s.emu.faults.clear();
    }
  });

  it('cancels an upload, then retries it to the end; total progress shows speed and time left', async () => {
    const data = randomBytes(12 * MiB);
    await ui.page.goto(`${ui.web.url}/?partSize=1048576&concurrency=1&threshold=1048576`);
    // A slow uplink (Chromium's own throttling), so that there is time to press Cancel.
    const cdp = await ui.page.context().newCDPSession(ui.page);
    await cdp.send('Network.enable');
    const throttle = (uploadThroughput: number) =>
      cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput });
    await throttle(2 * MiB);
    try {
      await ui.page.setInputFiles('#files', { name: 'cancel.bin', mimeType: 'application/octet-stream', buffer: data });
      const item = ui.page.locator('li', { hasText: 'cancel.bin' });
      await ui.page.waitForFunction(
        () => ((document.querySelector('li progress') as HTMLProgressElement | null)?.value ?? 0) > 0.1,
        undefined,
        {
          timeout: 60_000,
        },
      );
      await expect
        .poll(() => ui.page.textContent('#total .total-text'))
        .toMatch(/^0 of 1 file done · .* of 12\.0 MiB · [\d.]+ [KM]iB\/s · about \d+ s left$/);
      expect(await item.locator('button:visible').allTextContents()).toEqual(['Cancel', 'Remove']);
      await item.locator('button.cancel').click();
      await ui.page.locator('li.cancelled', { hasText: 'cancel.bin' }).waitFor({ timeout: 30_000 });
      expect(await item.locator('.status').textContent()).toBe('Cancelled.');
      expect(await item.locator('button:visible').allTextContents()).toEqual(['Retry', 'Remove']);
      expect(await ui.page.textContent('#total .total-text')).toMatch(/^0 of 1 file done · .* of 12\.0 MiB · 1 not uploaded$/);
      await throttle(-1);
      await item.locator('button.retry').click();
      await ui.page.locator('li.done', { hasText: 'cancel.bin' }).waitFor({ timeout: 60_000 });
      expect(await ui.page.textContent('#total .total-text')).toBe('1 of 1 file done · 12.0 MiB of 12.0 MiB');
      const key = await item.getAttribute('data-key');
      expect(sha((await ui.s.getObject(key!)).body)).toBe(sha(data));
      // The cancelled attempt left no multipart upload behind.
      expect(await ui.s.openUploads()).toEqual([]);
    } finally {
      await throttle(-1);
      await cdp.detach();
    }
  });

  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`lays out at ${name} width (${viewport.width}x${viewport.height}) without overflow`, async () => {
      const p = ui.watch(await ui.browser.newPage({ viewport }));
      try {
        await p.goto(ui.web.url);
        await expect.poll(() => p.textContent('#limits')).toContain('Accepted');
        await p.setInputFiles('#files', [
          {
            name: 'a-photo-with-a-rather-long-file-name-from-a-phone-camera.png',
            mimeType: 'image/png',
            buffer: Buffer.concat([PNG, randomBytes(4096)]),
          },
          { name: 'notes.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
        ]);
        await p.locator('li.done').waitFor({ timeout: 30_000 });
        await p.locator('li.refused').waitFor({ timeout: 30_000 });
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        for (const selector of [
          'h1',
          '#limits',
          '#drop',
          '#total',
          'li.refused',
          'li.done .thumb img',
          'li.done .status a',
          'li.done button.remove',
        ]) {
          const box = await p.locator(selector).boundingBox();
          expect(box, selector).not.toBeNull();
          expect(box!.width, selector).toBeGreaterThan(0);
          expect(box!.x, selector).toBeGreaterThanOrEqual(0);
          expect(box!.x + box!.width, selector).toBeLessThanOrEqual(viewport.width);
          expect(box!.y + box!.height, selector).toBeLessThanOrEqual(viewport.height);
        }
        await mkdir(shots, { recursive: true });
        const png = await p.screenshot({ path: join(shots, `demo-${name}.png`) });
        // Not blank: the screenshot, decoded by the browser, has many colours and little of it is background.
        const stats = await p.evaluate(async (b64) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const c = document.createElement('canvas');
          c.width = img.naturalWidth;
          c.height = img.naturalHeight;
          const ctx = c.getContext('2d')!;
          ctx.drawImage(img, 0, 0);
          const px = ctx.getImageData(0, 0, c.width, c.height).data;
          const colours = new Set<number>();
          let background = 0;
          for (let i = 0; i < px.length; i += 4) {
            const v = (px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!;
            colours.add(v);
            if (v === px[0]! * 65536 + px[1]! * 256 + px[2]!) background++;
          }
          return { width: c.width, height: c.height, colours: colours.size, background: background / (px.length / 4) };
        }, png.toString('base64'));
        expect(stats.width).toBe(viewport.width);
        expect(stats.height).toBe(viewport.height);
        expect(stats.colours).toBeGreaterThan(50);
        expect(stats.background).toBeLessThan(0.95);
      } finally {
        await p.close();
      }
    });
  }

  it('lets the official cos-js-sdk-v5 upload to the emulator from the same browser', async () => {
    await ui.page.addScriptTag({ url: '/cos-js-sdk-v5.min.js' });
    const result = await ui.page.evaluate(
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
      { signUrl: ui.s.signUrl, host: new URL(ui.s.emu.info.cos.http).host },
    );
    expect(result.etag).toBe(`"${createHash('md5').update('hello from js sdk').digest('hex')}"`);
    expect((await ui.s.getObject(result.key)).body.toString()).toBe('hello from js sdk');
  });
});

describe.skipIf(!chromiumAvailable())('in Chromium, with MAX_SIZE=1048576', () => {
  const ui = usePageStack({ server: { maxSize: MiB } });

  it('refuses a 5 MB file before any ticket or upload, naming both sizes', async () => {
    await ui.page.goto(ui.web.url);
    await expect.poll(() => ui.page.textContent('#limits')).toBe('Accepted: .jpg, .png, .bin, .txt · up to 1.0 MiB per file.');
    const asked: string[] = [];
    ui.page.on('request', (r) => r.url().startsWith(ui.s.signUrl) && !r.url().endsWith('/limits') && asked.push(r.url()));
    await ui.page.setInputFiles('#files', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: randomBytes(5 * 1000 * 1000) });
    const item = ui.page.locator('li.refused', { hasText: 'big.jpg' });
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('.status').textContent()).toBe('This file is 4.8 MiB; the limit is 1.0 MiB per file.');
    expect(await item.locator('progress').isVisible()).toBe(false);
    expect(asked).toEqual([]);
  });

  it('with the page checks off, the client still refuses the 5 MB file before sending a byte, and the page says so in sizes', async () => {
    await ui.page.goto(`${ui.web.url}/?check=server`);
    const puts: string[] = [];
    ui.page.on('request', (r) => ['PUT', 'POST'].includes(r.method()) && !r.url().startsWith(ui.s.signUrl) && puts.push(r.url()));
    await ui.page.setInputFiles('#files', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: randomBytes(5 * 1000 * 1000) });
    const item = ui.page.locator('li.failed', { hasText: 'big.jpg' });
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('.status').textContent()).toBe('The file is 4.8 MiB; the server accepts at most 1.0 MiB.');
    expect(await item.locator('button:visible').allTextContents()).toEqual(['Remove']);
    await item.locator('details summary').click();
    expect(await item.locator('dd[data-term="code"]').textContent()).toBe('CLIENT_ERR_TOO_LARGE');
    expect(puts).toEqual([]);
  });
});
