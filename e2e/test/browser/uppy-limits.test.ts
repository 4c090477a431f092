import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../support/chromium.js';
import { usePageStack } from '../support/page-stack.js';

type PageUppy = {
  uppy: {
    opts: { restrictions: { allowedFileTypes?: string[] | null; maxFileSize?: number | null } };
    getFiles(): Array<{ name: string; error?: string | null }>;
  };
};

// A sign server that takes at most 1 MiB per file: the Uppy page turns bigger files away when they are
// added (restrictions from /limits), and with those off the server's refusal shows on the file, without Retry.
describe.skipIf(!chromiumAvailable())('the Uppy page and the sign server limits', () => {
  const ui = usePageStack({ server: { maxSize: 1024 * 1024 } });

  const open = async (path: string) => {
    await ui.page.goto(`${ui.web.url}${path}`);
    await ui.page.waitForFunction(() => typeof (window as unknown as { uppy: { getFiles?: unknown } }).uppy.getFiles === 'function');
  };
  const pick = (name: string, buffer: Buffer) =>
    ui.page.setInputFiles('.uppy-Dashboard-input >> nth=0', { name, mimeType: 'application/octet-stream', buffer });

  it("applies the server's /limits as Uppy restrictions when the plugin is installed", async () => {
    await open('/uppy.html');
    const restrictions = await ui.page.evaluate(() => (window as unknown as PageUppy).uppy.opts.restrictions);
    expect(restrictions).toMatchObject({ allowedFileTypes: ['.jpg', '.png', '.bin', '.txt'], maxFileSize: 1024 * 1024 });
    await pick('big.bin', randomBytes(2 * 1024 * 1024));
    await ui.page
      .locator('.uppy-Informer', { hasText: 'big.bin exceeds maximum allowed size of 1 MB' })
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await ui.page.evaluate(() => (window as unknown as PageUppy).uppy.getFiles().length)).toBe(0);
  });

  it("shows the server's refusal of a too-large file as describeError's sentence, and offers no Retry", async () => {
    await open('/uppy.html?restrictions=0');
    expect(await ui.page.evaluate(() => (window as unknown as PageUppy).uppy.opts.restrictions.maxFileSize ?? null)).toBeNull();
    await pick('big.bin', randomBytes(2 * 1024 * 1024));
    await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
    const sentence = 'The file is 2.0 MiB; the server accepts at most 1.0 MiB.';
    await expect
      .poll(() => ui.page.evaluate(() => (window as unknown as PageUppy).uppy.getFiles()[0]?.error ?? null), { timeout: 30_000 })
      .toBe(`${sentence} CLIENT_ERR_TOO_LARGE`);
    // The Dashboard shows the sentence on the file; neither the file nor the status bar offers Retry.
    expect(await ui.page.locator('.uppy-Dashboard-Item-errorDetails').getAttribute('aria-label')).toContain(sentence);
    await ui.page.locator('.uppy-StatusBar.is-error').waitFor();
    expect(await ui.page.locator('.uppy-Dashboard-Item-progressIcon--retry').count()).toBe(0);
    expect(await ui.page.locator('.uppy-StatusBar-actionBtn--retry').count()).toBe(0);
  });

  it('keeps Retry for a file that can succeed next time', async () => {
    await open('/uppy.html');
    ui.s.emu.faults.set([{ operation: 'PutObject', status: 403, code: 'AccessDenied', count: 10 }]);
    try {
      await pick('small.bin', randomBytes(1024));
      await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
      await ui.page.locator('.uppy-StatusBar-actionBtn--retry').waitFor({ timeout: 30_000 });
      expect(await ui.page.locator('.uppy-Dashboard-Item-progressIcon--retry').count()).toBe(1);
    } finally {
      ui.s.emu.faults.set([]);
    }
  });
});
