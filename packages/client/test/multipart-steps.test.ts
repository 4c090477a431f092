import { createHash } from 'node:crypto';
import { Crc64Ecma } from '@cos-direct/signer/crc64';
import { describe, expect, it } from 'vitest';
import { CosDirectError } from '../src/errors.js';
import { resolveRetryPolicy } from '../src/lib/retry-policy.js';
import { abortUpload } from '../src/multipart/abort.js';
import { combinedCrc, complete } from '../src/multipart/complete.js';
import { uploadParts } from '../src/multipart/parts.js';
import { choosePartSize, type DonePart, planParts } from '../src/multipart/plan.js';
import { uploadRequests } from '../src/multipart/requests.js';
import { resumeOrInitiate, type StartContext } from '../src/multipart/start.js';
import { ticketSourceOf } from '../src/tickets.js';
import { uploadWith } from '../src/upload.js';
import type { MultipartTicket, ResumeState, ResumeStore, UploadSource } from '../src/types.js';
import { type Answer, cosFailure, type Scene, scriptedTransport, signServer } from './support/scripted.js';

// Each step of a multipart upload against a scripted network: the script lists the requests COS and the
// sign server must receive (method, path, query, headers, body, and a signature made with the ticket's
// temporary key) and answers them; any other request fails the test.

const KiB = 1024;
const host = 'media-1250000000.cos.ap-guangzhou.myqcloud.com';
const key = 'videos/2026/clip.mp4';
const credentials = { tmpSecretId: 'AKIDtemp', tmpSecretKey: 'temp-secret', sessionToken: 'session-token' };
const signedBy = { secretKey: credentials.tmpSecretKey, host };
const signUrl = 'http://sign.example';
const policy = resolveRetryPolicy({ backoff: { baseMs: 0, maxMs: 0 } });
const MiB = 1024 * KiB;
const in1h = () => Math.floor(Date.now() / 1000) + 3600;

const ticket = (extra: Partial<MultipartTicket> = {}): MultipartTicket => ({
  cosHost: host,
  cosKey: key,
  credentials,
  expiredTime: in1h(),
  contentTypes: ['application/octet-stream', 'video/mp4'],
  ...extra,
});
const state = (extra: Partial<ResumeState> = {}): ResumeState => ({
  version: 1,
  cosHost: host,
  cosKey: key,
  cosUrl: `https://${host}/${key}`,
  uploadId: 'up-1',
  partSize: MiB,
  size: 3 * MiB + 10,
  credentials,
  expiredTime: in1h(),
  contentType: 'video/mp4',
  completion: 'client',
  ...extra,
});

function bytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const crc = (b: Uint8Array) => {
  const c = new Crc64Ecma();
  c.update(b);
  return c.digest();
};
function source(data: Uint8Array, name = 'clip.mp4'): UploadSource {
  return {
    size: data.length,
    name,
    identity: `mem:${name}`,
    repeatable: true,
    slice: (a, b) => data.subarray(a, b),
    hashRange: async (a, b) => ({ md5: md5(data.subarray(a, b)), crc64: crc(data.subarray(a, b)) }),
  };
}
function store(initial: Record<string, ResumeState> = {}): ResumeStore & { states: Map<string, ResumeState> } {
  const states = new Map(Object.entries(initial));
  return {
    states,
    get: async (id) => states.get(id),
    set: async (id, s) => void states.set(id, s),
    delete: async (id) => void states.delete(id),
  };
}

const path = `/${key}`;
const ticketScene = (size: number, answer: Answer = signServer(ticket())): Scene => ({
  expect: { method: 'GET', path: '/sts-multipart', query: { ext: 'mp4', size: String(size) } },
  reply: answer,
});
// Before it resumes, the client asks the sign server whether the saved upload is still allowed.
const limitsScene = (
  limits: Record<string, unknown> = { allowedExtensions: ['mp4'], maxSize: null, maxMultipartSize: 50 * 1024 ** 3 },
): Scene => ({
  expect: { method: 'GET', path: '/limits' },
  reply: signServer(limits),
});
const initiateScene = (
  reply: Answer = { status: 200, body: '<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>' },
): Scene => ({
  expect: {
    method: 'POST',
    path,
    query: { uploads: '' },
    headers: { 'content-type': 'video/mp4', 'x-cos-security-token': 'session-token' },
    signedBy,
  },
  reply,
});
const listScene = (marker: string, parts: Array<[number, string, number]>, next?: string): Scene => ({
  expect: { method: 'GET', path, query: { uploadId: 'up-1', 'part-number-marker': marker }, signedBy },
  reply: {
    status: 200,
    body: `<ListPartsResult><UploadId>up-1</UploadId>${parts
      .map(([n, etag, size]) => `<Part><PartNumber>${n}</PartNumber><ETag>"${etag}"</ETag><Size>${size}</Size></Part>`)
      .join(
        '',
      )}<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next ? `<NextPartNumberMarker>${next}</NextPartNumberMarker>` : ''}</ListPartsResult>`,
  },
});

function startContext(scenes: Scene[], resume?: { store: ResumeStore; id: string }) {
  const net = scriptedTransport(scenes);
  const tickets = ticketSourceOf(net.transport, policy, { signUrl });
  const ctx: StartContext = { transport: net.transport, policy, tickets, ...(resume ? { resume } : {}) };
  return { net, ctx };
}

describe('plan', () => {
  it('cuts equal parts and a shorter last one; at least 1 MiB; grows parts to stay within 10000', () => {
    const plan = planParts(2 * MiB + 5, MiB);
    expect(plan.count).toBe(3);
    expect([1, 2, 3].map((n) => plan.range(n))).toEqual([
      { start: 0, end: MiB },
      { start: MiB, end: 2 * MiB },
      { start: 2 * MiB, end: 2 * MiB + 5 },
    ]);
    expect(planParts(0, MiB).count).toBe(1);
    expect(choosePartSize(10 * MiB, 1000)).toBe(MiB);
    expect(choosePartSize(10 * MiB, undefined)).toBe(8 * MiB);
    expect(choosePartSize(20_000 * MiB, MiB)).toBe(2 * MiB);
  });
});

describe('resume or initiate', () => {
  const data = bytes(3 * MiB + 10);

  it('initiates with a fresh ticket: signed with its key, the allowed real type; the upload records itself', async () => {
    const saved = store();
    const { net, ctx } = startContext([ticketScene(data.length), initiateScene()], { store: saved, id: 'src' });
    const started = await resumeOrInitiate(ctx, source(data), { ext: 'mp4', partSize: MiB });
    net.verify();
    expect(started.done.size).toBe(0);
    expect(started.state).toMatchObject({
      uploadId: 'up-1',
      cosKey: key,
      partSize: MiB,
      size: data.length,
      contentType: 'video/mp4',
      completion: 'client',
    });
    // Saving is the multipart step's (record.ts), which decides whether the key goes in the store.
    expect(saved.states.size).toBe(0);
  });

  it('refuses a source over the ticket’s maxSize before Initiate', async () => {
    const { net, ctx } = startContext([ticketScene(data.length, signServer(ticket({ maxSize: MiB })))]);
    const e = await resumeOrInitiate(ctx, source(data), { ext: 'mp4' }).catch((x) => x);
    expect(e).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE', message: expect.stringContaining(`at most ${MiB}`) });
    net.verify();
  });

  it("refuses a completion 'server' ticket it could not complete, before Initiate", async () => {
    const net = scriptedTransport([]);
    const tickets = { direct: async () => ({}) as never, multipart: async () => ticket({ completion: 'server' }) };
    const e = await resumeOrInitiate({ transport: net.transport, policy, tickets }, source(data), { ext: 'mp4' }).catch((x) => x);
    expect(e).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT', message: expect.stringContaining('completeMultipart') });
    net.verify();
  });

  it('retries an Initiate COS answered 503, and refuses an answer without an UploadId', async () => {
    const ok = startContext([ticketScene(data.length), initiateScene(cosFailure(503, 'SlowDown')), initiateScene()]);
    expect((await resumeOrInitiate(ok.ctx, source(data), { ext: 'mp4' })).state.uploadId).toBe('up-1');
    ok.net.verify();
    const bad = startContext([ticketScene(data.length), initiateScene({ status: 200, body: '<InitiateMultipartUploadResult/>' })]);
    expect(await resumeOrInitiate(bad.ctx, source(data), { ext: 'mp4' }).catch((x) => x)).toMatchObject({ code: 'CLIENT_ERR_COS' });
  });

  it('resumes a saved upload: every page of List Parts, keeping only the parts whose size and MD5 still match', async () => {
    // One state, compared below: a second state() made after a clock tick would expire a second later.
    const initial = state();
    const saved = store({ src: initial });
    const part = (n: number) => data.subarray((n - 1) * MiB, Math.min(data.length, n * MiB));
    const { net, ctx } = startContext(
      [
        limitsScene(),
        listScene(
          '0',
          [
            [1, md5(part(1)), MiB],
            [2, 'changed-since', MiB],
          ],
          '2',
        ),
        listScene('2', [
          [3, md5(part(3)), MiB - 1],
          [4, md5(part(4)), 10],
        ]),
      ],
      { store: saved, id: 'src' },
    );
    const started = await resumeOrInitiate(ctx, source(data), { ext: 'mp4' });
    net.verify();
    expect([...started.done.keys()]).toEqual([1, 4]);
    expect(started.done.get(1)).toEqual({ etag: md5(part(1)), size: MiB, crc64: crc(part(1)) });
    expect(started.state).toEqual(initial);
  });

  it('starts over when the saved upload is gone at COS (List Parts 404), and forgets a state about to expire or of another size', async () => {
    const saved = store({ src: state({ uploadId: 'gone' }) });
    const gone = startContext(
      [
        limitsScene(),
        { expect: { method: 'GET', path, query: { uploadId: 'gone', 'part-number-marker': '0' } }, reply: cosFailure(404, 'NoSuchUpload') },
        ticketScene(data.length),
        initiateScene(),
      ],
      { store: saved, id: 'src' },
    );
    expect((await resumeOrInitiate(gone.ctx, source(data), { ext: 'mp4' })).state.uploadId).toBe('up-1');
    gone.net.verify();
    expect(saved.states.has('src')).toBe(false);

    // The saved state has no confirmToken: its key cannot be renewed, so one about to expire is dropped.
    for (const stale of [state({ expiredTime: Math.floor(Date.now() / 1000) + 60 }), state({ size: 5 })]) {
      const s2 = store({ src: stale });
      const fresh = startContext([ticketScene(data.length), initiateScene()], { store: s2, id: 'src' });
      const started = await resumeOrInitiate(fresh.ctx, source(data), { ext: 'mp4' });
      fresh.net.verify();
      expect(s2.states.has('src')).toBe(false);
      expect(started.state.expiredTime).toBeGreaterThan(Math.floor(Date.now() / 1000) + 120);
    }
  });

  it('passes on a network failure of List Parts rather than starting over', async () => {
    const saved = store({ src: state() });
    const fail = new CosDirectError('CLIENT_ERR_NETWORK', 'down', { networkCode: 'EHOSTUNREACH' });
    const one = resolveRetryPolicy({ maxAttempts: 1 });
    const net = scriptedTransport([limitsScene(), { expect: { method: 'GET', path }, reply: fail }]);
    const tickets = ticketSourceOf(net.transport, one, { signUrl });
    const e = await resumeOrInitiate(
      { transport: net.transport, policy: one, tickets, resume: { store: saved, id: 'src' } },
      source(data),
      {
        ext: 'mp4',
      },
    ).catch((x) => x);
    expect(e).toBe(fail);
    expect(saved.states.has('src')).toBe(true);
    net.verify();
  });
});

describe('upload the parts', () => {
  const data = bytes(3 * MiB + 10, 7);
  const plan = planParts(data.length, MiB);
  const partScene = (n: number, reply?: Answer | Error | Scene['reply']): Scene => {
    const { start, end } = plan.range(n);
    return {
      expect: {
        method: 'PUT',
        path,
        query: { partNumber: String(n), uploadId: 'up-1' },
        headers: { 'content-length': String(end - start) },
        signedBy,
      },
      reply: reply ?? { status: 200, headers: { etag: `"${md5(data.subarray(start, end))}"` } },
    };
  };
  const job = (scenes: Scene[], done = new Map<number, DonePart>(), concurrency = 2, p = policy) => {
    const net = scriptedTransport(scenes);
    const progress: number[] = [];
    const run = uploadParts({
      request: uploadRequests(net.transport, p, state({ size: data.length })),
      uploadId: 'up-1',
      source: source(data),
      plan,
      done,
      concurrency,
      onProgress: (sent) => progress.push(sent),
    });
    return { net, run, progress, done };
  };

  it('sends only the parts COS lacks, each its own range, signed; adds them to done; progress climbs to the size', async () => {
    const done = new Map<number, DonePart>([[2, { etag: 'kept', size: MiB }]]);
    const j = job([partScene(1), partScene(3), partScene(4)], done);
    expect(await j.run).toBe(3);
    j.net.verify();
    expect(j.net.requests.map((r) => (r.body as Uint8Array).length)).toEqual([MiB, MiB, 10]);
    expect((j.net.requests[2]!.body as Uint8Array)[0]).toBe(data[3 * MiB]);
    expect([...done.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(done.get(4)).toEqual({ etag: md5(data.subarray(3 * MiB)), size: 10, crc64: undefined });
    expect(j.progress[0]).toBe(MiB);
    expect(j.progress.at(-1)).toBe(data.length);
    expect(j.progress.every((v) => v <= data.length)).toBe(true);
  });

  it('keeps `concurrency` parts in flight', async () => {
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const held = (n: number) => async () => {
      if (++arrived === 3) release();
      await gate;
      const { start, end } = plan.range(n);
      return { status: 200, headers: { etag: `"${md5(data.subarray(start, end))}"` } };
    };
    const j = job(
      [1, 2, 3, 4].map((n) => partScene(n, n <= 3 ? held(n) : undefined)),
      new Map(),
      3,
    );
    await j.run;
    j.net.verify();
    expect(j.net.maxInFlight).toBe(3);
  });

  it('retries a part on its own and sends it again in full; the others go once', async () => {
    const j = job(
      [
        partScene(1),
        partScene(2, cosFailure(503, 'SlowDown')),
        partScene(2, new CosDirectError('CLIENT_ERR_NETWORK', 'reset', { networkCode: 'ECONNRESET' })),
        partScene(2),
        partScene(3),
        partScene(4),
      ],
      new Map(),
      1,
    );
    expect(await j.run).toBe(4);
    j.net.verify();
    const sizes = j.net.requests.filter((r) => r.url.includes('partNumber=2&')).map((r) => (r.body as Uint8Array).length);
    expect(sizes).toEqual([MiB, MiB, MiB]);
  });

  it('stops at a part refused for good: its COS error, no part started after it', async () => {
    const j = job([partScene(1), partScene(2, cosFailure(403, 'AccessDenied'))], new Map(), 1);
    const e = await j.run.catch((x) => x);
    expect(e).toMatchObject({
      code: 'CLIENT_ERR_COS',
      status: 403,
      cosCode: 'AccessDenied',
      requestId: 'rid-AccessDenied',
      message: expect.stringContaining('Upload Part 2'),
    });
    j.net.verify();
  });

  it('refuses a part whose CRC-64 COS reports differs from the bytes sent', async () => {
    const { start, end } = plan.range(1);
    const sent = { size: end - start, crc64: crc(data.subarray(start, end)), md5: md5(data.subarray(start, end)) };
    const j = job([partScene(1, { status: 200, headers: { etag: `"${sent.md5}"`, 'x-cos-hash-crc64ecma': '1' }, sent })], new Map(), 1);
    expect(await j.run.catch((x) => x.code)).toBe('CLIENT_ERR_INTEGRITY');
  });
});

describe('complete', () => {
  const data = bytes(2 * MiB + 3, 5);
  const plan = planParts(data.length, MiB);
  const parts = [1, 2, 3].map((n) => data.subarray(plan.range(n).start, plan.range(n).end));
  const done = () => new Map(parts.map((p, i) => [i + 1, { etag: md5(p), size: p.length, crc64: crc(p) }]));
  const xml = `<CompleteMultipartUpload>${parts.map((p, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>&quot;${md5(p)}&quot;</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const completeScene = (reply: Answer): Scene => ({
    expect: { method: 'POST', path, query: { uploadId: 'up-1' }, headers: { 'content-type': 'application/xml' }, body: xml, signedBy },
    reply,
  });
  const ok = (crc64 = crc(data)): Answer => ({
    status: 200,
    headers: { 'x-cos-hash-crc64ecma': crc64, 'x-cos-request-id': 'rid-c' },
    body: '<CompleteMultipartUploadResult><ETag>"abc-3"</ETag></CompleteMultipartUploadResult>',
  });
  const run = (scenes: Scene[], s = state({ size: data.length }), forgotten: string[] = []) => {
    const net = scriptedTransport(scenes);
    const tickets = ticketSourceOf(net.transport, policy, { signUrl });
    const p = complete({
      request: uploadRequests(net.transport, policy, s),
      state: s,
      plan,
      done: done(),
      tickets,
      forget: async () => void forgotten.push('x'),
    });
    return { net, p, forgotten };
  };

  it("with the ticket's key: every part in order with its ETag; the CRC-64 checked against the parts'", async () => {
    const r = run([completeScene(ok())]);
    expect(await r.p).toEqual({ etag: 'abc-3', crc64: crc(data), requestId: 'rid-c' });
    r.net.verify();
    expect(combinedCrc(plan, done())).toBe(crc(data));
    const bad = run([completeScene(ok('12345'))]);
    expect(await bad.p.catch((e) => e)).toMatchObject({ code: 'CLIENT_ERR_INTEGRITY', requestId: 'rid-c' });
  });

  it('retries a 200 whose body is an InternalError, and refuses a final error in a 200', async () => {
    const r = run([
      completeScene({ status: 200, body: '<?xml version="1.0"?><Error><Code>InternalError</Code></Error>' }),
      completeScene(ok()),
    ]);
    expect((await r.p).etag).toBe('abc-3');
    r.net.verify();
    const bad = run([completeScene({ status: 200, body: '<Error><Code>InvalidPart</Code><Message>m</Message></Error>' })]);
    expect(await bad.p.catch((e) => e)).toMatchObject({ code: 'CLIENT_ERR_COS', status: 200, cosCode: 'InvalidPart' });
  });

  const serverState = state({ size: data.length, completion: 'server', confirmToken: 'tok-1' });
  const confirmScene = (reply: Answer): Scene => ({
    expect: {
      method: 'POST',
      path: '/complete-multipart',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ confirmToken: 'tok-1', uploadId: 'up-1' }),
    },
    reply,
  });
  const confirmed = { key, size: data.length, etag: '"abc-3"', crc64: crc(data), contentType: 'video/mp4', kind: 'multipart' };

  it("completion 'server': POST /complete-multipart with the confirm token, no Complete of its own; the answer checked", async () => {
    const r = run([confirmScene(signServer(confirmed))], serverState);
    expect(await r.p).toMatchObject({ etag: 'abc-3', size: data.length, crc64: crc(data), confirmed });
    r.net.verify();
    const short = run([confirmScene(signServer({ ...confirmed, size: 5 }))], serverState);
    expect(await short.p.catch((e) => e)).toMatchObject({ code: 'CLIENT_ERR_INTEGRITY', message: expect.stringContaining('has 5 bytes') });
    const other = run([confirmScene(signServer({ ...confirmed, key: 'other.mp4' }))], serverState);
    expect(await other.p.catch((e) => e)).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER' });
  });

  it("completion 'server': a 413 is CLIENT_ERR_TOO_LARGE, and a 413 or 404 forgets the resume state; a 503 is retried", async () => {
    const big = run([confirmScene(signServer({ code: 'SRV_ERR_UPLOAD_TOO_LARGE', message: 'over' }, 413))], serverState);
    expect(await big.p.catch((e) => e)).toMatchObject({
      code: 'CLIENT_ERR_TOO_LARGE',
      status: 413,
      serverCode: 'SRV_ERR_UPLOAD_TOO_LARGE',
    });
    expect(big.forgotten).toHaveLength(1);
    const gone = run([confirmScene(signServer({ code: 'SRV_ERR_NO_SUCH_UPLOAD', message: 'gone' }, 404))], serverState);
    expect(await gone.p.catch((e) => e)).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', status: 404 });
    expect(gone.forgotten).toHaveLength(1);
    const busy = run(
      [
        confirmScene({ status: 503, headers: { 'retry-after': '0' }, body: '{"code":"SRV_ERR_BUSY"}' }),
        confirmScene(signServer(confirmed)),
      ],
      serverState,
    );
    expect((await busy.p).confirmed).toEqual(confirmed);
    busy.net.verify();
    expect(busy.forgotten).toEqual([]);
  });

  it("completion 'server' without a confirm token is refused before any request", async () => {
    const r = run([], state({ size: data.length, completion: 'server' }));
    expect(await r.p.catch((e) => e)).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER', message: expect.stringContaining('confirmToken') });
    r.net.verify();
  });
});

describe('abort', () => {
  it('sends Abort Multipart Upload for the upload id, signed with its key', async () => {
    const net = scriptedTransport([{ expect: { method: 'DELETE', path, query: { uploadId: 'up-1' }, signedBy }, reply: { status: 204 } }]);
    await abortUpload(uploadRequests(net.transport, policy, state()), 'up-1');
    net.verify();
  });

  it('passes on a refusal', async () => {
    const net = scriptedTransport([{ expect: { method: 'DELETE', path }, reply: cosFailure(404, 'NoSuchUpload') }]);
    expect(await abortUpload(uploadRequests(net.transport, policy, state()), 'up-1').catch((e) => e.cosCode)).toBe('NoSuchUpload');
  });
});

describe('the scripted transport', () => {
  it('fails on a request the script does not expect, and on a scene left unplayed', async () => {
    const net = scriptedTransport([{ expect: { method: 'GET', path: '/a' }, reply: { status: 200 } }]);
    await expect(net.transport.send({ method: 'GET', url: 'https://h/b', headers: {} })).rejects.toThrow(
      /unexpected request GET https:\/\/h\/b\n {2}scene 0: path \/b, not \/a/,
    );
    expect(() => net.verify()).toThrow(/unexpected request[\s\S]*scenes not played: GET \/a/);
  });
});

describe('the four steps together (uploadWith)', () => {
  const data = bytes(2 * MiB + 1, 9);
  const plan = planParts(data.length, MiB);
  const etagOf = (n: number) => md5(data.subarray(plan.range(n).start, plan.range(n).end));
  const part = (n: number, reply?: Scene['reply']): Scene => ({
    expect: { method: 'PUT', path, query: { partNumber: String(n), uploadId: 'up-1' }, signedBy },
    reply: reply ?? { status: 200, headers: { etag: `"${etagOf(n)}"` } },
  });
  const options = { signUrl, multipartThreshold: MiB, partSize: MiB, concurrency: 1, retryPolicy: { backoff: { baseMs: 0, maxMs: 0 } } };

  it('initiates, sends the parts, completes and forgets the state; progress ends with every part done', async () => {
    const saved = store();
    const done = `<CompleteMultipartUploadResult><ETag>"e-3"</ETag></CompleteMultipartUploadResult>`;
    const net = scriptedTransport([
      ticketScene(data.length),
      initiateScene(),
      part(1),
      part(2),
      part(3),
      {
        expect: { method: 'POST', path, query: { uploadId: 'up-1' }, signedBy },
        reply: { status: 200, headers: { 'x-cos-hash-crc64ecma': crc(data) }, body: done },
      },
    ]);
    const details: unknown[] = [];
    const result = await uploadWith({ transport: net.transport, resumeStore: saved }, source(data), {
      ...options,
      onProgress: (sent, total, detail) => details.push([sent, total, detail]),
    });
    net.verify();
    expect(result).toMatchObject({
      method: 'multipart',
      key,
      etag: 'e-3',
      size: data.length,
      crc64: crc(data),
      partsUploaded: 3,
      contentType: 'video/mp4',
    });
    expect(saved.states.size).toBe(0);
    expect(details.at(-1)).toEqual([data.length, data.length, { parts: 3, partsDone: 3, partsResumed: 0, resumed: false }]);
  });

  it('on abort: Abort Multipart Upload and the state forgotten; with keepResumeOnAbort neither', async () => {
    for (const keep of [false, true]) {
      const saved = store();
      const controller = new AbortController();
      const scenes: Scene[] = [
        ticketScene(data.length),
        initiateScene(),
        part(1, async () => {
          controller.abort();
          return new CosDirectError('CLIENT_ERR_ABORTED', 'the upload was aborted');
        }),
      ];
      if (!keep) scenes.push({ expect: { method: 'DELETE', path, query: { uploadId: 'up-1' }, signedBy }, reply: { status: 204 } });
      const net = scriptedTransport(scenes);
      const e = await uploadWith({ transport: net.transport, resumeStore: saved }, source(data), {
        ...options,
        signal: controller.signal,
        keepResumeOnAbort: keep,
      }).catch((x) => x);
      expect(e.code).toBe('CLIENT_ERR_ABORTED');
      net.verify();
      expect(saved.states.size, `keep ${keep}`).toBe(keep ? 1 : 0);
    }
  });

  it('a temporary key that expires mid-upload ends it with CLIENT_ERR_TICKET_EXPIRED', async () => {
    const net = scriptedTransport([ticketScene(data.length), initiateScene(), part(1, cosFailure(400, 'ExpiredToken'))]);
    const e = await uploadWith({ transport: net.transport }, source(data), options).catch((x) => x);
    expect(e).toMatchObject({ code: 'CLIENT_ERR_TICKET_EXPIRED', cosCode: 'ExpiredToken' });
    net.verify();
  });
});
