import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../support/chromium.js';
import { usePageStack } from '../support/page-stack.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
interface Uploaded {
  name: string;
  complete: boolean;
  error: string | null;
  body?: { key: string; method: string; size: number; etag: string };
}
const files = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { uppy: { getFiles(): Array<Record<string, any>> } }).uppy
      .getFiles()
      .map((f) => ({ name: f.name, complete: Boolean(f.progress.uploadComplete), error: f.error ?? null, body: f.response?.body })),
  ) as Promise<Uploaded[]>;

describe.skipIf(!chromiumAvailable())('the Uppy page in Chromium', () => {
  // Each test in a fresh profile: Golden Retriever would otherwise bring back the files of the one before.
  const ui = usePageStack({ server: { downloadUrlSeconds: 600 } });
  afterEach(() => ui.s.emu.faults.set([]));

  // Until the page script has run, window.uppy is the element with id="uppy".
  const open = async (path: string) => {
    await ui.page.goto(`${ui.web.url}${path}`);
    await ui.page.waitForFunction(() => typeof (window as unknown as { uppy: { getFiles?: unknown } }).uppy.getFiles === 'function');
  };
  const upload = async (name: string, data: Buffer) => {
    await ui.page.setInputFiles('.uppy-Dashboard-input >> nth=0', { name, mimeType: 'application/octet-stream', buffer: data });
    await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
    await expect
      .poll(async () => (await files(ui.page)).find((f) => f.name === name), { timeout: 60_000 })
      .toMatchObject({ complete: true });
    return (await files(ui.page)).find((f) => f.name === name)!;
  };

  it("uploads a small file with one PUT through Uppy's Dashboard", async () => {
    await open('/uppy.html');
    await expect.poll(() => ui.page.textContent('#limits')).toBe('Accepted: .jpg, .png, .bin, .txt · up to 50.0 GiB per file.');
    const data = randomBytes(300 * 1024);
    const f = await upload('small.bin', data);
    expect(f.error).toBeNull();
    expect(f.body).toMatchObject({ method: 'put', size: data.length });
    expect(sha((await ui.s.getObject(f.body!.key)).body)).toBe(sha(data));
    await ui.page.locator('.uppy-StatusBar.is-complete').waitFor();
    // The Dashboard links a finished file to its uploadURL: the server's presigned download URL.
    const uploadURL = await ui.page.evaluate(
      () => (window as unknown as { uppy: { getFiles(): Array<{ uploadURL?: string }> } }).uppy.getFiles()[0]!.uploadURL,
    );
    expect(uploadURL).toBe((f.body as unknown as { downloadUrl: string }).downloadUrl);
    expect(await ui.page.locator('a.uppy-Dashboard-Item-previewLink').getAttribute('href')).toBe(uploadURL);
    const linked = await fetch(uploadURL!);
    expect(sha(Buffer.from(await linked.arrayBuffer()))).toBe(sha(data));
  });

  it('uploads an empty file, as the demo page and the CLI do', async () => {
    await open('/uppy.html');
    const f = await upload('empty.bin', Buffer.alloc(0));
    expect(f.error).toBeNull();
    expect(f.body).toMatchObject({ method: 'put', size: 0 });
    const stored = await ui.s.getObject(f.body!.key);
    expect([stored.status, stored.body.length]).toEqual([200, 0]);
  });

  it('uploads a multipart-sized file in parts, with progress through Uppy', async () => {
    // 1 MiB parts one at a time, so that progress is reported between parts.
    await open('/uppy.html?partSize=1048576&concurrency=1');
    const progress: Array<[number, number]> = [];
    await ui.page.exposeFunction('reportProgress', (sent: number, total: number) => progress.push([sent, total]));
    await ui.page.evaluate(() => {
      const w = window as unknown as {
        uppy: { on(e: string, f: (file: unknown, p: { bytesUploaded: number; bytesTotal: number }) => void): void };
        reportProgress(sent: number, total: number): void;
      };
      w.uppy.on('upload-progress', (_file, p) => w.reportProgress(p.bytesUploaded, p.bytesTotal));
    });
    const data = randomBytes(9 * 1024 * 1024 + 10);
    const f = await upload('movie.bin', data);
    expect(f.body?.method).toBe('multipart');
    expect(f.body?.etag).toMatch(/^[0-9a-f]{32}-10$/);
    expect(sha((await ui.s.getObject(f.body!.key)).body)).toBe(sha(data));
    expect(progress.at(-1)).toEqual([data.length, data.length]);
    expect(progress.some(([sent]) => sent > 0 && sent < data.length)).toBe(true);
  });

  it('resumes a multipart upload after a reload with Golden Retriever, sending only the missing parts', async () => {
    const tuned = '/uppy.html?partSize=1048576&concurrency=1';
    await open(tuned);
    // Under Golden Retriever's 10 MiB IndexedDB limit, so that the file itself survives the reload.
    const data = randomBytes(9 * 1024 * 1024);
    await ui.page.setInputFiles('.uppy-Dashboard-input >> nth=0', {
      name: 'again.bin',
      mimeType: 'application/octet-stream',
      buffer: data,
    });
    await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
    await ui.page.waitForFunction(
      () =>
        (window as unknown as { uppy: { getFiles(): Array<{ progress: { percentage?: number } }> } }).uppy.getFiles()[0]!.progress
          .percentage! > 40,
      undefined,
      { timeout: 60_000 },
    );
    await open(tuned);
    // Golden Retriever restores from localStorage and IndexedDB after the page script has run.
    await expect.poll(async () => (await files(ui.page)).map((f) => f.name)).toEqual(['again.bin']);
    // Golden Retriever brings the file back and waits for the Dashboard's upload button to confirm.
    await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
    await expect.poll(async () => (await files(ui.page))[0], { timeout: 60_000 }).toMatchObject({ complete: true });
    const f = (await files(ui.page))[0]!;
    const sent = (f.body as unknown as { partsUploaded: number }).partsUploaded;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(9);
    expect(sha((await ui.s.getObject(f.body!.key)).body)).toBe(sha(data));
  });

  /** UploadPart requests COS answered with 200, per key, from the emulator's request log (its admin API). */
  const partsStored = async () => {
    const log = (await (await fetch(`${ui.s.emu.info.admin.requests}?limit=500`)).json()) as {
      requests: Array<{ operation?: string; status: number; key?: string }>;
    };
    const byKey = new Map<string, number>();
    for (const r of log.requests) if (r.operation === 'UploadPart' && r.status === 200) byKey.set(r.key!, (byKey.get(r.key!) ?? 0) + 1);
    return byKey;
  };
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const sixParts = '?partSize=1048576&concurrency=1&threshold=1048576&goldenRetriever=0';

  it("pauses and resumes a multipart upload from the Dashboard's own button, without sending a finished part again", async () => {
    // Each part held 300 ms at COS, so that the pause lands mid-upload.
    ui.s.emu.faults.set([{ operation: 'UploadPart', latencyMs: 300 }]);
    const before = total(await partsStored());
    await open(`/uppy.html${sixParts}`);
    const data = randomBytes(6 * 1024 * 1024);
    await ui.page.setInputFiles('.uppy-Dashboard-input >> nth=0', {
      name: 'paused.bin',
      mimeType: 'application/octet-stream',
      buffer: data,
    });
    await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
    await expect.poll(async () => total(await partsStored()) - before, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await ui.page.locator('button.uppy-Dashboard-Item-progressIndicator[title="Pause upload"]').click();
    expect(
      await ui.page.evaluate(
        () => (window as unknown as { uppy: { getFiles(): Array<{ isPaused?: boolean }> } }).uppy.getFiles()[0]!.isPaused,
      ),
    ).toBe(true);
    // Paused: at most the part already at COS when the pause came lands; nothing more goes out.
    await new Promise((r) => setTimeout(r, 500));
    const atPause = total(await partsStored()) - before;
    await new Promise((r) => setTimeout(r, 1000));
    expect(total(await partsStored()) - before).toBe(atPause);
    expect(atPause).toBeLessThan(6);
    await ui.page.locator('button.uppy-Dashboard-Item-progressIndicator[title="Resume upload"]').click();
    await expect.poll(async () => (await files(ui.page))[0], { timeout: 60_000 }).toMatchObject({ complete: true });
    const f = (await files(ui.page))[0]!;
    expect(f.body?.method).toBe('multipart');
    // No part was stored twice: the resumed run sent only what COS did not have. (A part cut by the pause
    // may still have been stored, unanswered; the resumed run finds it in the part list.)
    const stored = (await partsStored()).get(f.body!.key)!;
    expect(stored).toBeLessThanOrEqual(6);
    expect((f.body as unknown as { partsUploaded: number }).partsUploaded).toBe(stored - atPause);
    expect(sha((await ui.s.getObject(f.body!.key)).body)).toBe(sha(data));
  });

  it('resumes the multipart upload of a file added again after a reload, from the client resume state (no Golden Retriever)', async () => {
    ui.s.emu.faults.set([{ operation: 'UploadPart', latencyMs: 300 }]);
    // The same bytes, name and modification time each time, as when a person picks the same file again.
    const addSame = () =>
      ui.page.evaluate(() => {
        const bytes = new Uint8Array(6 * 1024 * 1024);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.imul(i, 2654435761) >>> 24;
        const file = new File([bytes], 'again.bin', { type: 'application/octet-stream', lastModified: 1_700_000_000_000 });
        (window as unknown as { uppy: { addFile(f: unknown): string } }).uppy.addFile({
          name: file.name,
          type: file.type,
          data: file,
          source: 'Local',
        });
      });
    const before = total(await partsStored());
    await open(`/uppy.html${sixParts}`);
    await addSame();
    await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
    await expect.poll(async () => total(await partsStored()) - before, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await open(`/uppy.html${sixParts}`);
    expect(await files(ui.page)).toEqual([]);
    await addSame();
    await ui.page.locator('.uppy-StatusBar-actionBtn--upload').click();
    await expect.poll(async () => (await files(ui.page))[0], { timeout: 60_000 }).toMatchObject({ complete: true });
    const f = (await files(ui.page))[0]!;
    expect((await partsStored()).get(f.body!.key)).toBeLessThanOrEqual(6);
    const sent = (f.body as unknown as { partsUploaded: number }).partsUploaded;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(4);
    const expected = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < expected.length; i++) expected[i] = Math.imul(i, 2654435761) >>> 24;
    expect(sha((await ui.s.getObject(f.body!.key)).body)).toBe(sha(expected));
  });

  it("refuses a type the server does not take with Uppy's own restriction message", async () => {
    await open('/uppy.html');
    await ui.page.setInputFiles('.uppy-Dashboard-input >> nth=0', {
      name: 'tool.exe',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('MZ'),
    });
    await ui.page
      .locator('.uppy-Informer', { hasText: 'You can only upload: .jpg, .png, .bin, .txt' })
      .first()
      .waitFor({ timeout: 30_000 });
    expect((await files(ui.page)).map((f) => f.name)).not.toContain('tool.exe');
  });
});
