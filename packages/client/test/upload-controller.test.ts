import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadOptions } from '../src/types.js';
import { getLimits } from '../src/node.js';
import { createUploadController } from '../src/upload-controller.js';
import { uploadWith } from '../src/upload.js';
import { MiB, memorySource, memoryStore, observe, partNumber, pattern, type Stack, stack } from './support/stack.js';

// The state a UI shows for one upload (what useUpload of @cos-direct/client/react returns), driven against
// the emulator and a sign server: pause and resume, cancel, and the sentence and retry of a failure.

let s: Stack;
beforeAll(async () => {
  s = await stack({ maxSize: 8 * MiB });
});
afterAll(() => s?.close());

const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };

function setup(data: Uint8Array, intercept?: Parameters<typeof observe>[1]) {
  const store = memoryStore();
  const o = observe(s.transport, intercept);
  const run = (_file: Blob, options: UploadOptions) =>
    uploadWith({ transport: o.transport, resumeStore: store }, memorySource(data, 'clip.bin', `clip-${data.length}`), options);
  const controller = createUploadController(run, () => ({
    signUrl: s.signUrl,
    multipartThreshold: MiB,
    partSize: MiB,
    concurrency: 1,
    ...fast,
  }));
  return { store, o, controller, file: new Blob([data as BlobPart]) };
}

describe('the upload controller', () => {
  it('pauses a multipart upload, keeping its parts, and resumes it sending only the rest', async () => {
    const data = pattern(5 * MiB, 7);
    const seen: string[] = [];
    let paused = false;
    const t = setup(data, async (req, send) => {
      if (partNumber(req) === 3 && !paused) {
        paused = true;
        t.controller.pause();
      }
      return send();
    });
    t.controller.subscribe(() => {
      const { status } = t.controller.getSnapshot();
      if (seen.at(-1) !== status) seen.push(status);
    });
    expect(await t.controller.start(t.file)).toBeUndefined();
    expect(t.controller.getSnapshot()).toMatchObject({ status: 'paused', sent: 2 * MiB, total: 5 * MiB, progress: 0.4 });
    expect(t.o.find((r) => r.method === 'DELETE')).toHaveLength(0);
    expect(t.store.states.size).toBe(1);
    const result = await t.controller.resume();
    expect(result).toMatchObject({ method: 'multipart', size: data.length, partsUploaded: 3 });
    expect(t.controller.getSnapshot()).toMatchObject({ status: 'done', progress: 1, result });
    expect(seen).toEqual(['uploading', 'paused', 'uploading', 'done']);
    expect(result!.etag).toMatch(/-5$/);
    expect((await s.root('HEAD', `/${result!.key}`)).headers['content-length']).toBe(String(data.length));
    expect(t.store.states.size).toBe(0);
  });

  it('cancels a multipart upload, deleting its parts at COS', async () => {
    const data = pattern(3 * MiB, 8);
    const t = setup(data, async (req, send) => {
      if (partNumber(req) === 2) t.controller.cancel();
      return send();
    });
    expect(await t.controller.start(t.file)).toBeUndefined();
    expect(t.controller.getSnapshot().status).toBe('cancelled');
    expect(t.o.find((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(t.store.states.size).toBe(0);
  });

  it('describes a refusal that would come again, and offers no retry for it', async () => {
    const t = setup(pattern(9 * MiB, 9));
    await t.controller.start(t.file);
    expect(t.controller.getSnapshot()).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({ code: 'CLIENT_ERR_TOO_LARGE' }),
      // The sign server's refusal of the multipart ticket names no limit; its /limits does.
      message: 'The file is 9.0 MiB; the server accepts at most 8.0 MiB.',
      canRetry: false,
    });
    const asked = t.o.log.length;
    expect(await t.controller.retry()).toBeUndefined();
    expect(t.o.log.length).toBe(asked);
  });

  it('retries a failure that can pass, with the sentence in the chosen language until then', async () => {
    s.emu.faults.set([{ operation: 'PutObject', status: 503, count: 4 }]);
    try {
      const data = pattern(1000, 10);
      const store = memoryStore();
      const controller = createUploadController(
        (_file: Blob, options: UploadOptions) => uploadWith({ transport: s.transport, resumeStore: store }, memorySource(data), options),
        () => ({ signUrl: s.signUrl, retries: 0, locale: 'zh' as const }),
      );
      await controller.start(new Blob([data as BlobPart]));
      expect(controller.getSnapshot()).toMatchObject({ status: 'failed', message: '存储暂时无法接收文件，请稍后重试。', canRetry: true });
      s.emu.faults.set([]);
      expect(await controller.retry()).toMatchObject({ method: 'put', size: 1000 });
      expect(controller.getSnapshot()).toMatchObject({ status: 'done', message: undefined, error: undefined });
    } finally {
      s.emu.faults.set([]);
    }
  });
});

describe('the upload controller between runs', () => {
  it('ignores pause, resume, cancel and retry when there is nothing for them to act on', async () => {
    const t = setup(pattern(1000, 11));
    let calls = 0;
    t.controller.subscribe(() => calls++);
    t.controller.pause();
    t.controller.cancel();
    expect(await t.controller.resume()).toBeUndefined();
    expect(await t.controller.retry()).toBeUndefined();
    expect(t.controller.getSnapshot()).toEqual({ status: 'idle', sent: 0, total: 0, progress: 0, canRetry: false });
    expect(calls).toBe(0);
    expect(t.o.log).toHaveLength(0);

    const result = await t.controller.start(t.file);
    expect(result).toMatchObject({ method: 'put', size: 1000 });
    const asked = t.o.log.length;
    // Done: nothing to pause, resume, cancel or retry either.
    t.controller.pause();
    t.controller.cancel();
    expect(await t.controller.resume()).toBeUndefined();
    expect(await t.controller.retry()).toBeUndefined();
    expect(t.controller.getSnapshot()).toMatchObject({ status: 'done', progress: 1, result });
    expect(t.o.log.length).toBe(asked);
  });

  it('cancels a paused upload without deleting it at COS, so the same file started again resumes it', async () => {
    const data = pattern(4 * MiB, 12);
    let paused = false;
    const t = setup(data, async (req, send) => {
      if (partNumber(req) === 3 && !paused) {
        paused = true;
        t.controller.pause();
      }
      return send();
    });
    await t.controller.start(t.file);
    expect(t.controller.getSnapshot().status).toBe('paused');
    t.controller.cancel();
    expect(t.controller.getSnapshot()).toMatchObject({ status: 'cancelled', sent: 2 * MiB });
    // Cancelled is final: resume does nothing.
    expect(await t.controller.resume()).toBeUndefined();
    expect(t.o.find((r) => r.method === 'DELETE')).toHaveLength(0);
    const [saved] = [...t.store.states.values()];
    expect((await s.root('GET', '/', { uploads: '', prefix: saved!.cosKey })).text).toContain(saved!.uploadId);

    const result = await t.controller.start(t.file);
    expect(result).toMatchObject({ key: saved!.cosKey, size: data.length, partsUploaded: 2 });
    expect(t.o.partsSent()).toEqual([1, 2, 3, 3, 4]);
  });

  it('resets to idle during a run: the run stops and its outcome is not shown', async () => {
    const data = pattern(3 * MiB, 13);
    const t = setup(data, async (req, send) => {
      if (partNumber(req) === 2) t.controller.reset();
      return send();
    });
    const statuses: string[] = [];
    t.controller.subscribe(() => statuses.push(t.controller.getSnapshot().status));
    expect(await t.controller.start(t.file)).toBeUndefined();
    expect(t.controller.getSnapshot()).toEqual({ status: 'idle', sent: 0, total: 0, progress: 0, canRetry: false });
    expect(statuses.at(-1)).toBe('idle');
    expect(statuses).not.toContain('cancelled');
    // The reset cancelled the multipart upload at COS, as a cancel does.
    expect(t.o.find((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(t.store.states.size).toBe(0);
  });

  it('starting another file cancels the one still going, and shows only the new one', async () => {
    const first = pattern(3 * MiB, 14);
    const second = new Blob([pattern(2000, 15) as BlobPart]);
    let restarted: Promise<unknown> | undefined;
    const t = setup(first, async (req, send) => {
      if (partNumber(req) === 2 && !restarted) restarted = t.controller.start(second);
      return send();
    });
    expect(await t.controller.start(t.file)).toBeUndefined();
    // The run of the second file goes through the same upload function: here it sends the same bytes.
    expect(await restarted).toMatchObject({ size: first.length });
    expect(t.controller.getSnapshot()).toMatchObject({ status: 'done', file: second });
    expect(t.o.find((r) => r.method === 'DELETE')).toHaveLength(1);
  });

  it('shows an empty file as done, with progress 1', async () => {
    const t = setup(new Uint8Array(0));
    const result = await t.controller.start(new Blob([]));
    expect(result).toMatchObject({ method: 'put', size: 0 });
    expect(t.controller.getSnapshot()).toMatchObject({ status: 'done', sent: 0, total: 0, progress: 1 });
  });

  it('treats a failure that is not a client error as a network failure that a retry may pass', async () => {
    const data = pattern(500, 16);
    let failures = 1;
    const controller = createUploadController(
      async (_file: Blob, options: UploadOptions) => {
        if (failures-- > 0) throw new TypeError('Failed to fetch');
        return uploadWith({ transport: s.transport, resumeStore: memoryStore() }, memorySource(data), options);
      },
      () => ({ signUrl: s.signUrl }),
    );
    await controller.start(new Blob([data as BlobPart]));
    const { error, ...rest } = controller.getSnapshot();
    expect(rest).toMatchObject({ status: 'failed', canRetry: true, message: 'The connection failed. Check your network, then retry.' });
    expect(error).toMatchObject({ code: 'CLIENT_ERR_NETWORK', message: 'TypeError: Failed to fetch' });
    expect(error!.cause).toBeInstanceOf(TypeError);
    expect(await controller.retry()).toMatchObject({ method: 'put', size: 500 });
  });
});

describe('getLimits', () => {
  it("reads what the sign server's tickets would allow, for a UI to check a file before starting", async () => {
    expect(await getLimits(s.signUrl)).toMatchObject({ allowedExtensions: ['jpg', 'bin', 'mp4'], maxSize: 8 * MiB });
    // A server without /limits (here, a path where nothing answers it): undefined, and the tickets decide.
    expect(await getLimits(`${s.signUrl}/elsewhere`)).toBeUndefined();
  });
});
