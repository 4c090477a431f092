import { Crc64Ecma } from '@cos-direct/signer/crc64';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CosDirectError } from '../src/errors.js';
import { xmlValue, xmlValues } from '../src/responses.js';
import type { HttpResponse } from '../src/types.js';
import { uploadWith } from '../src/upload.js';
import { isComplete, MiB, md5, memorySource, memoryStore, observe, partNumber, pattern, type Stack, stack } from './support/stack.js';

// Multipart against the emulator: every request goes over the wire and the emulator checks signatures,
// tokens, the ticket's policy, part sizes and the Complete document. The observing transport only
// records, and, where a test needs a deterministic failure, answers one request itself.

let s: Stack;
beforeAll(async () => {
  // The client's own Complete (completion 'client'); test/completion.test.ts covers the sign server's.
  s = await stack({ multipartCompletion: 'client' });
});
afterAll(() => s?.close());

const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };

/** GET Object with the root key (the ticket's key may only write), as text. */
async function download(url: string): Promise<string> {
  const res = await s.root('GET', decodeURIComponent(new URL(url).pathname));
  expect(res.status).toBe(200);
  return res.text;
}

async function objectEtag(url: string): Promise<{ status: number; etag: string; length: string | undefined }> {
  const res = await s.root('HEAD', decodeURIComponent(new URL(url).pathname));
  return { status: res.status, etag: (res.headers.etag ?? '').replace(/"/g, ''), length: res.headers['content-length'] };
}

const failWith = (status: number, code: string, requestId = 'fake-request-id'): HttpResponse => ({
  status,
  headers: { 'x-cos-request-id': requestId },
  text: `<?xml version="1.0"?><Error><Code>${code}</Code><Message>injected</Message><RequestId>${requestId}</RequestId></Error>`,
});

describe('part splitting', () => {
  it('cuts equal parts and a shorter last part, and COS assembles them in order', async () => {
    const data = pattern(2 * MiB + 12345, 7);
    const o = observe(s.transport);
    const result = await uploadWith({ transport: o.transport }, memorySource(data), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    });
    const parts = o.find((r) => partNumber(r) !== undefined).map((e) => ({ n: partNumber(e.req)!, size: e.req.bodySize }));
    expect(parts.sort((a, b) => a.n - b.n)).toEqual([
      { n: 1, size: MiB },
      { n: 2, size: MiB },
      { n: 3, size: 12345 },
    ]);
    expect(result).toMatchObject({ method: 'multipart', size: data.length, partsUploaded: 3 });
    expect(result.etag).toMatch(/-3$/);
    const head = await objectEtag(result.url);
    expect(head).toMatchObject({ status: 200, etag: result.etag, length: String(data.length) });
    // The CRC-64 COS reports for the whole object (checked against the parts' combined CRC-64) is the data's.
    const crc = new Crc64Ecma();
    crc.update(data);
    expect(result.crc64).toBe(crc.digest());
  });

  it('sends a file exactly at the threshold as multipart and one byte less as a single PUT', async () => {
    const threshold = MiB + 1;
    const at = observe(s.transport);
    const r1 = await uploadWith({ transport: at.transport }, memorySource(pattern(threshold)), {
      signUrl: s.signUrl,
      multipartThreshold: threshold,
      partSize: MiB,
      ...fast,
    });
    expect(r1.method).toBe('multipart');
    expect(at.partsSent().sort()).toEqual([1, 2]);
    expect(at.find((r) => partNumber(r) === 2)[0]!.req.bodySize).toBe(1);

    const below = observe(s.transport);
    const r2 = await uploadWith({ transport: below.transport }, memorySource(pattern(threshold - 1)), {
      signUrl: s.signUrl,
      multipartThreshold: threshold,
      ...fast,
    });
    expect(r2).toMatchObject({ method: 'put', size: threshold - 1 });
    expect(below.partsSent()).toEqual([]);
    expect(below.log.map((e) => e.req.method)).toEqual(['GET', 'PUT']);
  });

  it('uses one part for a file that fits in one, and keeps parts at least 1 MiB', async () => {
    const data = pattern(MiB / 2, 3);
    const o = observe(s.transport);
    const result = await uploadWith({ transport: o.transport }, memorySource(data), {
      signUrl: s.signUrl,
      multipartThreshold: 1,
      partSize: 1000, // raised to the 1 MiB minimum
      ...fast,
    });
    expect(o.partsSent()).toEqual([1]);
    expect(result).toMatchObject({ method: 'multipart', partsUploaded: 1 });
    const state = await objectEtag(result.url);
    expect(state.etag).toBe(`${md5(md5Concat([data]))}-1`);
  });
});

/** The multipart ETag rule: MD5 of the concatenated binary MD5s of the parts. */
function md5Concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts.map((p) => Buffer.from(md5(p), 'hex')));
}

describe('parallel parts', () => {
  it('keeps at most `concurrency` parts in flight', async () => {
    const data = pattern(4 * MiB, 11);
    for (const concurrency of [1, 3]) {
      const o = observe(s.transport);
      const result = await uploadWith({ transport: o.transport }, memorySource(data), {
        signUrl: s.signUrl,
        multipartThreshold: MiB,
        partSize: MiB,
        concurrency,
        ...fast,
      });
      expect(result.partsUploaded).toBe(4);
      expect(o.maxInFlight).toBe(concurrency);
      expect(o.partsSent().sort()).toEqual([1, 2, 3, 4]);
    }
  });

  it('lists the parts in the Complete document in part order, with the ETags COS returned, even when they finish out of order', async () => {
    const data = pattern(3 * MiB, 5);
    let releasePart1!: () => void;
    const part1Held = new Promise<void>((resolve) => {
      releasePart1 = resolve;
    });
    const finished: number[] = [];
    const o = observe(s.transport, async (req, send) => {
      const n = partNumber(req);
      const res = await send();
      // Part 1 answers only after parts 2 and 3 have.
      if (n === 1) await part1Held;
      if (n !== undefined) finished.push(n);
      if (finished.includes(2) && finished.includes(3)) releasePart1();
      return res;
    });
    const result = await uploadWith({ transport: o.transport }, memorySource(data), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 3,
      ...fast,
    });
    expect(finished).toEqual([2, 3, 1]);
    const complete = o.find(isComplete);
    expect(complete).toHaveLength(1);
    const xml = new TextDecoder().decode(complete[0]!.req.body as Uint8Array);
    expect(complete[0]!.req.headers['content-type']).toBe('application/xml');
    expect(xmlValues(xml, 'PartNumber')).toEqual(['1', '2', '3']);
    const etags = [1, 2, 3].map((n) => o.find((r) => partNumber(r) === n)[0]!.res!.headers.etag!.replace(/"/g, ''));
    expect(xmlValues(xml, 'ETag')).toEqual(etags.map((e) => `"${e}"`));
    expect(etags).toEqual([0, 1, 2].map((i) => md5(data.subarray(i * MiB, (i + 1) * MiB))));
    expect(result.etag).toBe(`${md5(md5Concat([0, 1, 2].map((i) => data.subarray(i * MiB, (i + 1) * MiB))))}-3`);
  });
});

describe('failures', () => {
  it('retries a part that failed with a 503, and sends it again in full', async () => {
    const data = pattern(3 * MiB, 9);
    let failed = 0;
    const o = observe(s.transport, async (req, send) => {
      if (partNumber(req) === 2 && failed++ === 0) return failWith(503, 'ServiceUnavailable');
      return send();
    });
    const result = await uploadWith({ transport: o.transport }, memorySource(data), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    });
    expect(o.partsSent().filter((n) => n === 2)).toHaveLength(2);
    expect(o.find((r) => partNumber(r) === 2).map((e) => e.req.bodySize)).toEqual([MiB, MiB]);
    expect(result.partsUploaded).toBe(3);
    expect((await objectEtag(result.url)).status).toBe(200);
  });

  it('retries a part after a network error', async () => {
    let failed = 0;
    const o = observe(s.transport, async (req, send) => {
      if (partNumber(req) === 1 && failed++ === 0) throw new CosDirectError('CLIENT_ERR_NETWORK', 'socket hang up');
      return send();
    });
    const result = await uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB)), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    });
    expect(o.partsSent().filter((n) => n === 1)).toHaveLength(2);
    expect(result.partsUploaded).toBe(2);
  });

  it('gives up on a part refused with a 4xx, with the COS code and request id, without retrying', async () => {
    const o = observe(s.transport, async (req, send) => (partNumber(req) === 2 ? failWith(403, 'AccessDenied', 'rid-part-2') : send()));
    const err = await uploadWith({ transport: o.transport }, memorySource(pattern(3 * MiB)), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      ...fast,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(CosDirectError);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', status: 403, cosCode: 'AccessDenied', requestId: 'rid-part-2' });
    expect(err.message).toContain('Upload Part 2');
    // Part 3 is never started once a part failed for good, and nothing is completed.
    expect(o.partsSent()).toEqual([1, 2]);
    expect(o.find(isComplete)).toHaveLength(0);
  });

  it('gives up after the configured retries with the last error', async () => {
    const o = observe(s.transport, async (req, send) => (partNumber(req) === 1 ? failWith(500, 'InternalError', 'rid-500') : send()));
    const err = await uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB)), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      retries: 2,
      retryPolicy: { backoff: { baseMs: 1, maxMs: 1 } },
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', status: 500, cosCode: 'InternalError', requestId: 'rid-500' });
    expect(o.partsSent()).toEqual([1, 1, 1]);
  });

  it('refuses an object whose CRC-64 differs from the combined CRC-64 of the local parts', async () => {
    const o = observe(s.transport, async (req, send) => {
      const res = await send();
      return isComplete(req) ? { ...res, headers: { ...res.headers, 'x-cos-hash-crc64ecma': '12345' } } : res;
    });
    const err = await uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB)), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_INTEGRITY' });
    expect(err.message).toContain('12345');
  });

  it('refuses a Complete that answers 200 with an error document', async () => {
    const o = observe(s.transport, async (req, send) => (isComplete(req) ? { ...failWith(200, 'InternalError'), status: 200 } : send()));
    const err = await uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB)), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', cosCode: 'InternalError' });
    expect(err.message).toContain('Complete Multipart Upload');
  });

  it('refuses an Initiate answer without an UploadId', async () => {
    const o = observe(s.transport, async (req, send) =>
      req.method === 'POST' && req.url.endsWith('?uploads')
        ? { status: 200, headers: {}, text: '<InitiateMultipartUploadResult/>' }
        : send(),
    );
    const err = await uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB)), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      ...fast,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', status: 200 });
    expect(err.message).toContain('UploadId');
  });
});

describe('an expired temporary key', () => {
  let offset = 0;
  let late: Stack;
  beforeAll(async () => {
    // An emulator whose clock the test moves past the key's lifetime (1800 s) while part 2 is sent.
    late = await stack({}, () => Math.floor(Date.now() / 1000) + offset);
  });
  afterAll(() => late?.close());

  it('fails the upload with CLIENT_ERR_TICKET_EXPIRED when renewed keys are refused as expired too', async () => {
    const o = observe(late.transport, async (req, send) => {
      if (partNumber(req) !== 2) return send();
      offset = 3600;
      try {
        return await send();
      } finally {
        offset = 0;
      }
    });
    const err = await uploadWith({ transport: o.transport }, memorySource(pattern(3 * MiB)), {
      signUrl: late.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      ...fast,
    }).catch((e) => e);
    // Part 2 goes with the ticket's key, then with two renewed ones: each expired by the time it arrives.
    const refused = o.find((r) => partNumber(r) === 2);
    expect(refused.map((e) => e.res?.status)).toEqual([403, 403, 403]);
    expect(o.find((r) => r.url.endsWith('/sts-multipart-refresh'))).toHaveLength(2);
    expect(err).toBeInstanceOf(CosDirectError);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_TICKET_EXPIRED', status: 403, cosCode: 'InvalidAccessKeyId' });
    expect(err.requestId).toBe(refused[2]!.res!.headers['x-cos-request-id']);
    expect(err.cause).toMatchObject({ code: 'CLIENT_ERR_COS' });
    expect(o.partsSent()).toEqual([1, 2, 2, 2]);
  });
});

describe('abort', () => {
  it('stops sending parts, aborts the upload at COS and forgets the resume state', async () => {
    const controller = new AbortController();
    const store = memoryStore();
    const o = observe(s.transport, async (req, send) => {
      // Abort while part 2 is on its way.
      if (partNumber(req) === 2) controller.abort();
      return send();
    });
    const err = await uploadWith({ transport: o.transport, resumeStore: store }, memorySource(pattern(4 * MiB), 'a.bin', 'abort-1'), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      signal: controller.signal,
      ...fast,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    expect(o.partsSent()).toEqual([1, 2]);
    expect(o.find(isComplete)).toHaveLength(0);
    const abort = o.find((r) => r.method === 'DELETE');
    expect(abort).toHaveLength(1);
    expect(abort[0]!.res!.status).toBe(204);
    expect(store.states.size).toBe(0);
    // The upload is gone at COS: listing its parts is refused.
    const uploadId = new URL(abort[0]!.req.url).searchParams.get('uploadId')!;
    const key = decodeURIComponent(new URL(abort[0]!.req.url).pathname);
    const list = await s.root('GET', key, { uploadId });
    expect(list.status).toBe(404);
    expect(xmlValue(list.text, 'Code')).toBe('NoSuchUpload');
  });

  it('aborts between parts when the signal fires from a progress callback', async () => {
    const controller = new AbortController();
    const o = observe(s.transport);
    const err = await uploadWith({ transport: o.transport }, memorySource(pattern(3 * MiB)), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (sent) => {
        if (sent >= MiB) controller.abort();
      },
      ...fast,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    expect(o.partsSent().length).toBeLessThan(3);
    expect(o.find((r) => r.method === 'DELETE')).toHaveLength(1);
  });
});

describe('resume', () => {
  it('skips the parts a previous run finished, verified by List Parts and their local MD5', async () => {
    const data = pattern(4 * MiB + 7, 21);
    const store = memoryStore();
    const source = () => memorySource(data, 'big.bin', 'resume-1');
    // The first run stops for good at part 3.
    const first = observe(s.transport, async (req, send) => (partNumber(req) === 3 ? failWith(403, 'AccessDenied') : send()));
    const err = await uploadWith({ transport: first.transport, resumeStore: store }, source(), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      ...fast,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', cosCode: 'AccessDenied' });
    expect(first.partsSent()).toEqual([1, 2, 3]);
    expect(store.states.size).toBe(1);
    const saved = [...store.states.values()][0]!;
    expect(saved).toMatchObject({ version: 1, partSize: MiB, size: data.length });
    expect(saved.uploadId).not.toBe('');
    // The sign server renews keys, so the store holds no secret: the finished parts and the confirmToken instead.
    expect(saved.credentials).toBeUndefined();
    expect(saved.parts?.map((p) => p.n)).toEqual([1, 2]);
    expect(saved.confirmToken).toEqual(expect.any(String));

    const progress: number[] = [];
    const second = observe(s.transport);
    const result = await uploadWith({ transport: second.transport, resumeStore: store }, source(), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      onProgress: (sent) => progress.push(sent),
      ...fast,
    });
    // No new ticket, no new upload: the sign server's limits, a key for the saved upload, List Parts, then
    // the missing parts, then Complete.
    const named = (url: string) => new URL(url).pathname.split('/').pop();
    expect(second.log.map((e) => `${e.req.method} ${e.req.url.startsWith(s.signUrl) ? named(e.req.url) : ''}`.trim())).toEqual([
      'GET limits',
      'POST sts-multipart-refresh',
      'GET',
      'PUT',
      'PUT',
      'PUT',
      'POST',
    ]);
    expect(new URL(second.log[2]!.req.url).searchParams.get('uploadId')).toBe(saved.uploadId);
    expect(second.partsSent()).toEqual([3, 4, 5]);
    expect(result).toMatchObject({ method: 'multipart', partsUploaded: 3, key: saved.cosKey, size: data.length });
    expect(progress[0]).toBe(2 * MiB);
    expect(progress.at(-1)).toBe(data.length);
    expect(store.states.size).toBe(0);
    const head = await objectEtag(result.url);
    expect(head).toMatchObject({ status: 200, length: String(data.length) });
    const parts = [0, 1, 2, 3, 4].map((i) => data.subarray(i * MiB, Math.min(data.length, (i + 1) * MiB)));
    expect(head.etag).toBe(`${md5(md5Concat(parts))}-5`);
  });

  it('sends again a finished part whose local content changed since', async () => {
    const data = pattern(3 * MiB, 31);
    const store = memoryStore();
    const first = observe(s.transport, async (req, send) => (partNumber(req) === 3 ? failWith(403, 'AccessDenied') : send()));
    const firstError = await uploadWith({ transport: first.transport, resumeStore: store }, memorySource(data, 'c.bin', 'resume-2'), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      ...fast,
    }).catch((e) => e);
    expect(firstError).toMatchObject({
      code: 'CLIENT_ERR_COS',
      status: 403,
      cosCode: 'AccessDenied',
      message: expect.stringContaining('Upload Part 3'),
    });
    expect(first.partsSent()).toEqual([1, 2, 3]);

    const changed = data.slice();
    changed[MiB + 10] = (changed[MiB + 10]! + 1) & 0xff; // inside part 2
    const second = observe(s.transport);
    const result = await uploadWith({ transport: second.transport, resumeStore: store }, memorySource(changed, 'c.bin', 'resume-2'), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 1,
      ...fast,
    });
    expect(second.partsSent()).toEqual([2, 3]);
    expect(result.partsUploaded).toBe(2);
    const parts = [0, 1, 2].map((i) => changed.subarray(i * MiB, (i + 1) * MiB));
    expect((await objectEtag(result.url)).etag).toBe(`${md5(md5Concat(parts))}-3`);
  });

  it('starts over when the saved upload no longer exists at COS', async () => {
    const data = pattern(2 * MiB, 41);
    const store = memoryStore();
    const first = observe(s.transport, async (req, send) => (partNumber(req) === 2 ? failWith(403, 'AccessDenied') : send()));
    const firstError = await uploadWith({ transport: first.transport, resumeStore: store }, memorySource(data, 'd.bin', 'resume-3'), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    }).catch((e) => e);
    expect(firstError).toMatchObject({
      code: 'CLIENT_ERR_COS',
      status: 403,
      cosCode: 'AccessDenied',
      message: expect.stringContaining('Upload Part 2'),
    });
    const saved = [...store.states.values()][0]!;
    const aborted = await s.root('DELETE', `/${saved.cosKey}`, { uploadId: saved.uploadId });
    expect(aborted.status).toBe(204);

    const second = observe(s.transport);
    const result = await uploadWith({ transport: second.transport, resumeStore: store }, memorySource(data, 'd.bin', 'resume-3'), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    });
    expect(new URL(second.log[0]!.req.url).pathname).toBe('/limits');
    expect(second.log[1]!.res!.status).toBe(404); // List Parts of the gone upload
    expect(second.partsSent().sort()).toEqual([1, 2]);
    expect(result.key).not.toBe(saved.cosKey);
    expect(store.states.size).toBe(0);
  });

  it('does not resume a saved upload whose key cannot be renewed, nor one of another size', async () => {
    const data = pattern(2 * MiB, 51);
    // Without its confirmToken (a state saved by an earlier release) the stored upload has no key and gets none.
    for (const change of [{ confirmToken: undefined }, { size: 1 }]) {
      const store = memoryStore();
      const first = observe(s.transport, async (req, send) => (partNumber(req) === 2 ? failWith(403, 'AccessDenied') : send()));
      const firstError = await uploadWith({ transport: first.transport, resumeStore: store }, memorySource(data, 'e.bin', 'resume-4'), {
        signUrl: s.signUrl,
        multipartThreshold: MiB,
        partSize: MiB,
        concurrency: 1,
        ...fast,
      }).catch((e) => e);
      expect(firstError).toMatchObject({
        code: 'CLIENT_ERR_COS',
        status: 403,
        cosCode: 'AccessDenied',
        message: expect.stringContaining('Upload Part 2'),
      });
      const [id, saved] = [...store.states.entries()][0]!;
      store.states.set(id, { ...saved, ...change });

      const second = observe(s.transport);
      const result = await uploadWith({ transport: second.transport, resumeStore: store }, memorySource(data, 'e.bin', 'resume-4'), {
        signUrl: s.signUrl,
        multipartThreshold: MiB,
        partSize: MiB,
        ...fast,
      });
      // A fresh ticket from the sign server, not List Parts of the saved upload.
      expect(second.log[0]!.req.url).toContain('/sts-multipart?ext=bin');
      expect(second.partsSent().sort()).toEqual([1, 2]);
      expect(result.key).not.toBe(saved.cosKey);
    }
  });

  it('keeps no state with resume: false', async () => {
    const store = memoryStore();
    const o = observe(s.transport, async (req, send) => (partNumber(req) === 2 ? failWith(403, 'AccessDenied') : send()));
    const saves = vi.spyOn(store, 'set');
    const failed = await uploadWith({ transport: o.transport, resumeStore: store }, memorySource(pattern(2 * MiB), 'f.bin', 'resume-5'), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      resume: false,
      ...fast,
    }).catch((e) => e);
    // The upload stopped where a resumable one would have saved its state: after part 1, at part 2.
    expect(failed).toMatchObject({
      code: 'CLIENT_ERR_COS',
      status: 403,
      cosCode: 'AccessDenied',
      message: expect.stringContaining('Upload Part 2'),
    });
    expect(o.partsSent().sort()).toEqual([1, 2]);
    expect(saves).not.toHaveBeenCalled();
    expect(store.states.size).toBe(0);
  });
});

describe('download', () => {
  it('stores exactly the bytes sent', async () => {
    const text = `${'0123456789abcdef'.repeat(MiB / 16)}tail`;
    const result = await uploadWith({ transport: s.transport }, memorySource(new TextEncoder().encode(text)), {
      signUrl: s.signUrl,
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    });
    const got = await download(result.url);
    expect(got.length).toBe(text.length);
    expect(got === text).toBe(true);
  });
});
