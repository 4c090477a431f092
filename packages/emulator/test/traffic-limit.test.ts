import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostPolicy, signPostPolicy, signRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, raw, REGION, sdk, signed, VHOST, xmlField } from './helpers.js';

const MIN = 819200; // 100 KB/s, COS's lowest limit
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('x-cos-traffic-limit', () => {
  let emu: RunningEmulator;
  let cos: ReturnType<typeof sdk>;
  beforeAll(async () => {
    emu = await emulator();
    cos = sdk(emu);
  });
  afterAll(() => emu.close());

  describe('is validated as COS validates it', () => {
    for (const value of ['819199', '838860801', 'abc', '1e6', '819200.5', '']) {
      it(`refuses "${value}" on PUT, GET (header and query) and POST`, async () => {
        const put = await signed(emu, 'PUT', 'limits/a.bin', { headers: { 'x-cos-traffic-limit': value }, body: 'x' });
        expect(put.status).toBe(400);
        expect(xmlField(put.text, 'Code')).toBe('InvalidArgument');
        expect(xmlField(put.text, 'Reason')).toContain('x-cos-traffic-limit');
        await call(cos, 'putObject', { Key: 'limits/b.bin', Body: 'y' });
        const get = await signed(emu, 'GET', 'limits/b.bin', { headers: { 'x-cos-traffic-limit': value } });
        expect(get.status).toBe(400);
        const query = await signed(emu, 'GET', 'limits/b.bin', { query: { 'x-cos-traffic-limit': value } });
        expect(query.status).toBe(400);
        expect(xmlField(query.text, 'Code')).toBe('InvalidArgument');
        const post = await postForm({ key: 'limits/c.bin', 'x-cos-traffic-limit': value }, Buffer.from('z'));
        expect(post.status).toBe(400);
        expect(xmlField(post.text, 'Code')).toBe('InvalidArgument');
      });
    }

    it('accepts both ends of the range, and answers as without a limit', async () => {
      for (const value of [MIN, 838860800]) {
        const body = randomBytes(2048);
        const put = await signed(emu, 'PUT', `limits/ok-${value}`, { headers: { 'x-cos-traffic-limit': value }, body });
        expect(put.status).toBe(200);
        expect(put.headers.etag).toBe(`"${md5(body)}"`);
        const get = await signed(emu, 'GET', `limits/ok-${value}`, { query: { 'x-cos-traffic-limit': String(value) } });
        expect(get.status).toBe(200);
        expect(get.body.equals(body)).toBe(true);
      }
    });

    it('is read from the official SDK: TrafficLimit on putObject and in a presigned GET URL', async () => {
      const body = randomBytes(4096);
      await call(cos, 'putObject', { Key: 'limits/sdk.bin', Body: body, Headers: { 'x-cos-traffic-limit': 838860800 } });
      const url: string = cos.getObjectUrl(
        { Bucket: BUCKET, Region: REGION, Key: 'limits/sdk.bin', Sign: true, Query: { 'x-cos-traffic-limit': 838860800 } } as never,
        () => undefined,
      ) as never;
      const u = new URL(url);
      const got = await raw(emu.info.cos.http, { headers: { host: VHOST }, path: u.pathname + u.search });
      expect(got.status).toBe(200);
      expect(got.body.equals(body)).toBe(true);
      await expect(
        call(cos, 'putObject', { Key: 'limits/sdk-bad.bin', Body: body, Headers: { 'x-cos-traffic-limit': 100 } }),
      ).rejects.toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
    });
  });

  describe('throttles the transfer itself', () => {
    it('sends a download at the limit: the body is still arriving after its first chunks, in many steps', async () => {
      const body = randomBytes(200 * 1024);
      await call(cos, 'putObject', { Key: 'limits/slow.bin', Body: body });
      const headers: Record<string, string> = { host: VHOST, 'x-cos-traffic-limit': String(MIN) };
      headers.authorization = signRequest(
        { method: 'GET', pathname: '/limits/slow.bin', headers },
        { credentials: emu.info.credentials },
      ).authorization;
      const url = new URL(emu.info.cos.http);
      const seen = await new Promise<{ chunks: number; completeAtFirst: boolean; received: Buffer; ms: number }>((resolve, reject) => {
        const start = performance.now();
        const req = request({ host: url.hostname, port: url.port, path: '/limits/slow.bin', headers }, (res) => {
          const parts: Buffer[] = [];
          let completeAtFirst: boolean | undefined;
          res.on('data', (c: Buffer) => {
            completeAtFirst ??= res.complete;
            parts.push(c);
          });
          res.on('end', () =>
            resolve({
              chunks: parts.length,
              completeAtFirst: completeAtFirst!,
              received: Buffer.concat(parts),
              ms: performance.now() - start,
            }),
          );
        });
        req.on('error', reject);
        req.end();
      });
      expect(seen.received.equals(body)).toBe(true);
      expect(seen.completeAtFirst).toBe(false);
      // A tenth of a second's worth (10 KiB) at a time: 200 KiB cannot come in fewer pieces.
      expect(seen.chunks).toBeGreaterThanOrEqual(10);
      // A lower bound only (a token bucket cannot be beaten; a loaded machine is only ever slower):
      // 200 KiB at 100 KiB/s, less the first tenth of a second's burst.
      expect(seen.ms).toBeGreaterThan(1800);
    });

    it('reads an upload at the limit: the official SDK reports its progress in many steps', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cos-traffic-'));
      const file = join(dir, 'upload.bin');
      // Well beyond what loopback socket buffers take in at once (about 5 MiB), which the client counts as sent.
      const body = randomBytes(16 * 1024 * 1024);
      await writeFile(file, body);
      const steps: number[] = [];
      // The SDK reports progress at most once per ProgressInterval (default 1 s).
      const c = sdk(emu);
      (c as unknown as { options: { ProgressInterval: number } }).options.ProgressInterval = 20;
      await call(c, 'putObject', {
        Key: 'limits/upload.bin',
        Body: createReadStream(file),
        ContentLength: body.length,
        Headers: { 'x-cos-traffic-limit': 64 * 1024 * 1024 }, // 8 MiB/s
        onProgress: (p: { loaded: number }) => steps.push(p.loaded),
      });
      const head = await call(cos, 'headObject', { Key: 'limits/upload.bin' });
      expect(head.ETag).toBe(`"${md5(body)}"`);
      // The SDK reports when its socket drains: the bytes beyond the socket buffers arrive as the emulator
      // reads them, so between nothing and everything there are several reports, not one jump.
      const between = new Set(steps.filter((n) => n > 0 && n < body.length));
      expect(between.size).toBeGreaterThanOrEqual(3);
    });

    it('lets the official SDK pause and restart a sliceUploadFile mid-upload (its pauseTask/restartTask test)', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cos-traffic-'));
      const file = join(dir, 'paused.zip');
      const body = randomBytes(3 * 1024 * 1024);
      await writeFile(file, body);
      const c = sdk(emu);
      let taskId = '';
      let paused = false;
      let restarted = false;
      const done = new Promise<string>((resolve, reject) => {
        const onList = (info: { list: Array<{ id: string; state: string; error?: unknown }> }) => {
          const task = info.list.find((t) => t.id === taskId);
          if (!task || !restarted) return;
          if (task.state === 'success') {
            c.off('list-update', onList as never);
            resolve('success');
          }
          if (task.state === 'error') reject(task.error);
        };
        c.on('list-update', onList as never);
        (c as any).sliceUploadFile(
          {
            Bucket: BUCKET,
            Region: REGION,
            Key: 'limits/paused.zip',
            FilePath: file,
            ChunkSize: 1024 * 1024,
            // 256 KiB/s per part: each part takes seconds, and the SDK reports progress once a second.
            Headers: { 'x-cos-traffic-limit': 2 * 1024 * 1024 },
            onTaskReady: (id: string) => (taskId = id),
            onProgress: (info: { percent: number }) => {
              if (paused || info.percent < 0.1) return;
              paused = true;
              c.pauseTask(taskId);
              setTimeout(() => {
                restarted = true;
                c.restartTask(taskId);
              }, 100);
            },
          },
          (err: unknown) => {
            // The paused run ends here; only a run that finished before the pause would count as done.
            if (!paused) reject(err ?? new Error('the upload finished before it could be paused'));
          },
        );
      });
      expect(await done).toBe('success');
      expect(paused).toBe(true);
      const got = await call(cos, 'getObject', { Key: 'limits/paused.zip' });
      expect(md5(got.Body)).toBe(md5(body));
    });
  });

  /** A POST Object form signed with the root key; fields beyond `key` are not named by its policy. */
  function postForm(fields: Record<string, string> & { key: string }, file: Buffer) {
    const now = Math.floor(Date.now() / 1000);
    const keyTime = `${now - 1};${now + 600}`;
    const credentials = emu.info.credentials;
    const policy = createPostPolicy({ bucket: BUCKET, key: fields.key, expiration: new Date((now + 600) * 1000), credentials, keyTime });
    fields = { ...fields, ...signPostPolicy(policy, { credentials, keyTime }) };
    const boundary = `----cos${randomBytes(8).toString('hex')}`;
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(fields)) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    }
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\n`), file);
    parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
    const body = Buffer.concat(parts);
    return raw(emu.info.cos.http, {
      method: 'POST',
      path: '/',
      headers: { host: VHOST, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
      body,
    });
  }
});
