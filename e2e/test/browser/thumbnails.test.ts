import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../support/chromium.js';
import { usePageStack } from '../support/page-stack.js';

// A 1×1 PNG: the sign server's rule makes a 400 px wide copy of it, so the page showing 400 px shows the copy.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const RULE_WIDTH = 400;

describe.skipIf(!chromiumAvailable())('the pages show an upload through the thumbnail the sign server had made', () => {
  const ui = usePageStack({
    server: { downloadUrlSeconds: 600, thumbnailRule: `imageMogr2/thumbnail/${RULE_WIDTH}x` },
  });

  it('the demo page replaces the local preview with the copy COS stored', async () => {
    await ui.page.goto(ui.web.url);
    await expect.poll(() => ui.page.textContent('#server')).toContain(ui.s.signUrl);
    await ui.page.setInputFiles('#files', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    const item = ui.page.locator('li.done[data-thumbnail]');
    await item.waitFor({ timeout: 30_000 });
    const key = await item.getAttribute('data-key');
    expect(await item.getAttribute('data-thumbnail')).toBe(key!.replace(/\.png$/, '_thumb.png'));
    const img = item.locator('.thumb img');
    expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(RULE_WIDTH);
    expect(await img.getAttribute('src')).toContain('_thumb.png?');
    expect((await ui.s.getObject(key!.replace(/\.png$/, '_thumb.png'))).status).toBe(200);
  });

  it("the Uppy page shows the copy as the file's preview", async () => {
    await ui.page.goto(`${ui.web.url}/uppy.html`);
    await ui.page.waitForFunction(() => typeof (window as unknown as { uppy: { getFiles?: unknown } }).uppy.getFiles === 'function');
    await ui.page.setInputFiles('.uppy-Dashboard-input >> nth=0', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
    const preview = ui.page.locator('img.uppy-Dashboard-Item-previewImg[src*="_thumb.png?"]');
    await preview.waitFor({ timeout: 30_000 });
    await expect.poll(() => preview.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(RULE_WIDTH);
  });
});
