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

    // Entries under the store's prefix that are not a state it can resume: torn, or from another version.
    storage.setItem('cos-direct:upload:torn', '{"version":1,"cosKey"');
    storage.setItem('cos-direct:upload:newer', JSON.stringify({ ...state, version: 2 }));
    storage.setItem('cos-direct:upload:empty', '');
    expect(await store.get('torn')).toBeUndefined();
    expect(await store.get('newer')).toBeUndefined();
    expect(await store.get('empty')).toBeUndefined();
    expect((await store.list!()).map((e) => e.id)).toEqual(['https://sign|file:a.bin|3|1']);
    const [p] = await pendingUploads({ resumeStore: store });
    expect(p).toMatchObject({ id: 'https://sign|file:a.bin|3|1', uploaded: MiB, progress: 1 / 3, parts: 3, partsDone: 1, updatedAt: 2000 });
    expect(p).not.toHaveProperty('name');

    await store.delete('https://sign|file:a.bin|3|1');
    expect(await store.list!()).toEqual([]);
    expect(storage.getItem('unrelated')).toBe('{}');
  });
});

describe('pendingUploads over several uploads and stores', () => {
  it("lists each store's own uploads, oldest first, with what each has done", async () => {
    const a = join(dir, 'resume-a');
    const b = join(dir, 'resume-b');
    await stopAfter('first.bin', 1, a);
    await stopAfter('second-one.bin', 3, a);
    await stopAfter('third-one-.bin', 2, b);

    const inA = await pendingUploads({ resumeDir: a });
    expect(inA.map((p) => [p.name, p.partsDone, p.progress])).toEqual([
      ['first.bin', 1, 0.2],
      ['second-one.bin', 3, 0.6],
    ]);
    expect(inA[0]!.startedAt).toBeLessThanOrEqual(inA[1]!.startedAt);
    expect(new Set(inA.map((p) => p.key)).size).toBe(2);
    expect((await pendingUploads({ resumeDir: b })).map((p) => p.name)).toEqual(['third-one-.bin']);
    // A folder nothing was saved in, and a store that cannot list.
    expect(await pendingUploads({ resumeDir: join(dir, 'never-used') })).toEqual([]);
    expect(await pendingUploads({ resumeStore: memoryStore() })).toEqual([]);

    // An id is the store's: abandoning one of a's uploads through b leaves it alone, at COS too.
    const [first] = inA;
    await abandonUpload(first!.id, { signUrl: s.signUrl, dispatcher: s.dispatcher, resumeDir: b });
    expect((await s.root('GET', '/', { uploads: '', prefix: first!.key })).text).toContain('<UploadId>');
    expect(await pendingUploads({ resumeDir: a })).toHaveLength(2);
    await abandonUpload(first!.id, { signUrl: s.signUrl, dispatcher: s.dispatcher, resumeDir: a });
    expect((await pendingUploads({ resumeDir: a })).map((p) => p.name)).toEqual(['second-one.bin']);
  });

  it('skips files that are not a state it can name, and shows what an older state lacks', async () => {
    const resumeDir = join(dir, 'resume-mixed');
    await stopAfter('kept.bin', 1, resumeDir);
    const [valid] = await savedStates(resumeDir);
    const hashName = (c: string) => `${c.repeat(64)}.json`;
    await writeFile(join(resumeDir, hashName('a')), '{"version":1,"id":"torn"');
    await writeFile(join(resumeDir, hashName('b')), JSON.stringify({ ...valid, id: 'newer', version: 2 }));
    // Saved before states recorded their id: it still resumes, but cannot be listed by id.
    const { id: _id, ...anonymous } = valid!;
    await writeFile(join(resumeDir, hashName('c')), JSON.stringify(anonymous));
    await writeFile(join(resumeDir, 'notes.json'), JSON.stringify({ ...valid, id: 'not-a-state-file' }));
    expect((await pendingUploads({ resumeDir })).map((p) => p.name)).toEqual(['kept.bin']);

    // The least a state can hold: no name, no parts yet, no times, an empty file.
    const store = {
      ...memoryStore(),
      list: async () => [
        {
          id: 'bare',
          state: { version: 1, cosHost: 'h', cosKey: 'k', cosUrl: 'https://h/k', uploadId: 'u', partSize: MiB, size: 0, contentType: 'x' },
        },
      ],
    } satisfies import('../src/types.js').ResumeStore;
    expect(await pendingUploads({ resumeStore: store })).toEqual([
      { id: 'bare', size: 0, uploaded: 0, progress: 0, parts: 1, partsDone: 0, startedAt: 0, updatedAt: 0, age: 0, key: 'k' },
    ]);
  });
});

describe('abandonUpload of what is gone', () => {
  it('forgets an upload COS no longer holds, and refuses no id', async () => {
    const resumeDir = join(dir, 'resume-gone');
    await stopAfter('gone.bin', 1, resumeDir);
    const [p] = await pendingUploads({ resumeDir });
    const [state] = await savedStates(resumeDir);
    // Aborted behind the client's back (another tab, the bucket's lifecycle rule).
    const aborted = await s.root('DELETE', `/${p!.key}`, { uploadId: state!.uploadId });
    expect(aborted.status).toBe(204);
    await abandonUpload(p!.id, { signUrl: s.signUrl, dispatcher: s.dispatcher, resumeDir });
    expect(await pendingUploads({ resumeDir })).toEqual([]);

    for (const id of ['', undefined as unknown as string]) {
      const err = await abandonUpload(id, { signUrl: s.signUrl, dispatcher: s.dispatcher, resumeDir }).catch((e) => e);
      expect(err).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT', message: expect.stringContaining('id') });
    }
  });

  it('forgets an upload COS no longer holds with the key it saved, without the sign server', async () => {
    const resumeDir = join(dir, 'resume-gone-keyed');
    await stopAfter('gone-keyed.bin', 1, resumeDir, { storeCredentials: true });
    const [p] = await pendingUploads({ resumeDir });
    const [state] = await savedStates(resumeDir);
    expect((await s.root('DELETE', `/${p!.key}`, { uploadId: state!.uploadId })).status).toBe(204);
    await abandonUpload(p!.id, { dispatcher: s.dispatcher, resumeDir });
    expect(await pendingUploads({ resumeDir })).toEqual([]);
  });

  it('keeps an upload whose abort COS refuses for another reason, to try again', async () => {
    const resumeDir = join(dir, 'resume-refused');
    await stopAfter('refused.bin', 1, resumeDir, { storeCredentials: true });
    const [p] = await pendingUploads({ resumeDir });
    s.emu.faults.set([{ operation: 'AbortMultipartUpload', status: 403, code: 'AccessDenied' }]);
    try {
      const err = await abandonUpload(p!.id, { dispatcher: s.dispatcher, resumeDir, retries: 0 }).catch((e) => e);
      expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', status: 403, cosCode: 'AccessDenied' });
    } finally {
      s.emu.faults.set([]);
    }
    expect(await pendingUploads({ resumeDir })).toHaveLength(1);
    expect((await s.root('GET', '/', { uploads: '', prefix: p!.key })).text).toContain('<UploadId>');
    await abandonUpload(p!.id, { dispatcher: s.dispatcher, resumeDir });
    expect((await s.root('GET', '/', { uploads: '', prefix: p!.key })).text).not.toContain('<UploadId>');
  });
});
