import { serveWeb, type WebServer } from '@cos-direct/web';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumAvailable, failOnPageErrors, launch } from '../support/chromium.js';
import { startStack, type Stack } from '../support/stack.js';

// A 1×1 PNG: the sign server's rule makes a 400 px wide copy of it, so the page showing 400 px shows the copy.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const RULE_WIDTH = 400;

describe.skipIf(!chromiumAvailable())('the pages show an upload through the thumbnail the sign server had made', () => {
  let s: Stack;
  let web: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const watch = failOnPageErrors();
  beforeAll(async () => {
    s = await startStack(async (emu) => ({
      cosHost: new URL(emu.info.cos.http).host,
      cosProtocol: 'http',
      corsOrigins: ['*'],
      downloadUrlSeconds: 600,
      thumbnailRule: `imageMogr2/thumbnail/${RULE_WIDTH}x`,
    }));
    web = await serveWeb({ port: 0, signUrl: s.signUrl });
    browser = await launch();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = watch(await context.newPage());
  });
  afterEach(() => context?.close());
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await s?.close();
  });

  it('the demo page replaces the local preview with the copy COS stored', async () => {
    await page.goto(web.url);
    await expect.poll(() => page.textContent('#server')).toContain(s.signUrl);
    await page.setInputFiles('#files', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    const item = page.locator('li.done[data-thumbnail]');
    await item.waitFor({ timeout: 30_000 });
    const key = await item.getAttribute('data-key');
    expect(await item.getAttribute('data-thumbnail')).toBe(key!.replace(/\.png$/, '_thumb.png'));
    const img = item.locator('.thumb img');
    expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(RULE_WIDTH);
    expect(await img.getAttribute('src')).toContain('_thumb.png?');
    expect((await s.getObject(key!.replace(/\.png$/, '_thumb.png'))).status).toBe(200);
  });

  it("the Uppy page shows the copy as the file's preview", async () => {
    await page.goto(`${web.url}/uppy.html`);
    await page.waitForFunction(() => typeof (window as unknown as { uppy: { getFiles?: unknown } }).uppy.getFiles === 'function');
    await page.setInputFiles('.uppy-Dashboard-input >> nth=0', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('.uppy-StatusBar-actionBtn--upload').click();
    const preview = page.locator('img.uppy-Dashboard-Item-previewImg[src*="_thumb.png?"]');
    await preview.waitFor({ timeout: 30_000 });
    await expect.poll(() => preview.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(RULE_WIDTH);
  });
});
