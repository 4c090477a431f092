import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileResumeStore, upload } from '../src/node.js';
import { undiciTransport } from '../src/transport/undici.js';
import type { ResumeState } from '../src/types.js';
import { uploadWith } from '../src/upload.js';
import { MiB, md5, memorySource, observe, partNumber, pattern, type Stack, stack } from './support/stack.js';

let s: Stack;
let dir: string;
beforeAll(async () => {
  s = await stack();
  dir = await mkdtemp(join(tmpdir(), 'cos-client-node-'));
});
afterAll(async () => {
  await s?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };
let counter = 0;
const unique = (name: string) => join(dir, `${++counter}-${name}`);

async function stored(url: string) {
  const res = await s.root('HEAD', decodeURIComponent(new URL(url).pathname));
  return { status: res.status, etag: (res.headers.etag ?? '').replace(/"/g, ''), length: Number(res.headers['content-length']) };
}

describe('upload() sources', () => {
  it('a file path, as one PUT, with progress up to its size', async () => {
    const path = unique('photo.jpg');
    const data = pattern(300_000, 2);
    await writeFile(path, data);
    const progress: Array<[number, number]> = [];
    const result = await upload(path, { signUrl: s.signUrl, dispatcher: s.dispatcher, onProgress: (a, b) => progress.push([a, b]) });
    expect(result).toMatchObject({ method: 'put', size: data.length, etag: md5(data) });
    expect(result.key).toMatch(/\.jpg$/);
    expect(progress.at(-1)).toEqual([data.length, data.length]);
    expect(progress.every(([a, b], i) => b === data.length && (i === 0 || a >= progress[i - 1]![0]))).toBe(true);
    expect(await stored(result.url)).toMatchObject({ status: 200, etag: md5(data), length: data.length });
  });

  it('a file path, as multipart, read in ranges', async () => {
    const path = unique('clip.mp4');
    const data = pattern(2 * MiB + 100, 3);
    await writeFile(path, data);
    const result = await upload(path, {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      multipartThreshold: MiB,
      partSize: MiB,
      resumeDir: join(dir, 'resume-a'),
      ...fast,
    });
    expect(result).toMatchObject({ method: 'multipart', size: data.length, partsUploaded: 3 });
    expect(await stored(result.url)).toMatchObject({ status: 200, length: data.length });
    // A finished upload leaves no resume state behind.
    expect(await readdir(join(dir, 'resume-a')).catch(() => [])).toEqual([]);
  });

  it('a Buffer, a Uint8Array and a Blob, named through options or the File', async () => {
    const data = pattern(1000, 4);
    const fromBuffer = await upload(Buffer.from(data), { signUrl: s.signUrl, dispatcher: s.dispatcher, name: 'a.jpg' });
    const fromBytes = await upload(data, { signUrl: s.signUrl, dispatcher: s.dispatcher, ext: 'jpg' });
    const fromBlob = await upload(new Blob([data]), { signUrl: s.signUrl, dispatcher: s.dispatcher, name: 'b.jpg' });
    const fromFile = await upload(new File([data], 'c.bin'), { signUrl: s.signUrl, dispatcher: s.dispatcher });
    for (const r of [fromBuffer, fromBytes, fromBlob, fromFile]) expect(r).toMatchObject({ method: 'put', size: 1000, etag: md5(data) });
    expect(fromFile.key).toMatch(/\.bin$/);
  });

  it('a Blob as multipart', async () => {
    const data = pattern(2 * MiB, 5);
    const result = await upload(new Blob([data]), {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      name: 'blob.bin',
      multipartThreshold: MiB,
      partSize: MiB,
      ...fast,
    });
    expect(result).toMatchObject({ method: 'multipart', partsUploaded: 2 });
    expect(await stored(result.url)).toMatchObject({ length: data.length });
  });

  it('a Readable with its size, always as one PUT', async () => {
    const data = pattern(3 * 65536 + 5, 6);
    const result = await upload(Readable.from([data.subarray(0, 70000), data.subarray(70000)]), {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      size: data.length,
      name: 'stream.bin',
      multipartThreshold: 1, // a one-shot stream cannot be cut into retryable parts
    });
    expect(result).toMatchObject({ method: 'put', size: data.length, etag: md5(data) });
  });

  it('refuses sources it cannot read, before asking for a ticket', async () => {
    const opts = { signUrl: 'http://127.0.0.1:9', dispatcher: s.dispatcher };
    const missing = await upload(join(dir, 'nope.jpg'), opts).catch((e) => e);
    expect(missing).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT' });
    expect(missing.message).toContain('cannot read');
    await mkdir(join(dir, 'folder.jpg'));
    expect(await upload(join(dir, 'folder.jpg'), opts).catch((e) => e.message)).toContain('is not a file');
    expect(await upload(Readable.from([]), opts).catch((e) => e.message)).toContain('needs options.size');
    expect(await upload(42 as never, opts).catch((e) => e.code)).toBe('CLIENT_ERR_INVALID_ARGUMENT');
    expect(await upload(new Uint8Array(1), opts).catch((e) => e.message)).toContain('pass options.ext');
  });

  it('refuses a source of unknown size', async () => {
    const err = await uploadWith(
      { transport: undiciTransport() },
      { ...memorySource(new Uint8Array(0)), size: Number.NaN },
      {
        signUrl: s.signUrl,
      },
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT' });
  });
});

describe('one-shot streams', () => {
  it('are not sent twice: a retryable failure of the first attempt is final', async () => {
    let used = false;
    const source = {
      size: 3,
      name: 's.bin',
      repeatable: false,
      slice: () => {
        if (used) throw new Error('read twice');
        used = true;
        return new Uint8Array(3);
      },
    };
    const o = observe(s.transport, async (req, send) =>
      req.method === 'PUT' ? { status: 503, headers: {}, text: '<Error><Code>ServiceUnavailable</Code></Error>' } : send(),
    );
    const err = await uploadWith({ transport: o.transport }, source, { signUrl: s.signUrl, ...fast }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT' });
    expect(err.message).toContain('cannot be re-sent');
    expect(o.find((r) => r.method === 'PUT')).toHaveLength(1);
  });
});

describe('fileResumeStore', () => {
  const state: ResumeState = {
    version: 1,
    cosHost: 'h',
    cosKey: 'k',
    cosUrl: 'https://h/k',
    uploadId: 'u',
    partSize: MiB,
    size: 10,
    credentials: { tmpSecretId: 'a', tmpSecretKey: 'b', sessionToken: 'c' },
    expiredTime: 1,
    contentType: 'application/octet-stream',
  };

  it('keeps one file per upload, readable by the owner only, and forgets it on delete', async () => {
    const where = join(dir, 'store-1', 'nested');
    const store = fileResumeStore(where);
    expect(await store.get('id-1')).toBeUndefined();
    await store.set('id-1', state);
    await store.set('id-2', { ...state, uploadId: 'v' });
    expect(await store.get('id-1')).toEqual(state);
    expect((await store.get('id-2'))!.uploadId).toBe('v');
    const files = await readdir(where);
    expect(files).toHaveLength(2);
    expect(files.every((f) => /^[0-9a-f]{64}\.json$/.test(f))).toBe(true);
    expect((await stat(join(where, files[0]!))).mode & 0o777).toBe(0o600);
    expect((await stat(where)).mode & 0o777).toBe(0o700);
    await store.delete('id-1');
    await store.delete('id-1');
    expect(await store.get('id-1')).toBeUndefined();
    expect(await readdir(where)).toHaveLength(1);
  });

  it('ignores a state file it cannot read or of another version', async () => {
    const where = join(dir, 'store-2');
    const store = fileResumeStore(where);
    await store.set('a', state);
    const [first] = await readdir(where);
    await writeFile(join(where, first!), '{ not json');
    await store.set('b', { ...state, version: 2 as 1 });
    expect(await readdir(where)).toHaveLength(2);
    const got = await Promise.all([store.get('a'), store.get('b')]);
    expect(got.filter((g) => g !== undefined)).toEqual([]);
  });

  it('lets upload() resume the interrupted upload of the same file', async () => {
    const path = unique('resume.bin');
    const data = pattern(3 * MiB + 1, 8);
    await writeFile(path, data);
    await utimes(path, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const resumeDir = join(dir, 'resume-b');
    const info = await stat(path);
    // The state a run of upload() that stopped after two parts leaves behind (a file's identity is
    // its path, size and modification time).
    const identity = `file:${path}|${info.size}|${info.mtimeMs}`;
    const first = observe(s.transport, async (req, send) =>
      partNumber(req) === 3 ? { status: 403, headers: {}, text: '<Error><Code>AccessDenied</Code></Error>' } : send(),
    );
    const firstError = await uploadWith(
      { transport: first.transport, resumeStore: fileResumeStore(resumeDir) },
      memorySource(data, 'resume.bin', identity),
      { signUrl: s.signUrl, multipartThreshold: MiB, partSize: MiB, concurrency: 1, ...fast },
    ).catch((e) => e);
    expect(firstError).toMatchObject({
      code: 'CLIENT_ERR_COS',
      status: 403,
      cosCode: 'AccessDenied',
      message: expect.stringContaining('Upload Part 3'),
    });
    expect(first.partsSent()).toEqual([1, 2, 3]);
    const [file] = await readdir(resumeDir);
    const saved = JSON.parse(await readFile(join(resumeDir, file!), 'utf8')) as ResumeState;

    const progress: number[] = [];
    const result = await upload(path, {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      multipartThreshold: MiB,
      partSize: MiB,
      resumeDir,
      onProgress: (sent) => progress.push(sent),
      ...fast,
    });
    expect(result).toMatchObject({ method: 'multipart', key: saved.cosKey, partsUploaded: 2 });
    expect(progress[0]).toBe(2 * MiB);
    expect(await readdir(resumeDir)).toEqual([]);
    expect(await stored(result.url)).toMatchObject({ status: 200, length: data.length });
  });
});

describe('the undici transport', () => {
  it('reports a refused connection as a network error naming the origin and the code', async () => {
    const closed = await stack();
    const url = `${closed.emu.info.cos.http}/x`;
    await closed.close();
    const err = await undiciTransport()
      .send({ method: 'GET', url, headers: {} })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_NETWORK' });
    expect(err.message).toContain(`GET ${new URL(url).origin}`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.cause).toBeDefined();
  });

  it('reports an aborted request as CLIENT_ERR_ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await s.transport
      .send({ method: 'PUT', url: `${s.emu.info.cos.https}/x`, headers: {}, body: new Uint8Array(10), signal: controller.signal })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
  });

  it('refuses a body it cannot stream', async () => {
    const err = await s.transport.send({ method: 'PUT', url: `${s.emu.info.cos.https}/x`, headers: {}, body: 'text' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT', message: 'unsupported request body' });
  });

  it('measures what it sent: size, CRC-64 and MD5, and lower-cases response headers', async () => {
    const data = pattern(200_000, 9);
    const res = await s.transport.send({ method: 'PUT', url: `${s.emu.info.cos.https}/x`, headers: {}, body: data });
    expect(res.sent).toMatchObject({ size: data.length, md5: md5(data) });
    expect(res.status).toBe(403); // anonymous PUT
    expect(Object.keys(res.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(res.headers['x-cos-request-id']).toBeTruthy();
  });
});
