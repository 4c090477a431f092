import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc64ecma } from '@cos-direct/signer/crc64';
import { serveWeb, type WebServer } from '@cos-direct/web';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, failOnPageErrors, launch } from '../support/chromium.js';
import { type Stack, startStack, tempDir } from '../support/stack.js';

// Issue 25: the CRC-64's WebAssembly module and a page under a strict Content-Security-Policy. A browser
// checks the policy when WebAssembly is compiled, refuses where `script-src` lacks 'wasm-unsafe-eval', and
// fires a securitypolicyviolation event (and sends a report) on the attempt. The module is compiled on the
// first hash, not when it loads; the policy the client README documents lets it compile; an app that
// cannot add that source turns WebAssembly off and hashes in JavaScript without a violation.

const signerDist = dirname(createRequire(import.meta.url).resolve('@cos-direct/signer/crc64'));

interface Violation {
  directive: string;
  blocked: string;
}

/** Records the page's CSP violations from before its first script runs (init scripts are not subject to the policy). */
async function watchViolations(page: Page): Promise<() => Promise<Violation[]>> {
  await page.addInitScript(() => {
    const seen: Array<{ directive: string; blocked: string }> = [];
    (window as unknown as { violations: typeof seen }).violations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
  });
  return () => page.evaluate(() => (window as unknown as { violations: Violation[] }).violations);
}

describe.skipIf(!chromiumAvailable())('CRC-64 under a strict Content-Security-Policy, in Chromium', () => {
  let s: Stack;
  let browser: Browser;
  const servers: WebServer[] = [];
  const watch = failOnPageErrors();
  beforeAll(async () => {
    s = await startStack(async (emu) => ({ cosHost: new URL(emu.info.cos.http).host, cosProtocol: 'http', corsOrigins: ['*'] }));
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    for (const web of servers) await web.close();
    await s?.close();
  });

  /** The demo page under `script-src` with these sources, allowed to reach the sign server and the emulator. */
  async function demoPage(scriptSources: string) {
    const csp = [
      "default-src 'self'",
      `script-src ${scriptSources}`,
      "style-src 'self'",
      "img-src 'self' blob:",
      `connect-src 'self' ${s.signUrl} ${new URL(s.emu.info.cos.http).origin}`,
    ].join('; ');
    const web = await serveWeb({ port: 0, signUrl: s.signUrl, headers: { 'content-security-policy': csp } });
    servers.push(web);
    const page = watch(await browser.newPage());
    const violations = await watchViolations(page);
    await page.goto(web.url);
    await expect.poll(() => page.textContent('#limits')).toContain('Accepted');
    return { page, violations };
  }

  async function uploadOne(page: Page, name: string) {
    await page.setInputFiles('#files', { name, mimeType: 'application/octet-stream', buffer: randomBytes(256 * 1024) });
    const row = page.locator('li', { hasText: name });
    await page.locator('li.done, li.failed', { hasText: name }).waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('class'), (await row.locator('.status').textContent()) ?? '').toBe('done');
  }

  it("loads the demo page under script-src 'self' without a violation: nothing is compiled until a file is hashed", async () => {
    const { page, violations } = await demoPage("'self'");
    expect(await violations()).toEqual([]);
    // Hashing tries once, is refused and falls back to JavaScript: the upload still completes.
    await uploadOne(page, 'first.bin');
    expect(await violations()).toEqual([{ directive: 'script-src', blocked: 'wasm-eval' }]);
    await uploadOne(page, 'second.bin');
    expect(await violations(), 'the refusal is remembered: one attempt per page').toHaveLength(1);
    await page.close();
  });

  it("uploads under the documented policy, script-src 'self' 'wasm-unsafe-eval', without any violation", async () => {
    const { page, violations } = await demoPage("'self' 'wasm-unsafe-eval'");
    await uploadOne(page, 'allowed.bin');
    expect(await violations()).toEqual([]);
    await page.close();
  });

  it("hashes in JavaScript without a violation under script-src 'self' once WebAssembly is turned off", async () => {
    // The signer's CRC-64 modules as they are published, and a page script that uses them.
    const dir = await tempDir('cos-e2e-csp-');
    const probe = join(dir, 'probe.js');
    await writeFile(
      probe,
      `import { crc64ecma, useWebAssembly } from './crc64.js';
      useWebAssembly(false);
      const data = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 0xff);
      document.title = crc64ecma(data);`,
    );
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>…</title><script type="module" src="/probe.js"></script>');
    const files = Object.fromEntries(['crc64.js', 'crc64-kernels.js', 'crc64-wasm.js'].map((f) => [`/${f}`, join(signerDist, f)]));
    const web = await serveWeb({
      port: 0,
      signUrl: s.signUrl,
      headers: { 'content-security-policy': "default-src 'self'; script-src 'self'" },
      extraFiles: { ...files, '/probe.js': probe, '/probe.html': join(dir, 'index.html') },
    });
    servers.push(web);
    const page = watch(await browser.newPage());
    const violations = await watchViolations(page);
    await page.goto(`${web.url}/probe.html`);
    const expected = crc64ecma(new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 0xff));
    await expect.poll(() => page.title()).toBe(expected);
    expect(await violations()).toEqual([]);
    await page.close();
  });
});
