import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, useBrowser } from './support/chromium.js';
import { npmInstall, packWorkspaces, publishableWorkspaces } from './support/pack.js';
import { startStack, type Stack } from './support/stack.js';

// A fresh Vite + React app (test/react-app) built from the packed tarballs of @cos-direct/client and what
// it depends on, the way a user installs them, and driven in Chromium against the emulator and a sign
// server that takes at most 4 MiB per file: useUpload's upload, pause and resume, cancel, retry, the
// sentence for a refused file, and the uploads a reload left (pendingUploads), resumed or discarded.

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** The built app's files, on a loopback port. */
async function serveStatic(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(root, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'text/html' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe.skipIf(!chromiumAvailable())('a Vite + React app using useUpload from the packed client', () => {
  let dir = '';
  let s: Stack;
  let site: { server: Server; url: string };
  const ui = useBrowser();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cos-react-app-'));
    const wanted = ['@cos-direct/client', '@cos-direct/protocol', '@cos-direct/signer'];
    const { tarballs } = await packWorkspaces(
      (await publishableWorkspaces()).filter((w) => wanted.includes(w.name)),
      await mkdtemp(join(dir, 'packs-')),
    );
    const app = join(dir, 'app');
    await cp(new URL('./react-app', import.meta.url), app, { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'react-app', private: true, type: 'module' }));
    await npmInstall(app, [...tarballs.values(), 'react@^19', 'react-dom@^19', 'vite@^8']);
    execFileSync(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], {
      cwd: app,
      stdio: 'pipe',
      timeout: 300_000,
    });
    site = await serveStatic(join(app, 'dist'));
    s = await startStack(async (emu) => ({
      cosHost: new URL(emu.info.cos.http).host,
      cosProtocol: 'http',
      corsOrigins: ['*'],
      maxSize: 4 * MiB,
    }));
  }, 900_000);
  afterEach(() => s.emu.faults.set([]));
  afterAll(async () => {
    await new Promise((resolve) => site?.server.close(resolve));
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const open = (query = '') => ui.page.goto(`${site.url}/?signUrl=${encodeURIComponent(s.signUrl)}${query}`);
  const pick = (name: string, buffer: Buffer) => ui.page.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer });
  const status = () => ui.page.textContent('#status');
  /** The saved uploads the page lists: name and progress as shown. */
  const pendingShown = () =>
    ui.page.$$eval('#pending li', (items) =>
      items.map((li) => ({ name: li.querySelector('.name')?.textContent, progress: li.querySelector('.progress')?.textContent })),
    );
  const partsStored = async () => {
    const log = (await (await fetch(`${s.emu.info.admin.requests}?limit=500`)).json()) as {
      requests: Array<{ operation?: string; status: number; key?: string }>;
    };
    return log.requests.filter((r) => r.operation === 'UploadPart' && r.status === 200);
  };

  it('uploads a file and shows its key', async () => {
    await open();
    const data = randomBytes(300 * 1024);
    await pick('photo.bin', data);
    await ui.page.click('#start');
    await expect.poll(status, { timeout: 30_000 }).toBe('done');
    const key = (await ui.page.textContent('#key'))!;
    expect(sha((await s.getObject(key)).body)).toBe(sha(data));
    expect(await ui.page.getAttribute('#progress', 'value')).toBe('1');
  });

  it('pauses and resumes a multipart upload without sending a stored part again', async () => {
    s.emu.faults.set([{ operation: 'UploadPart', latencyMs: 300 }]);
    const before = (await partsStored()).length;
    await open();
    const data = randomBytes(3 * MiB);
    await pick('movie.bin', data);
    await ui.page.click('#start');
    await expect.poll(async () => (await partsStored()).length - before, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await ui.page.click('#pause');
    await expect.poll(status).toBe('paused');
    await new Promise((r) => setTimeout(r, 500));
    const atPause = (await partsStored()).length - before;
    await new Promise((r) => setTimeout(r, 1000));
    expect((await partsStored()).length - before).toBe(atPause);
    expect(atPause).toBeLessThan(3);
    await ui.page.click('#resume');
    await expect.poll(status, { timeout: 30_000 }).toBe('done');
    const key = (await ui.page.textContent('#key'))!;
    const stored = (await partsStored()).filter((r) => r.key === key).length;
    expect(stored).toBeLessThanOrEqual(3);
    expect(Number(await ui.page.textContent('#parts'))).toBe(stored - atPause);
    expect(sha((await s.getObject(key)).body)).toBe(sha(data));
  });

  it('resumes after a reload when the same file is picked again, from the resume state in localStorage', async () => {
    s.emu.faults.set([{ operation: 'UploadPart', latencyMs: 300 }]);
    // A file on disk, so that picking it twice gives the same name, size and modification time.
    const data = randomBytes(3 * MiB);
    const path = join(dir, 'reloaded.bin');
    await writeFile(path, data);
    const before = (await partsStored()).length;
    await open();
    await ui.page.setInputFiles('#file', path);
    await ui.page.click('#start');
    await expect.poll(async () => (await partsStored()).length - before, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await ui.page.reload();
    await expect.poll(status).toBe('idle');
    // Before the file is picked again, the page lists what the reload left, from localStorage.
    await expect.poll(pendingShown).toHaveLength(1);
    const [shown] = await pendingShown();
    expect(shown!.name).toBe('reloaded.bin');
    expect(['33%', '67%']).toContain(shown!.progress);
    await ui.page.setInputFiles('#file', path);
    await ui.page.click('#start');
    await expect.poll(status, { timeout: 30_000 }).toBe('done');
    const key = (await ui.page.textContent('#key'))!;
    const stored = (await partsStored()).filter((r) => r.key === key).length;
    expect(stored).toBeLessThanOrEqual(3);
    const sent = Number(await ui.page.textContent('#parts'));
    expect(sent).toBeLessThan(3);
    expect(sha((await s.getObject(key)).body)).toBe(sha(data));
    await expect.poll(pendingShown).toEqual([]);
  });

  it('discards an upload a reload left: its parts are deleted at COS and it is no longer listed', async () => {
    s.emu.faults.set([{ operation: 'UploadPart', latencyMs: 300 }]);
    const before = (await partsStored()).length;
    await open();
    await pick('abandoned.bin', randomBytes(3 * MiB));
    await ui.page.click('#start');
    await expect.poll(async () => (await partsStored()).length - before, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await ui.page.reload();
    await expect.poll(pendingShown).toHaveLength(1);
    const [shown] = await pendingShown();
    expect(shown!.name).toBe('abandoned.bin');
    const key = await ui.page.evaluate(() => {
      const name = Object.keys(localStorage).find((k) => k.startsWith('cos-direct:upload:'))!;
      return JSON.parse(localStorage.getItem(name)!).cosKey as string;
    });
    // Parts still arriving from before the reload land, then nothing more is sent for it.
    await expect.poll(() => s.openUploads(), { timeout: 10_000 }).toEqual([key]);
    await ui.page.click('#pending .discard');
    await expect.poll(pendingShown).toEqual([]);
    await expect.poll(() => s.openUploads(), { timeout: 10_000 }).toEqual([]);
    expect(await ui.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('cos-direct:upload:')))).toEqual([]);
    // The emulator's ListMultipartUploads has nothing left for the key.
    expect(await s.openUploads()).not.toContain(key);
  });

  it('cancels a multipart upload, leaving nothing open at COS', async () => {
    s.emu.faults.set([{ operation: 'UploadPart', latencyMs: 300 }]);
    const before = (await partsStored()).length;
    await open();
    await pick('dropped.bin', randomBytes(3 * MiB));
    await ui.page.click('#start');
    await expect.poll(async () => (await partsStored()).length - before, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await ui.page.click('#cancel');
    await expect.poll(status).toBe('cancelled');
    await expect.poll(() => s.openUploads(), { timeout: 10_000 }).toEqual([]);
  });

  it('shows the sentence for a file the server refuses as too large, and no Retry', async () => {
    // Below the multipart threshold: the PUT ticket names the limit, so the sentence gives both sizes.
    await open(`&threshold=${64 * MiB}`);
    await pick('huge.bin', randomBytes(5 * MiB));
    await ui.page.click('#start');
    await expect.poll(status, { timeout: 30_000 }).toBe('failed');
    expect(await ui.page.textContent('#message')).toBe('The file is 5.0 MiB; the server accepts at most 4.0 MiB.');
    expect(await ui.page.locator('#retry').count()).toBe(0);
  });

  it("names the limit for a multipart upload too, from the sign server's /limits", async () => {
    // Over the multipart threshold: the refusal of the multipart ticket names no limit, /limits does.
    await open();
    await pick('huge.bin', randomBytes(5 * MiB));
    await ui.page.click('#start');
    await expect.poll(status, { timeout: 30_000 }).toBe('failed');
    expect(await ui.page.textContent('#message')).toBe('The file is 5.0 MiB; the server accepts at most 4.0 MiB.');
    expect(await ui.page.locator('#retry').count()).toBe(0);
    expect(await s.openUploads()).toEqual([]);
  });

  it('offers Retry for a failure that can pass, and the retry uploads', async () => {
    s.emu.faults.set([{ operation: 'PutObject', status: 503, code: 'ServiceUnavailable', count: 4 }]);
    await open();
    const data = randomBytes(1000);
    await pick('later.bin', data);
    await ui.page.click('#start');
    await expect.poll(status, { timeout: 60_000 }).toBe('failed');
    expect(await ui.page.textContent('#message')).toBe('The storage could not take the file right now. Retry in a moment.');
    await ui.page.click('#retry');
    await expect.poll(status, { timeout: 30_000 }).toBe('done');
    expect(sha((await s.getObject((await ui.page.textContent('#key'))!)).body)).toBe(sha(data));
  });
});
