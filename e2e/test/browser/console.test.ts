import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '@cos-direct/emulator';
import { signRequest } from '@cos-direct/signer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumAvailable, failOnPageErrors, launch } from '../support/chromium.js';

// The official Node SDK, as the emulator's own suite resolves it (no dependency of its own here).
const COS = createRequire(createRequire(import.meta.url).resolve('@cos-direct/emulator/package.json'))('cos-nodejs-sdk-v5');
// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
/** Screenshots, kept for a person to look at. */
const shots = join(tmpdir(), 'cos-direct-screenshots');

/** How much of a screenshot is not its most common colour, and how many colours it has: a blank page has one. */
async function inkOf(browser: Browser, png: Buffer): Promise<{ colours: number; ink: number }> {
  const context = await browser.newContext();
  const probe = await context.newPage();
  try {
    return await probe.evaluate(
      async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height).data;
        const counts = new Map<number, number>();
        for (let i = 0; i < data.length; i += 16) {
          const c = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
          counts.set(c, (counts.get(c) ?? 0) + 1);
        }
        const total = data.length / 16;
        return { colours: counts.size, ink: 1 - Math.max(...counts.values()) / total };
      },
      `data:image/png;base64,${png.toString('base64')}`,
    );
  } finally {
    await context.close();
  }
}

describe.skipIf(!chromiumAvailable())('the emulator console in Chromium', () => {
  let emu: RunningEmulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let clientFormatString = '';
  const watch = failOnPageErrors();
  beforeAll(async () => {
    emu = await startEmulator({ httpsPort: false, caDir: process.env.COS_DIRECT_E2E_CA_DIR });
    const cos = new COS({
      SecretId: emu.info.credentials.secretId,
      SecretKey: emu.info.credentials.secretKey,
      Protocol: 'http:',
      Ip: new URL(emu.info.cos.http).host,
    });
    const put = (params: Record<string, unknown>) =>
      new Promise((resolve, reject) =>
        cos.putObject({ Bucket: emu.info.buckets[0], Region: emu.info.region, ...params }, (e: unknown, d: unknown) =>
          e ? reject(e) : resolve(d),
        ),
      );
    await put({ Key: 'photos/cat.png', Body: PNG, ContentType: 'image/png', 'x-cos-meta-camera': 'pinhole' });
    await put({ Key: 'notes/readme.txt', Body: Buffer.from('hello from the official SDK\n'), ContentType: 'text/plain' });

    // A client that signs one path and sends another: the emulator refuses it and says what it expected.
    const host = new URL(emu.info.cos.http).host;
    const signed = signRequest({ method: 'GET', pathname: '/photos/cat.jpg', headers: { host } }, { credentials: emu.info.credentials });
    clientFormatString = signed.formatString;
    const refused = await fetch(`${emu.info.cos.http}/photos/cat.png`, { headers: { authorization: signed.authorization } });
    expect(refused.status).toBe(403);

    browser = await launch();
    await mkdir(shots, { recursive: true });
  });
  // Each test in a profile of its own, on a console it opens itself; the emulator's objects and the
  // refused request above are the only state they share, and none of them changes it.
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = watch(await context.newPage());
  });
  afterEach(async () => {
    await context?.close();
    emu.faults.clear();
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });

  it('opens from the bare address, shows the uploaded object with its ETag, CRC-64, metadata and preview', async () => {
    await page.goto(emu.info.cos.http);
    expect(page.url().split('#')[0]).toBe(emu.info.admin.console);
    const folder = page.locator('#objects tr.folder', { hasText: 'photos/' });
    // The folder's icon is drawn by CSS, so it shows on machines without an emoji font.
    expect((await folder.textContent())!.trim().startsWith('photos/')).toBe(true);
    expect(await folder.locator('.icon-folder').evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(0);
    await folder.click();
    await page.locator('#objects tr[data-key="photos/cat.png"]').click();
    const details = page.locator('#object-details');
    await expect.poll(() => details.textContent()).toContain('photos/cat.png');
    const text = (await details.textContent())!;
    expect(text).toContain('image/png');
    expect(text).toMatch(/ETag"[0-9a-f]{32}"/);
    expect(text).toMatch(/CRC-64\d+/);
    expect(text).toContain('pinhole');
    await expect.poll(() => page.locator('#preview img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    const download = page.locator('#object-details a', { hasText: 'Download' });
    expect(await download.isVisible()).toBe(true);
    const res = await page.context().request.get(new URL((await download.getAttribute('href'))!, page.url()).href);
    expect(res.headers()['content-disposition']).toBe("attachment; filename*=UTF-8''cat.png");
    await writeFile(join(shots, 'console-objects-desktop.png'), await page.screenshot());
  });

  it('previews an image processed with a typed rule, and says why a rule is refused', async () => {
    await page.goto(emu.info.admin.console);
    await page.locator('#objects tr.folder', { hasText: 'photos/' }).click();
    await page.locator('#objects tr[data-key="photos/cat.png"]').click();
    await page.fill('#rule', 'imageMogr2/thumbnail/120x');
    await page.locator('#object-details button', { hasText: 'Process' }).click();
    await expect.poll(() => page.locator('#processed img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(120);
    expect(await page.textContent('#processed-info')).toContain('120 × 120 px');
    await page.fill('#rule', 'imageInfo');
    await page.locator('#object-details button', { hasText: 'Process' }).click();
    await expect.poll(() => page.textContent('#processed pre')).toContain('"format": "png"');
    await page.fill('#rule', 'imageMogr2/thumbnail/wide');
    await page.locator('#object-details button', { hasText: 'Process' }).click();
    await expect.poll(() => page.textContent('#processed-info')).toMatch(/^400 InvalidArgument: /);
  });

  /** The console's request log, showing the refused GET of photos/cat.png. */
  async function openRefusal() {
    await page.goto(`${emu.info.admin.console}#requests`);
    await page.selectOption('#f-status', 'refused');
    await expect.poll(() => page.locator('#f-op option[value=GetObject]').count()).toBe(1);
    await page.selectOption('#f-op', 'GetObject');
    await page.locator('#requests tbody tr', { hasText: 'photos/cat.png' }).first().click();
    await expect.poll(() => page.locator('#refusal-code').textContent()).toBe('SignatureDoesNotMatch');
  }

  it('shows the live request log and explains a refusal: code, reason, and the string to sign expected vs received', async () => {
    await page.goto(emu.info.admin.console);
    await page.locator('nav button[data-tab=requests]').click();
    await expect.poll(() => page.locator('#live').textContent()).toContain('live');
    // A request made now arrives over the event stream.
    await fetch(`${emu.info.cos.http}/notes/missing.txt`);
    const liveRow = page.locator('#requests tbody tr', { hasText: 'notes/missing.txt' });
    await expect.poll(() => liveRow.count()).toBeGreaterThan(0);
    expect(await liveRow.first().textContent()).toContain('403');
    // The refusal's code is in the list itself, before the row is opened.
    expect(await liveRow.first().locator('.rcode').textContent()).toBe(' AccessDenied');

    await page.selectOption('#f-status', 'refused');
    const rows = page.locator('#requests tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(1);
    for (const row of await rows.all()) expect(await row.getAttribute('class')).toContain('refused');
    await page.selectOption('#f-op', 'GetObject');
    const refused = page.locator('#requests tbody tr', { hasText: 'photos/cat.png' });
    await refused.first().click();
    await expect.poll(() => page.locator('#refusal-code').textContent()).toBe('SignatureDoesNotMatch');
    expect(await page.locator('#refusal-reason').textContent()).toMatch(/signature/i);
    const expected = page.locator('#expected-sts');
    expect(await expected.textContent()).toContain('/photos/cat.png');
    await page.fill('#client-sts', clientFormatString);
    await expect.poll(() => expected.locator('mark').count()).toBeGreaterThan(0);
    expect(await expected.locator('.line.diff').count()).toBe(1);
    expect(await expected.locator('.line.diff').textContent()).toContain('received: ');
    // Expected .png, received .jpg: the differing characters are marked on both sides.
    expect(await expected.locator('mark:not(.ins)').first().textContent()).toBe('pn');
    expect(await expected.locator('mark.ins').first().textContent()).toBe('jp');

    const desktop = await page.screenshot();
    await writeFile(join(shots, 'console-refusal-desktop.png'), desktop);
    const ink = await inkOf(browser, desktop);
    expect(ink.colours).toBeGreaterThan(8);
    expect(ink.ink).toBeGreaterThan(0.05);
  });

  it('fits a phone: the refusal explanation and the tabs stay visible at 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openRefusal();
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(392);
    await page.locator('#refusal-code').scrollIntoViewIfNeeded();
    expect(await page.locator('#refusal-code').isVisible()).toBe(true);
    expect(await page.locator('nav button[data-tab=faults]').isVisible()).toBe(true);
    const phone = await page.screenshot();
    await writeFile(join(shots, 'console-refusal-phone.png'), phone);
    const ink = await inkOf(browser, phone);
    expect(ink.colours).toBeGreaterThan(8);
    expect(ink.ink).toBeGreaterThan(0.05);

    // The faults tab edits the rules the emulator applies.
    await page.locator('nav button[data-tab=faults]').click();
    await page.locator('#apply-rules').click();
    await expect.poll(() => page.locator('#rules tbody').textContent()).toContain('503 SlowDown');
    expect(emu.faults.list()).toMatchObject([{ operations: ['PutObject'], count: 2 }]);
    await writeFile(join(shots, 'console-faults-phone.png'), await page.screenshot());
    await page.locator('#clear-rules').click();
    await expect.poll(() => emu.faults.list().length).toBe(0);
  });
});
