import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStorageResumeStore } from '../src/browser.js';
import { abandonUpload, pendingUploads, upload } from '../src/node.js';
import type { ProgressDetail, ResumeState } from '../src/types.js';
import { uploadWith } from '../src/upload.js';
import { MiB, memorySource, memoryStore, observe, partNumber, pattern, type Stack, stack } from './support/stack.js';

// Issue 25: an upload survives a reload. Each part is in the store as soon as COS accepts it,
// pendingUploads() lists what can be resumed, and abandonUpload() cleans one up at COS.

let s: Stack;
let dir: string;
beforeAll(async () => {
  s = await stack();
  dir = await mkdtemp(join(tmpdir(), 'cos-client-pending-'));
});
afterAll(async () => {
  await s?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };

async function savedStates(resumeDir: string): Promise<ResumeState[]> {
  const names = (await readdir(resumeDir)).filter((n) => n.endsWith('.json'));
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(resumeDir, n), 'utf8')) as ResumeState));
}

/** Starts a multipart upload of a new file and stops it (as a closed tab would) once `parts` parts are done. */
async function stopAfter(name: string, parts: number, resumeDir: string, more: { storeCredentials?: boolean } = {}) {
  const path = join(dir, name);
  const data = pattern(5 * MiB, name.length);
  await writeFile(path, data);
  const controller = new AbortController();
  const err = await upload(path, {
    signUrl: s.signUrl,
    dispatcher: s.dispatcher,
    resumeDir,
    multipartThreshold: MiB,
    partSize: MiB,
    concurrency: 1,
    ...fast,
    signal: controller.signal,
    keepResumeOnAbort: true,
    ...more,
    onProgress: (_sent, _total, detail?: ProgressDetail) => {
      if (detail && detail.partsDone >= parts) controller.abort();
    },
  }).catch((e) => e);
  expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
  return { path, data };
}

describe('resume state', () => {
  it('records each part as it finishes, and a resumed upload sends none of them again', async () => {
    const data = pattern(5 * MiB, 71);
    const store = memoryStore();
    // The parts the store held after each write, in order.
    const writes: number[][] = [];
    const recording = {
      ...store,
      set: async (id: string, state: ResumeState) => {
        writes.push(state.parts?.map((p) => p.n) ?? []);
        await store.set(id, state);
      },
    };
    const controller = new AbortController();
    const first = observe(s.transport, async (req, send) => {
      // The tab closes as part 4 starts: parts 1 to 3 are done.
      if (partNumber(req) === 4) controller.abort();
      return send();
    });
    const source = () => memorySource(data, 'record.bin', 'record-1');
    const err = await uploadWith({ transport: first.transport, resumeStore: recording }, source(), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      ...fast,
      signal: controller.signal,
      keepResumeOnAbort: true,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    // One write when the upload started, one per finished part, and the last as it stopped.
    expect(writes).toEqual([[], [1], [1, 2], [1, 2, 3], [1, 2, 3]]);
    const saved = [...store.states.values()][0]!;
    expect(saved.parts!.every((p) => p.size === MiB && /^[0-9a-f]{32}$/.test(p.etag) && p.crc64)).toBe(true);

    const second = observe(s.transport);
    const result = await uploadWith({ transport: second.transport, resumeStore: store }, source(), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      ...fast,
    });
    expect(result).toMatchObject({ key: saved.cosKey, size: data.length, partsUploaded: 2 });
    expect(second.partsSent()).toEqual([4, 5]);
    expect(store.states.size).toBe(0);
  });

  it('keeps no temporary key in the store unless asked to', async () => {
    const resumeDir = join(dir, 'resume-secret');
    await stopAfter('secret.bin', 1, resumeDir);
    const text = (await Promise.all((await readdir(resumeDir)).map((n) => readFile(join(resumeDir, n), 'utf8')))).join('');
    expect(text).toContain('"confirmToken"');
    expect(text).not.toContain('tmpSecretKey');
    expect(text).not.toContain('sessionToken');

    // Asked to, it keeps the key too (an upload that must resume without the sign server).
    const withKeyDir = join(dir, 'resume-with-key');
    await stopAfter('with-key.bin', 1, withKeyDir, { storeCredentials: true });
    const [saved] = await savedStates(withKeyDir);
    expect(saved!.credentials).toMatchObject({ tmpSecretKey: expect.any(String), sessionToken: expect.any(String) });
    expect(saved!.expiredTime).toBeGreaterThan(Date.now() / 1000);
  });
});

describe('pendingUploads and abandonUpload', () => {
  it('lists the uploads that can be resumed, then abandons one: its parts are gone at COS', async () => {
    const resumeDir = join(dir, 'resume-pending');
    const before = Date.now();
    const { path, data } = await stopAfter('pending.bin', 2, resumeDir);
    const info = await stat(path);

    const pending = await pendingUploads({ resumeDir });
    expect(pending).toHaveLength(1);
    const [p] = pending;
    expect(p).toMatchObject({
      name: 'pending.bin',
      size: data.length,
      uploaded: 2 * MiB,
      progress: 0.4,
      parts: 5,
      partsDone: 2,
      fingerprint: `file:${path}|${info.size}|${info.mtimeMs}`,
      signUrl: s.signUrl,
    });
    expect(p!.key).toMatch(/\.bin$/);
    expect(p!.startedAt).toBeGreaterThanOrEqual(before);
    expect(p!.updatedAt).toBeGreaterThanOrEqual(p!.startedAt);
    expect(p!.age).toBeGreaterThanOrEqual(0);

    const listUploads = async () => (await s.root('GET', '/', { uploads: '', prefix: p!.key })).text;
    expect(await listUploads()).toContain('<UploadId>');
    // The store has no key for it: abandoning asks the sign server for one, then aborts.
    await abandonUpload(p!.id, { signUrl: s.signUrl, dispatcher: s.dispatcher, resumeDir });
    expect(await listUploads()).not.toContain('<UploadId>');
    expect(await pendingUploads({ resumeDir })).toEqual([]);
    expect(await savedStates(resumeDir)).toEqual([]);
    // Abandoning what is gone already is not an error.
    await abandonUpload(p!.id, { signUrl: s.signUrl, dispatcher: s.dispatcher, resumeDir });
  });

  it('needs a way to get a key when the store keeps none', async () => {
    const resumeDir = join(dir, 'resume-nokey');
    await stopAfter('nokey.bin', 1, resumeDir);
    const [p] = await pendingUploads({ resumeDir });
    const err = await abandonUpload(p!.id, { dispatcher: s.dispatcher, resumeDir }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT', message: expect.stringContaining('signUrl') });
    expect(await pendingUploads({ resumeDir })).toHaveLength(1);
  });

  it('lists what a localStorage store holds, and nothing from other keys', async () => {
    const items = new Map<string, string>();
    const storage = {
      get length() {
        return items.size;
      },
      key: (i: number) => [...items.keys()][i] ?? null,
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
      clear: () => items.clear(),
    } as Storage;
    const store = localStorageResumeStore(storage);
    storage.setItem('unrelated', '{}');
    const state: ResumeState = {
      version: 1,
      cosHost: 'h',
      cosKey: 'k.bin',
      cosUrl: 'https://h/k.bin',
      uploadId: 'u',
      partSize: MiB,
      size: 3 * MiB,
      contentType: 'application/octet-stream',
      parts: [{ n: 2, etag: 'e', size: MiB }],
      startedAt: 1000,
      updatedAt: 2000,
    };
    await store.set('https://sign|file:a.bin|3|1', state);
    expect(await store.list!()).toEqual([{ id: 'https://sign|file:a.bin|3|1', state }]);
  });
});
