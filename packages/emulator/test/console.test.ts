import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAccessAllowed, serveAdmin } from '../src/console/admin.js';
import { RefusalLog } from '../src/diagnostics/refusals.js';
import { RequestLog } from '../src/diagnostics/request-log.js';
import { FaultInjector } from '../src/faults/rules.js';
import { openStores } from '../src/persistence/index.js';
import type { RunningEmulator } from '../src/index.js';
import { emulator, raw, signed, VHOST, xmlField } from './helpers.js';

describe('the console and its endpoints', () => {
  let emu: RunningEmulator;
  let base: string;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
    base = `${emu.info.cos.http}//_emulator/`;
  });
  afterAll(() => emu.close());

  it('serves the console page at //_emulator/console', async () => {
    const res = await fetch(emu.info.admin.console);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<title>cos-emulator console</title>');
  });

  it('sends a browser opening the bare address to the console, and nothing else', async () => {
    const host = new URL(emu.info.cos.http).host;
    const browser = await raw(emu.info.cos.http, { headers: { accept: 'text/html,application/xhtml+xml', host } });
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe(`http://${host}//_emulator/console`);
    // An SDK (no text/html), a signed request, or a bucket's own host get what COS answers.
    const sdkLike = await raw(emu.info.cos.http, { headers: { host } });
    expect([sdkLike.status, xmlField(sdkLike.text, 'Code')]).toEqual([403, 'AccessDenied']);
    const onBucketHost = await raw(emu.info.cos.http, { headers: { accept: 'text/html', host: VHOST } });
    expect(onBucketHost.status).toBe(403);
    const signedGet = await signed(emu, 'GET', '', { host, headers: { accept: 'text/html' } });
    expect(signedGet.status).toBe(200);
    expect(signedGet.text).toContain('<ListBucketResult');
  });

  it('lists buckets, folders and objects with their ETag, CRC-64 and metadata; serves, downloads and deletes them', async () => {
    await signed(emu, 'PUT', 'photos/2026/a.txt', { body: 'hello', headers: { 'content-type': 'text/plain', 'x-cos-meta-owner': 'ann' } });
    await signed(emu, 'PUT', 'photos/b.txt', { body: 'b' });
    await signed(emu, 'PUT', 'top.txt', { body: 't' });
    const buckets = await (await fetch(`${base}api/buckets`)).json();
    expect(buckets.buckets.map((b: { name: string }) => b.name)).toContain('dev-1250000000');
    const root = await (await fetch(`${base}api/objects?bucket=dev-1250000000&prefix=`)).json();
    expect(root.folders).toEqual(['photos/']);
    expect(root.objects.map((o: { key: string }) => o.key)).toEqual(['top.txt']);
    const photos = await (await fetch(`${base}api/objects?bucket=dev-1250000000&prefix=photos/`)).json();
    expect(photos.folders).toEqual(['photos/2026/']);
    const deep = await (await fetch(`${base}api/objects?bucket=dev-1250000000&prefix=photos/2026/`)).json();
    expect(deep.objects[0]).toMatchObject({
      key: 'photos/2026/a.txt',
      size: 5,
      contentType: 'text/plain',
      etag: '5d41402abc4b2a76b9719d911017c592',
      meta: { 'x-cos-meta-owner': 'ann' },
    });
    expect(deep.objects[0].crc64).toMatch(/^\d+$/);
    const object = `${base}api/object?bucket=dev-1250000000&key=${encodeURIComponent('photos/2026/a.txt')}`;
    const got = await fetch(object);
    expect([got.status, await got.text(), got.headers.get('content-type')]).toEqual([200, 'hello', 'text/plain']);
    expect((await fetch(`${object}&download=1`)).headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''a.txt");
    expect((await fetch(object, { method: 'DELETE' })).status).toBe(200);
    expect((await signed(emu, 'GET', 'photos/2026/a.txt')).status).toBe(404);
    const missing = await fetch(object);
    expect([missing.status, (await missing.json()).error.code]).toEqual([404, 'EMU_ERR_ADMIN_NOT_FOUND']);
    expect((await fetch(`${base}api/objects?bucket=nope`)).status).toBe(404);
    expect((await fetch(`${base}api/nothing`)).status).toBe(404);
  });

  it('previews a processing rule on an image object: the image, the JSON, or the refusal with COS’s code', async () => {
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    await signed(emu, 'PUT', 'pics/p.png', { body: png, headers: { 'content-type': 'image/png' } });
    await signed(emu, 'PUT', 'pics/n.png', { body: 'not an image', headers: { 'content-type': 'image/png' } });
    const at = (key: string, rule: string) =>
      fetch(`${base}api/object?bucket=dev-1250000000&key=${key}&process=${encodeURIComponent(rule)}`);
    const thumb = await at('pics/p.png', 'imageMogr2/thumbnail/160x/format/webp');
    expect([thumb.status, thumb.headers.get('content-type'), thumb.headers.get('x-image-width')]).toEqual([200, 'image/webp', '160']);
    expect(await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 160, height: 120 });
    const info = await at('pics/p.png', 'imageInfo');
    expect(await info.json()).toMatchObject({ format: 'png', width: '640', height: '480' });
    const notImage = await at('pics/n.png', 'imageMogr2/thumbnail/10x');
    expect(notImage.status).toBe(400);
    expect((await notImage.json()).error).toMatchObject({ code: 'EMU_ERR_ADMIN_PROCESS', cosCode: 'InvalidArgument' });
    const unknown = await at('pics/p.png', 'imageMogr2/sharpen/1');
    expect(unknown.status).toBe(501);
    expect((await unknown.json()).error).toMatchObject({ code: 'EMU_ERR_ADMIN_PROCESS', cosCode: 'NotImplemented' });
    // Without the parameter the stored bytes are served as before.
    const plain = await fetch(`${base}api/object?bucket=dev-1250000000&key=pics/p.png`);
    expect(Buffer.from(await plain.arrayBuffer()).equals(png)).toBe(true);
  });

  it('pages a folder view through the delimiter listing: each folder once, objects after a marker', async () => {
    const stores = await openStores(undefined);
    const bucket = 'paged-1250000000';
    await stores.metadata.putBucket({ name: bucket, region: 'ap-guangzhou', created: 0, acl: 'private' });
    const put = (key: string) =>
      stores.metadata.putObject({
        bucket,
        key,
        blobId: 'b',
        size: 1,
        etag: 'e',
        crc64: '0',
        lastModified: 0,
        headers: { 'content-type': 'text/plain' },
        meta: {},
        acl: 'default',
        storageClass: 'STANDARD',
      });
    // 1,500 objects in a folder, 1,200 beside it, and folders on either side.
    const top = Array.from({ length: 1200 }, (_, i) => `docs/f${String(i).padStart(4, '0')}.txt`);
    for (const key of top) await put(key);
    for (let i = 0; i < 1500; i++) await put(`docs/big/${i}.txt`);
    await put('docs/a-first/x.txt');
    await put('docs/zz/y.txt');
    await put('other/z.txt');
    const page = async (marker: string) => {
      const query = new URLSearchParams({ bucket, prefix: 'docs/', marker });
      const res = await serveAdmin({ config: emu.config, stores } as never, {
        method: 'GET',
        path: 'api/objects',
        query,
        headers: {},
        ip: '127.0.0.1',
        body: Readable.from([]),
      });
      return JSON.parse(String(res!.body)) as { folders: string[]; objects: { key: string }[]; truncated: boolean; nextMarker?: string };
    };
    const first = await page('');
    expect(first.folders).toEqual(['docs/a-first/', 'docs/big/']);
    expect(first.objects).toHaveLength(998);
    expect([first.truncated, first.nextMarker]).toEqual([true, top[997]]);
    const second = await page(first.nextMarker!);
    expect(second.folders).toEqual(['docs/zz/']);
    expect(second.objects.map((o) => o.key)).toEqual(top.slice(998));
    expect(second.truncated).toBe(false);
    expect(second.nextMarker).toBeUndefined();
  });

  it('streams requests as server-sent events and lists recent ones, without its own calls', async () => {
    const events = await fetch(`${base}events`);
    expect(events.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = events.body!.getReader();
    await signed(emu, 'PUT', 'live.txt', { body: 'live' });
    let text = '';
    while (!text.includes('live.txt')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const event = JSON.parse(/data: (.*live\.txt.*)\n/.exec(text)![1]!);
    expect(event).toMatchObject({ method: 'PUT', key: 'live.txt', operation: 'PutObject', status: 200, identity: { kind: 'root' } });
    const recent = await (await fetch(`${base}requests?limit=50`)).json();
    expect(recent.requests.some((e: { key?: string }) => e.key === 'live.txt')).toBe(true);
    expect(recent.requests.every((e: { admin?: boolean }) => !e.admin)).toBe(true);
  });

  it('opens to loopback, and elsewhere only with the root key as HTTP Basic credentials', async () => {
    const { secretId, secretKey } = emu.config.credentials;
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(adminAccessAllowed('127.0.0.1', undefined, emu.config)).toBe(true);
    expect(adminAccessAllowed('::ffff:127.0.0.1', undefined, emu.config)).toBe(true);
    expect(adminAccessAllowed('::1', undefined, emu.config)).toBe(true);
    expect(adminAccessAllowed('192.168.1.20', undefined, emu.config)).toBe(false);
    expect(adminAccessAllowed('192.168.1.20', basic(`${secretId}:wrong`), emu.config)).toBe(false);
    expect(adminAccessAllowed('192.168.1.20', basic(`${secretId}:${secretKey}`), emu.config)).toBe(true);
  });

  it('answers every admin endpoint and method from elsewhere only with the root key, except health, the CA and refusals', async () => {
    const { secretId, secretKey } = emu.config.credentials;
    const root = `Basic ${Buffer.from(`${secretId}:${secretKey}`).toString('base64')}`;
    const stores = await openStores(undefined);
    const bucket = emu.config.buckets[0]!;
    await stores.metadata.putBucket({ name: bucket, region: emu.config.region, created: 0, acl: 'private' });
    const blob = await stores.blobs.write(Readable.from([Buffer.from('kept')]));
    const keep = { bucket, key: 'keep.txt', blobId: blob.id, size: blob.size, etag: blob.md5, crc64: blob.crc64, lastModified: 0 };
    await stores.metadata.putObject({
      ...keep,
      headers: { 'content-type': 'text/plain' },
      meta: {},
      acl: 'default',
      storageClass: 'STANDARD',
    });
    const faults = new FaultInjector(emu.config.appId);
    const rules = { rules: [{ operation: 'PutObject', status: 503, code: 'SlowDown', count: 1 }] };
    faults.set(rules.rules);
    const deps = { config: emu.config, stores, refusals: new RefusalLog(), requests: new RequestLog(), faults, caCert: 'PEM' };
    const query = { 'api/objects': `bucket=${bucket}`, 'api/object': `bucket=${bucket}&key=keep.txt` } as Record<string, string>;
    const request = async (method: string, path: string, authorization?: string) => {
      const answer = await serveAdmin(deps, {
        method,
        path,
        query: new URLSearchParams(query[path] ?? ''),
        headers: authorization ? { authorization } : {},
        ip: '10.0.0.7',
        body: Readable.from(method === 'PUT' || method === 'POST' ? [Buffer.from(JSON.stringify(rules))] : []),
      });
      // The event stream stays open until its reader leaves.
      if (answer?.body instanceof Readable) answer.body.destroy();
      return answer;
    };
    // Every path the admin endpoints serve, read from their source: a new endpoint joins this walk.
    const source = readFileSync(new URL('../src/console/admin.ts', import.meta.url), 'utf8');
    const served = [...source.slice(source.indexOf('export async function serveAdmin')).matchAll(/case '([^']+)':/g)].map((m) => m[1]!);
    const open = ['health', 'ca.pem', 'refusals'];
    expect(served).toEqual(expect.arrayContaining([...open, 'console', 'requests', 'events', 'faults', 'api/object']));
    const methods = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'];
    for (const path of [...served, '', 'api/unknown']) {
      for (const method of methods) {
        const answer = await request(method, path);
        const read = method === 'GET' || method === 'HEAD';
        if (open.includes(path)) expect(answer?.status, `${method} ${path}`).toBe(read ? 200 : 405);
        else {
          expect(answer?.status, `${method} ${path}`).toBe(401);
          expect(answer?.headers?.['www-authenticate'], `${method} ${path}`).toMatch(/^Basic realm="cos-emulator"/);
          expect(JSON.parse(answer?.body as string).error.code).toBe('EMU_ERR_ADMIN_AUTH');
        }
      }
    }
    // Nothing the refused requests asked for happened.
    expect(faults.list()).toMatchObject([{ operations: ['PutObject'], count: 1 }]);
    expect(stores.metadata.getObject(bucket, 'keep.txt')).toMatchObject({ key: 'keep.txt' });
    // With the root key the same requests are served: the walk above would see a destructive one that ran.
    expect((await request('GET', 'console', root))?.status).toBe(200);
    expect((await request('DELETE', 'faults', root))?.status).toBe(200);
    expect(faults.list()).toEqual([]);
    expect((await request('PUT', 'faults', root))?.status).toBe(200);
    expect(faults.list()).toHaveLength(1);
    expect((await request('DELETE', 'api/object', root))?.status).toBe(200);
    expect(stores.metadata.getObject(bucket, 'keep.txt')).toBeUndefined();
  });
});

describe('admin error codes', () => {
  it('lists every code the admin endpoints answer in the README, and nothing else', async () => {
    const { readFileSync } = await import('node:fs');
    const { ADMIN_ERROR_CODES } = await import('../src/console/admin.js');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = [...readme.slice(readme.indexOf('| admin code |')).matchAll(/^\| `(EMU_ERR_[A-Z_]+)` \| \d{3} \|/gm)].map(
      (m) => m[1],
    );
    const source = readFileSync(new URL('../src/console/admin.ts', import.meta.url), 'utf8');
    const used = new Set([...source.matchAll(/'(EMU_ERR_[A-Z_]+)'/g)].map((m) => m[1]));
    expect(documented.sort()).toEqual([...ADMIN_ERROR_CODES].sort());
    expect([...used].sort()).toEqual([...ADMIN_ERROR_CODES].sort());
  });
});
