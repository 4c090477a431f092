import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { CosDirectError, describeError, getStsDirectSign, getStsMultipart, upload } from '@cos-direct/client/node';
import { signRequest } from '@cos-direct/signer';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, tempDir, type Stack } from '../support/stack.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('Node client → sign server → emulator', () => {
  let s: Stack;
  let dir: string;
  beforeAll(async () => {
    s = await startStack();
    dir = await tempDir('cos-e2e-client-');
  });
  afterAll(() => s.close());

  it('uploads a small file with one PUT, progress ending exactly at the total', async () => {
    const data = randomBytes(200_000);
    const file = join(dir, 'small.jpg');
    await writeFile(file, data);
    const seen: Array<[number, number]> = [];
    const result = await upload(file, { signUrl: s.signUrl, dispatcher: s.dispatcher, onProgress: (a, b) => seen.push([a, b]) });
    expect(result.method).toBe('put');
    expect(result.size).toBe(data.length);
    expect(result.etag).toBe(createHash('md5').update(data).digest('hex'));
    expect(seen.at(-1)).toEqual([data.length, data.length]);
    expect(seen.every(([a, b]) => a <= b && b === data.length)).toBe(true);
    const back = await s.getObject(result.key);
    expect(back.status).toBe(200);
    expect(sha(back.body)).toBe(sha(data));
  });

  it('uploads a big file in parallel parts, byte-identical', async () => {
    const data = randomBytes(12 * MiB + 777);
    const file = join(dir, 'big.bin');
    await writeFile(file, data);
    let last: [number, number] = [0, 0];
    let monotonic = true;
    const result = await upload(file, {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      partSize: 2 * MiB,
      concurrency: 3,
      multipartThreshold: 4 * MiB,
      onProgress: (a, b) => {
        if (a < last[0]) monotonic = false;
        last = [a, b];
      },
    });
    expect(result.method).toBe('multipart');
    expect(result.partsUploaded).toBe(7);
    expect(result.etag).toMatch(/^[0-9a-f]{32}-7$/);
    expect(last).toEqual([data.length, data.length]);
    expect(monotonic).toBe(true);
    expect(sha((await s.getObject(result.key)).body)).toBe(sha(data));
    expect(await s.openUploads()).toEqual([]);
  });

  it('uploads Buffers and Blobs too', async () => {
    const bytes = Buffer.from('buffer source');
    const r1 = await upload(bytes, { signUrl: s.signUrl, dispatcher: s.dispatcher, ext: 'txt' });
    expect((await s.getObject(r1.key)).body.toString()).toBe('buffer source');
    const r2 = await upload(new Blob(['blob source']), { signUrl: s.signUrl, dispatcher: s.dispatcher, name: 'note.txt' });
    expect((await s.getObject(r2.key)).body.toString()).toBe('blob source');
  });

  it('aborts mid-way leaving no object and no open multipart upload', async () => {
    const data = randomBytes(10 * MiB);
    const file = join(dir, 'abort.bin');
    await writeFile(file, data);
    const controller = new AbortController();
    const pending = upload(file, {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      partSize: MiB,
      concurrency: 1,
      multipartThreshold: MiB,
      signal: controller.signal,
      onProgress: (sent) => {
        if (sent > 3 * MiB) controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    expect(await s.openUploads()).toEqual([]);
  });

  it('reports the sign server refusal with its code', async () => {
    const err = await upload(Buffer.from('x'), { signUrl: s.signUrl, dispatcher: s.dispatcher, ext: 'exe' }).catch((e) => e);
    expect(err).toBeInstanceOf(CosDirectError);
    expect(err.code).toBe('CLIENT_ERR_TYPE_NOT_ALLOWED');
    expect(err.serverCode).toBe('SRV_ERR_INVALID_EXTENSION');
    expect(describeError(err)).toBe('The server does not accept .exe files.');
    expect(err.status).toBe(400);
  });

  it('reports a COS refusal with its code and request id', async () => {
    const limited = await startStack({ maxSize: 10 });
    try {
      // A ticket without its maxSize, so that the client sends what COS then refuses.
      const getTicket = async (ext: string) => {
        const { maxSize: _, ...ticket } = await getStsDirectSign(limited.signUrl, ext, { dispatcher: limited.dispatcher });
        return ticket;
      };
      const err = await upload(Buffer.alloc(100), {
        signUrl: limited.signUrl,
        dispatcher: limited.dispatcher,
        getTicket,
        ext: 'bin',
        retries: 0,
      }).catch((e) => e);
      expect(err.code).toBe('CLIENT_ERR_COS');
      expect(err.cosCode).toBe('AccessDenied');
      expect(err.status).toBe(403);
      expect(err.requestId).toBeTruthy();
      expect(err.reason).toContain('cos:content-length');
    } finally {
      await limited.close();
    }
  });
});

/** HEAD of an object with the emulator's root key: its stored Content-Type and length. */
async function head(s: Stack, key: string) {
  const host = new URL(s.emu.info.cos.https!).host;
  const { authorization } = signRequest(
    { method: 'HEAD', pathname: `/${key}`, headers: { host } },
    { credentials: s.emu.info.credentials },
  );
  const res = await request(`https://${host}/${key}`, { method: 'HEAD', headers: { authorization }, dispatcher: s.dispatcher });
  await res.body.dump();
  return { status: res.statusCode, type: res.headers['content-type'], length: Number(res.headers['content-length']) };
}

describe('the sign server completes multipart uploads, and tickets state their limits', () => {
  let s: Stack;
  let dir: string;
  beforeAll(async () => {
    s = await startStack({ maxSize: 8 * MiB });
    dir = await tempDir('cos-e2e-complete-');
  });
  afterAll(() => s.close());

  it('completes a good multipart upload through POST /complete-multipart and returns what the server confirmed', async () => {
    const data = randomBytes(5 * MiB + 3);
    const file = join(dir, 'good.bin');
    await writeFile(file, data);
    const result = await upload(file, { signUrl: s.signUrl, dispatcher: s.dispatcher, partSize: MiB, multipartThreshold: MiB });
    expect(result.method).toBe('multipart');
    expect(result.confirmed).toMatchObject({ key: result.key, size: data.length, kind: 'multipart' });
    expect(result.crc64).toBe(result.confirmed!.crc64);
    expect(sha((await s.getObject(result.key)).body)).toBe(sha(data));
    expect(await s.openUploads()).toEqual([]);
  });

  it('refuses with 413 and aborts a multipart upload whose parts exceed its ticket, leaving nothing open', async () => {
    const data = randomBytes(4 * MiB);
    const file = join(dir, 'over.bin');
    await writeFile(file, data);
    // A client that asks for a ticket smaller than its file (and ignores the ticket's maxSize).
    const getMultipartTicket = async (ext: string) => {
      const { maxSize: _, ...ticket } = await getStsMultipart(s.signUrl, ext, 2 * MiB, { dispatcher: s.dispatcher });
      return ticket;
    };
    const err = await upload(file, {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      getMultipartTicket,
      partSize: MiB,
      multipartThreshold: MiB,
      resume: false,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(CosDirectError);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE', status: 413, serverCode: 'SRV_ERR_UPLOAD_TOO_LARGE' });
    expect(await s.openUploads()).toEqual([]);
  });

  it('refuses a file over MAX_SIZE before sending a byte', async () => {
    const err = await upload(Buffer.alloc(8 * MiB + 1), {
      signUrl: s.signUrl,
      dispatcher: s.dispatcher,
      ext: 'bin',
      multipartThreshold: 16 * MiB,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE' });
  });

  it('stores the file as its own type, so a browser previews it', async () => {
    const result = await upload(randomBytes(1000), { signUrl: s.signUrl, dispatcher: s.dispatcher, ext: 'png' });
    expect(result.contentType).toBe('image/png');
    expect(await head(s, result.key)).toMatchObject({ status: 200, type: 'image/png', length: 1000 });
  });
});

/** A TCP proxy that drops the first `failures` connections, then forwards bytes untouched. */
async function flakyProxy(target: URL, failures: number): Promise<{ server: Server; host: string; accepted: () => number }> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    accepted++;
    if (accepted <= failures) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = server.close.bind(server);
  server.close = ((cb?: () => void) => {
    for (const socket of sockets) socket.destroy();
    return close(cb);
  }) as never;
  return { server, host: `127.0.0.1:${(server.address() as { port: number }).port}`, accepted: () => accepted };
}

describe('retries', () => {
  it('succeeds when the first attempts fail on the network', async () => {
    let proxy!: Awaited<ReturnType<typeof flakyProxy>>;
    // Tickets name a proxy in front of the emulator that drops its first two connections.
    const s = await startStack(async (emu) => {
      proxy = await flakyProxy(new URL(emu.info.cos.https!), 2);
      // No start-up HEAD of the bucket through the proxy: its connections count the upload's attempts.
      return { cosHost: proxy.host, startupChecks: false };
    });
    try {
      const data = randomBytes(50_000);
      const result = await upload(data, {
        signUrl: s.signUrl,
        dispatcher: s.dispatcher,
        ext: 'bin',
        retryPolicy: { backoff: { baseMs: 10, maxMs: 50 } },
      });
      expect(proxy.accepted()).toBeGreaterThanOrEqual(3);
      expect(sha((await s.getObject(result.key)).body)).toBe(sha(data));
    } finally {
      proxy.server.close();
      await s.close();
    }
  });

  it('gives up after the configured retries with a network error', async () => {
    let proxy!: Awaited<ReturnType<typeof flakyProxy>>;
    const s = await startStack(async (emu) => {
      proxy = await flakyProxy(new URL(emu.info.cos.https!), 100);
      // No start-up HEAD of the bucket through the proxy: its connections count the upload's attempts.
      return { cosHost: proxy.host, startupChecks: false };
    });
    try {
      const err = await upload(Buffer.from('x'), {
        signUrl: s.signUrl,
        dispatcher: s.dispatcher,
        ext: 'bin',
        retries: 2,
        retryPolicy: { backoff: { baseMs: 1, maxMs: 5 } },
      }).catch((e) => e);
      expect(err.code).toBe('CLIENT_ERR_NETWORK');
      expect(proxy.accepted()).toBe(3);
    } finally {
      proxy.server.close();
      await s.close();
    }
  });
});
