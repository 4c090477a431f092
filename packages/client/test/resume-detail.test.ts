import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressDetail } from '../src/types.js';
import { uploadWith } from '../src/upload.js';
import { MiB, memorySource, memoryStore, observe, partNumber, pattern, type Stack, stack } from './support/stack.js';

// What a multipart upload tells its progress callback about parts, and an abort that keeps the upload
// for the next run (the CLI's Ctrl-C). Against the emulator, like the other multipart tests.

let s: Stack;
beforeAll(async () => {
  s = await stack();
});
afterAll(() => s?.close());

const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };
const options = { multipartThreshold: MiB, partSize: MiB, concurrency: 1, ...fast };

describe('progress detail', () => {
  it('counts parts, and says how many a resumed upload found done', async () => {
    const data = pattern(5 * MiB, 41);
    const store = memoryStore();
    const source = () => memorySource(data, 'detail.bin', 'detail-1');
    const controller = new AbortController();
    const first: ProgressDetail[] = [];
    const o = observe(s.transport, async (req, send) => {
      // Parts 1 and 2 are finished when part 3 is asked for.
      if (partNumber(req) === 3) controller.abort();
      return send();
    });
    const err = await uploadWith({ transport: o.transport, resumeStore: store }, source(), {
      signUrl: s.signUrl,
      ...options,
      signal: controller.signal,
      keepResumeOnAbort: true,
      onProgress: (_sent, _total, detail) => first.push(detail!),
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    expect(first[0]).toEqual({ parts: 5, partsDone: 0, partsResumed: 0, resumed: false });
    expect(first.at(-1)).toEqual({ parts: 5, partsDone: 2, partsResumed: 0, resumed: false });
    // The upload was kept: no Abort Multipart Upload, the state is still there.
    expect(o.find((r) => r.method === 'DELETE')).toHaveLength(0);
    expect(store.states.size).toBe(1);

    const second: Array<[number, ProgressDetail]> = [];
    const result = await uploadWith({ transport: s.transport, resumeStore: store }, source(), {
      signUrl: s.signUrl,
      ...options,
      onProgress: (sent, _total, detail) => second.push([sent, detail!]),
    });
    expect(second[0]).toEqual([2 * MiB, { parts: 5, partsDone: 2, partsResumed: 2, resumed: true }]);
    expect(second.at(-1)).toEqual([data.length, { parts: 5, partsDone: 5, partsResumed: 2, resumed: true }]);
    expect(result).toMatchObject({ method: 'multipart', partsUploaded: 3 });
    expect(store.states.size).toBe(0);
  });

  it('still cleans up on abort without keepResumeOnAbort, and sends no detail for a single PUT', async () => {
    const details: Array<ProgressDetail | undefined> = [];
    const result = await uploadWith({ transport: s.transport }, memorySource(pattern(1000), 'small.bin'), {
      signUrl: s.signUrl,
      ...fast,
      onProgress: (_sent, _total, detail) => details.push(detail),
    });
    expect(result.method).toBe('put');
    expect(details.length).toBeGreaterThan(0);
    expect(details.every((d) => d === undefined)).toBe(true);

    const controller = new AbortController();
    const store = memoryStore();
    const o = observe(s.transport, async (req, send) => {
      if (partNumber(req) === 2) controller.abort();
      return send();
    });
    const err = await uploadWith({ transport: o.transport, resumeStore: store }, memorySource(pattern(3 * MiB), 'gone.bin', 'detail-2'), {
      signUrl: s.signUrl,
      ...options,
      signal: controller.signal,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    expect(o.find((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(store.states.size).toBe(0);
  });
});
