import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { abandonWith } from '../src/pending.js';
import { uploadWith } from '../src/upload.js';
import { MiB, memorySource, memoryStore, observe, partNumber, pattern, type Stack, stack } from './support/stack.js';

// Issue 25: a multipart upload that outlives its temporary key gets a new key for the same upload from
// the sign server (POST /sts-multipart-refresh) and goes on; finished parts are never sent again. The
// sign server's keys live DURATION_SECONDS = 60, its minimum; the emulator's clock is moved to expire them.

const realNow = Date.now.bind(Date);
let offset = 0;
let s: Stack;
beforeAll(async () => {
  // The sign server and the emulator share one clock, as NTP-synced servers do; the client has its own.
  const clock = () => Math.floor(realNow() / 1000) + offset;
  s = await stack({ durationSeconds: 60, now: clock }, clock);
});
afterAll(() => s?.close());
afterEach(() => {
  offset = 0;
  vi.restoreAllMocks();
});

const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };
const options = { multipartThreshold: MiB, partSize: MiB, concurrency: 1, ...fast };

/** The statuses of the Upload Part requests the emulator answered for a key, in order. */
function emulatorParts(key: string): number[] {
  return s.emu.requests
    .list()
    .filter((e) => e.operation === 'UploadPart' && e.key === key)
    .map((e) => e.status);
}

describe('a key that expires mid-upload', () => {
  it('is renewed after COS refuses it as expired; the refused part goes again, finished parts never', async () => {
    const data = pattern(5 * MiB, 61);
    const o = observe(s.transport, async (req, send) => {
      // Parts 1 and 2 are done when part 3 starts: two minutes pass, and the 60-second key is expired.
      if (partNumber(req) === 3 && offset === 0) offset = 120;
      return send();
    });
    const result = await uploadWith({ transport: o.transport }, memorySource(data, 'long.bin'), { signUrl: s.signUrl, ...options });
    expect(result).toMatchObject({ method: 'multipart', size: data.length, partsUploaded: 5 });

    const refreshes = o.find((r) => r.url.endsWith('/sts-multipart-refresh'));
    expect(refreshes).toHaveLength(1);
    expect(JSON.parse(new TextDecoder().decode(refreshes[0]!.req.body as Uint8Array))).toMatchObject({
      confirmToken: expect.any(String),
      uploadId: expect.any(String),
    });
    // Part 3 was refused once (the expired key) and sent again; each other part went once, as the emulator
    // logged the Upload Part requests too.
    expect(o.partsSent()).toEqual([1, 2, 3, 3, 4, 5]);
    expect(emulatorParts(result.key)).toEqual([200, 200, 403, 200, 200, 200]);
    expect(o.find((r) => partNumber(r) === 3)[0]!.res).toMatchObject({ status: 403 });
    const head = await s.root('HEAD', `/${result.key}`);
    expect(head.headers['content-length']).toBe(String(data.length));
    expect(head.headers.etag).toMatch(/-5"$/);
  });

  it('is renewed once for all the parts in flight that COS refused with it', async () => {
    const data = pattern(6 * MiB, 64);
    const o = observe(s.transport, async (req, send) => {
      if (partNumber(req) === 4 && offset === 0) offset = 120;
      return send();
    });
    const result = await uploadWith({ transport: o.transport }, memorySource(data, 'wide.bin'), {
      signUrl: s.signUrl,
      ...options,
      concurrency: 3,
    });
    expect(result).toMatchObject({ size: data.length, partsUploaded: 6 });
    expect(o.find((r) => r.url.endsWith('/sts-multipart-refresh'))).toHaveLength(1);
    const statuses = emulatorParts(result.key);
    // Every part accepted once; each refusal (the parts that went with the expired key) sent again once.
    expect(statuses.filter((x) => x === 200)).toHaveLength(6);
    const refused = o.log.filter((e) => partNumber(e.req) !== undefined && e.res?.status === 403).map((e) => partNumber(e.req));
    expect(refused.length).toBeGreaterThan(0);
    expect(statuses.filter((x) => x === 403)).toHaveLength(refused.length);
    expect(o.partsSent().sort()).toEqual([1, 2, 3, 4, 5, 6, ...refused].sort());
  });

  it('is renewed before a part starts when less than the margin is left, so COS refuses nothing', async () => {
    const data = pattern(4 * MiB, 62);
    const o = observe(s.transport, async (req, send) => {
      // 40 of the key's 60 seconds pass before part 3, on both clocks: 20 s left, under the margin (30 s,
      // half the key's life), and not expired yet.
      if (partNumber(req) === 3 && offset === 0) {
        offset = 40;
        vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset * 1000);
      }
      return send();
    });
    const result = await uploadWith({ transport: o.transport }, memorySource(data, 'early.bin'), { signUrl: s.signUrl, ...options });
    expect(result.partsUploaded).toBe(4);
    expect(o.partsSent()).toEqual([1, 2, 3, 4]);
    expect(emulatorParts(result.key)).toEqual([200, 200, 200, 200]);
    // One renewal, before part 4 (part 3 left with 60 s on the key; the clocks moved as it was sent).
    const order = o.log.map((e) => (e.req.url.endsWith('/sts-multipart-refresh') ? 'refresh' : partNumber(e.req))).filter(Boolean);
    expect(order).toEqual([1, 2, 3, 'refresh', 4]);
    // The renewed key could write the object until it expires: the confirmation says so.
    const renewed = JSON.parse(o.log.find((e) => e.req.url.endsWith('/sts-multipart-refresh'))!.res!.text).data;
    expect(result.confirmed?.replaceableUntil).toBeGreaterThanOrEqual(renewed.expiredTime);
  });

  it('resumes a saved upload whose stored state has no key: a new one comes from the sign server', async () => {
    const data = pattern(3 * MiB, 63);
    const store = memoryStore();
    const controller = new AbortController();
    const first = observe(s.transport, async (req, send) => {
      if (partNumber(req) === 2) controller.abort();
      return send();
    });
    const aborted = await uploadWith({ transport: first.transport, resumeStore: store }, memorySource(data, 'keyless.bin', 'keyless-1'), {
      signUrl: s.signUrl,
      ...options,
      signal: controller.signal,
      keepResumeOnAbort: true,
    }).catch((e) => e);
    expect(aborted).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    const saved = [...store.states.values()][0]!;
    expect(saved.credentials).toBeUndefined();
    expect(JSON.stringify(saved)).not.toContain('tmpSecretKey');

    // Hours later, on every clock, the first key is long gone.
    offset = 3 * 3600;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset * 1000);
    const second = observe(s.transport);
    const result = await uploadWith({ transport: second.transport, resumeStore: store }, memorySource(data, 'keyless.bin', 'keyless-1'), {
      signUrl: s.signUrl,
      ...options,
    });
    expect(result).toMatchObject({ key: saved.cosKey, partsUploaded: 2 });
    expect(second.partsSent()).toEqual([2, 3]);
    expect(second.find((r) => r.url.endsWith('/sts-multipart-refresh'))).toHaveLength(1);
    const head = await s.root('HEAD', `/${result.key}`);
    expect(head.headers.etag).toMatch(/-3"$/);
  });

  it('renews the saved key of an upload abandoned after it expired, then aborts it at COS', async () => {
    const data = pattern(3 * MiB, 64);
    const store = memoryStore();
    const controller = new AbortController();
    const first = observe(s.transport, async (req, send) => {
      if (partNumber(req) === 2) controller.abort();
      return send();
    });
    await uploadWith({ transport: first.transport, resumeStore: store }, memorySource(data, 'expired.bin', 'expired-1'), {
      signUrl: s.signUrl,
      ...options,
      signal: controller.signal,
      keepResumeOnAbort: true,
      storeCredentials: true,
    }).catch((e) => e);
    const [id, saved] = [...store.states.entries()][0]!;
    expect(saved.credentials).toBeDefined();
    const openUploads = async () => (await s.root('GET', '/', { uploads: '', prefix: saved.cosKey })).text;
    expect(await openUploads()).toContain(saved.uploadId);

    // Two minutes on the servers' clocks: the saved 60-second key is expired, though this clock says not.
    offset = 120;
    const alone = observe(s.transport);
    const refused = await abandonWith(alone.transport, store, id, { retries: 0 }).catch((e) => e);
    expect(refused).toMatchObject({ code: 'CLIENT_ERR_COS', status: 403 });
    expect(store.states.has(id)).toBe(true);

    const renewing = observe(s.transport);
    await abandonWith(renewing.transport, store, id, { signUrl: s.signUrl, ...fast });
    const steps = renewing.log.map((e) => (e.req.url.endsWith('/sts-multipart-refresh') ? 'refresh' : `${e.req.method} ${e.res?.status}`));
    expect(steps).toEqual(['DELETE 403', 'refresh', 'DELETE 204']);
    expect(store.states.has(id)).toBe(false);
    expect(await openUploads()).not.toContain(saved.uploadId);
  });

  it("hands an app's own refreshMultipart the upload to renew, with no confirm token when none was saved", async () => {
    const data = pattern(2 * MiB, 65);
    const store = memoryStore();
    const controller = new AbortController();
    const first = observe(s.transport, async (req, send) => {
      if (partNumber(req) === 2) controller.abort();
      return send();
    });
    await uploadWith({ transport: first.transport, resumeStore: store }, memorySource(data, 'own.bin', 'own-1'), {
      signUrl: s.signUrl,
      ...options,
      signal: controller.signal,
      keepResumeOnAbort: true,
    }).catch((e) => e);
    const [id, saved] = [...store.states.entries()][0]!;
    const { confirmToken } = saved;
    expect(confirmToken).toEqual(expect.any(String));
    delete saved.confirmToken;
    const asked: unknown[] = [];
    // The app's backend knows the upload by its key and id, and renews through the sign server for it.
    await abandonWith(s.transport, store, id, {
      ...fast,
      refreshMultipart: async (upload) => {
        asked.push(upload);
        const res = await fetch(`${s.signUrl}/sts-multipart-refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ confirmToken, uploadId: upload.uploadId }),
        });
        return (await res.json()).data;
      },
    });
    expect(asked).toEqual([{ cosKey: saved.cosKey, uploadId: saved.uploadId }]);
    expect(store.states.size).toBe(0);
    expect((await s.root('GET', '/', { uploads: '', prefix: saved.cosKey })).text).not.toContain(saved.uploadId);
  });
});
