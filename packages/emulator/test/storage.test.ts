import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, mkdtemp, open as openFile, readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@cos-direct/signer';
import { crc64ecma } from '@cos-direct/signer/crc64';
import type { RootDatabaseOptionsWithPath } from 'lmdb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RunningEmulator, resolveConfig } from '../src/index.js';
import {
  type BlobStore,
  INLINE_LIMIT,
  listGrouped,
  MemoryBlobStore,
  MemoryMetadataStore,
  type ObjectRecord,
  openStores,
  type PartRecord,
  type Stores,
  type UploadRange,
  type UploadRecord,
} from '../src/persistence/index.js';
import { emulator, signed, VHOST } from './helpers.js';

/** The options each LMDB environment is opened with: whether LMDB syncs its commits is decided there. */
const lmdbOpened: RootDatabaseOptionsWithPath[] = [];
vi.mock('lmdb', async (importOriginal) => {
  const lmdb = await importOriginal<typeof import('lmdb')>();
  return {
    ...lmdb,
    open: (...args: Parameters<typeof lmdb.open>) => {
      if (typeof args[0] === 'object') lmdbOpened.push(args[0]);
      return lmdb.open(...args);
    },
  };
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out;
}

for (const kind of ['memory', 'filesystem'] as const) {
  describe(`storage (${kind})`, () => {
    const running: RunningEmulator[] = [];
    afterEach(async () => {
      await Promise.all(running.splice(0).map((e) => e.close()));
    });
    const start = async (dataDir?: string) => {
      const emu = await emulator({
        httpsPort: false,
        dataDir: kind === 'filesystem' ? (dataDir ?? (await mkdtemp(join(tmpdir(), 'cos-data-')))) : undefined,
      });
      running.push(emu);
      return emu;
    };

    it('leaves nothing visible when an upload is interrupted', async () => {
      const emu = await start();
      const total = 4 * 1024 * 1024;
      const headers = { host: VHOST, 'content-length': total };
      const auth = signRequest({ method: 'PUT', pathname: '/partial.bin', headers }, { credentials: emu.info.credentials }).authorization;
      await new Promise<void>((resolve) => {
        const u = new URL(emu.info.cos.http);
        const req = request({
          host: u.hostname,
          port: u.port,
          path: '/partial.bin',
          method: 'PUT',
          headers: { ...headers, authorization: auth },
        });
        req.on('error', () => resolve());
        // Past the first MiB, so the hashing workers hold a share of the abandoned upload too.
        req.write(randomBytes(2 * 1024 * 1024), () => {
          setTimeout(() => {
            req.destroy();
            setTimeout(resolve, 200);
          }, 50);
        });
      });
      const head = await signed(emu, 'HEAD', 'partial.bin');
      expect(head.status).toBe(404);
    });

    it('reports the MD5 and CRC-64 of bodies of any size, several hashed at once', async () => {
      const emu = await start();
      const mib = 1024 * 1024;
      const sizes = [0, 1, mib - 1, mib, mib + 1, 9 * mib + 7, 3 * mib];
      const bodies = sizes.map((n) => randomBytes(n));
      const results = await Promise.all(bodies.map((body, i) => signed(emu, 'PUT', `sizes/${i}.bin`, { body })));
      results.forEach((r, i) => {
        expect(r.status, `size ${sizes[i]}`).toBe(200);
        expect(r.headers.etag).toBe(`"${createHash('md5').update(bodies[i]!).digest('hex')}"`);
        expect(r.headers['x-cos-hash-crc64ecma'], `size ${sizes[i]}`).toBe(crc64ecma(bodies[i]!));
      });
      const head = await signed(emu, 'HEAD', 'sizes/5.bin');
      expect(head.headers['x-cos-hash-crc64ecma']).toBe(crc64ecma(bodies[5]!));
    });

    it('ends concurrent PUTs to one key with exactly one whole body', async () => {
      const emu = await start();
      const bodies = Array.from({ length: 6 }, (_, i) => Buffer.alloc(256 * 1024, i + 1));
      const results = await Promise.all(bodies.map((body) => signed(emu, 'PUT', 'race.bin', { body })));
      for (const r of results) expect(r.status).toBe(200);
      const get = await signed(emu, 'GET', 'race.bin');
      expect(bodies.some((b) => b.equals(get.body))).toBe(true);
    });

    it('keeps any key inside the data directory', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'cos-data-'));
      const emu = await start(dataDir);
      for (const key of ['../../escape.txt', '..%2F..%2Fescape2.txt', '/etc/passwd', 'a/../../b', '\u0000nul']) {
        const res = await signed(emu, 'PUT', key, { body: 'x' });
        expect([200, 400]).toContain(res.status);
      }
      if (kind === 'filesystem') {
        for (const file of await listFiles(dataDir)) expect(file.startsWith(dataDir)).toBe(true);
        const names = (await listFiles(dataDir)).map((f) => f.slice(dataDir.length));
        expect(names.some((n) => n.includes('escape') || n.includes('passwd'))).toBe(false);
      }
    });

    if (kind === 'filesystem') {
      it('keeps objects, metadata, buckets and temporary keys across a restart', async () => {
        const dataDir = await mkdtemp(join(tmpdir(), 'cos-data-'));
        const first = await start(dataDir);
        const body = randomBytes(100_000);
        expect(
          (await signed(first, 'PUT', 'keep/me.bin', { body, headers: { 'content-type': 'image/png', 'x-cos-meta-x': 'y' } })).status,
        ).toBe(200);
        expect((await signed(first, 'PUT', '', { host: `second-1250000000.cos.ap-guangzhou.myqcloud.com` })).status).toBe(200);
        await first.close();
        running.splice(running.indexOf(first), 1);
        const second = await start(dataDir);
        const get = await signed(second, 'GET', 'keep/me.bin');
        expect(get.status).toBe(200);
        expect(get.body.equals(body)).toBe(true);
        expect(get.headers['content-type']).toBe('image/png');
        expect(get.headers['x-cos-meta-x']).toBe('y');
        expect((await signed(second, 'HEAD', '', { host: `second-1250000000.cos.ap-guangzhou.myqcloud.com` })).status).toBe(200);
      });
    }
  });
}

// The store contract, run against both implementations: the same records in, the same pages out.
const kinds = {
  memory: async () => ({ metadata: new MemoryMetadataStore(), blobs: new MemoryBlobStore(), dataDir: undefined }),
  lmdb: async (dataDir?: string) => {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'cos-lmdb-')));
    return { ...(await openStores(dir)), dataDir: dir };
  },
};

const object = (key: string, blobId = 'b'.repeat(32)): ObjectRecord => ({
  bucket: 'dev-1250000000',
  key,
  blobId,
  size: 1,
  etag: 'e',
  crc64: '0',
  lastModified: 0,
  headers: { 'content-type': 'text/plain' },
  meta: {},
  acl: 'default',
  storageClass: 'STANDARD',
});
const upload = (key: string, uploadId: string): UploadRecord => ({
  bucket: 'dev-1250000000',
  key,
  uploadId,
  initiated: 0,
  headers: { 'content-type': 'text/plain' },
  meta: {},
  acl: 'default',
  storageClass: 'STANDARD',
});
const part = (uploadId: string, partNumber: number, blobId = 'c'.repeat(32)): PartRecord => ({
  uploadId,
  partNumber,
  blobId,
  size: 1,
  etag: 'e',
  crc64: '0',
  lastModified: 0,
});
const B = 'dev-1250000000';
async function blobOf(blobs: BlobStore, body: Buffer) {
  return blobs.write(
    (async function* () {
      yield body;
    })(),
  );
}
async function bytesOf(blobs: BlobStore, id: string) {
  const chunks: Buffer[] = [];
  for await (const c of blobs.read(id)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

for (const [kind, open] of Object.entries(kinds)) {
  describe(`stores (${kind})`, () => {
    const opened: Stores[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) {
        await s.metadata.close();
        await s.blobs.close();
      }
    });
    const start = async (dataDir?: string) => {
      const s = await open(dataDir);
      opened.push(s);
      return s;
    };
    const close = async (s: Stores) => {
      opened.splice(opened.indexOf(s), 1);
      await s.metadata.close();
      await s.blobs.close();
    };

    it('lists keys in UTF-8 binary order, by prefix and above a marker', async () => {
      const { metadata } = await start();
      // UTF-16 order would put the emoji (a surrogate pair) before U+FF5E; UTF-8 puts it after.
      const keys = ['b', 'a/2', 'a/1', '\u{1F600}', '\uFF5E', 'a', 'a\u0000z', 'a\u0001', 'ab'];
      for (const k of keys) await metadata.putObject(object(k));
      const all = [...metadata.listObjects(B)].map((o) => o.key);
      expect(all).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
      expect(all.indexOf('\uFF5E')).toBeLessThan(all.indexOf('\u{1F600}'));
      expect([...metadata.listObjects(B, { prefix: 'a/' })].map((o) => o.key)).toEqual(['a/1', 'a/2']);
      expect([...metadata.listObjects(B, { after: 'a/1' })].map((o) => o.key)[0]).toBe('a/2');
      expect([...metadata.listObjects(B, { after: 'a', skipDescendants: true })].map((o) => o.key)).toEqual(['b', '\uFF5E', '\u{1F600}']);
      expect([...metadata.listObjects('other-1250000000')]).toEqual([]);
    });

    it('pages with delimiter, marker and max, each common prefix once', async () => {
      const { metadata } = await start();
      for (const k of ['a/1', 'a/2', 'a/3', 'b', 'c/x/1', 'c/y', 'd']) await metadata.putObject(object(k));
      const page = (options: { prefix?: string; delimiter?: string; max?: number; after?: string }) => {
        const p = listGrouped(
          (r) => metadata.listObjects(B, r),
          (o) => o.key,
          {
            prefix: options.prefix ?? '',
            delimiter: options.delimiter ?? '',
            max: options.max ?? 1000,
            ...(options.after ? { after: options.after } : {}),
          },
        );
        return { truncated: p.truncated, names: p.entries.map((e) => ('item' in e ? e.item.key : `[${e.commonPrefix}]`)) };
      };
      expect(page({ delimiter: '/' })).toEqual({ truncated: false, names: ['[a/]', 'b', '[c/]', 'd'] });
      expect(page({ delimiter: '/', max: 2 })).toEqual({ truncated: true, names: ['[a/]', 'b'] });
      expect(page({ delimiter: '/', after: 'b' })).toEqual({ truncated: false, names: ['[c/]', 'd'] });
      expect(page({ prefix: 'c/', delimiter: '/' })).toEqual({ truncated: false, names: ['[c/x/]', 'c/y'] });
      expect(page({ max: 3 })).toEqual({ truncated: true, names: ['a/1', 'a/2', 'a/3'] });
      expect(page({ max: 0 })).toEqual({ truncated: true, names: [] });
      expect(page({ prefix: 'zz', max: 0 })).toEqual({ truncated: false, names: [] });
    });

    it('lists uploads by key, then id, with key and upload-id markers; parts in order above a marker', async () => {
      const { metadata } = await start();
      await metadata.putUpload(upload('k', '2'));
      await metadata.putUpload(upload('k', '1'));
      await metadata.putUpload(upload('k\u0000', '0'));
      await metadata.putUpload(upload('j', '9'));
      const ids = (r?: UploadRange) => [...metadata.listUploads(B, r)].map((u) => `${u.key}#${u.uploadId}`);
      expect(ids()).toEqual(['j#9', 'k#1', 'k#2', 'k\u0000#0']);
      expect(ids({ after: 'k' })).toEqual(['k\u0000#0']);
      expect(ids({ after: 'k', afterUploadId: '1' })).toEqual(['k#2', 'k\u0000#0']);
      expect(ids({ prefix: 'k', after: 'k', skipDescendants: true })).toEqual([]);
      expect(metadata.getUpload('2')?.key).toBe('k');
      for (const n of [3, 1, 10000, 2]) expect((await metadata.putPart(part('2', n))).stored).toBe(true);
      expect([...metadata.listParts('2')].map((p) => p.partNumber)).toEqual([1, 2, 3, 10000]);
      expect([...metadata.listParts('2', 2)].map((p) => p.partNumber)).toEqual([3, 10000]);
      expect([...metadata.listParts('1')]).toEqual([]);
      expect(await metadata.putPart(part('nope', 1))).toEqual({ stored: false });
      const removed = await metadata.deleteUpload('2');
      expect(removed.map((p) => p.partNumber)).toEqual([1, 2, 3, 10000]);
      expect(metadata.getUpload('2')).toBeUndefined();
      expect([...metadata.listParts('2')]).toEqual([]);
      expect(await metadata.deleteUpload('2')).toEqual([]);
    });

    it('completes an upload all or nothing', async () => {
      const { metadata } = await start();
      await metadata.putObject(object('done.bin', 'a'.repeat(32)));
      await metadata.putUpload(upload('done.bin', '7'));
      await metadata.putPart(part('7', 1, '1'.repeat(32)));
      await metadata.putPart(part('7', 2, '2'.repeat(32)));
      const completion = await metadata.completeUpload('7', object('done.bin', 'd'.repeat(32)));
      expect(completion?.previous?.blobId).toBe('a'.repeat(32));
      expect(completion?.parts.map((p) => p.blobId)).toEqual(['1'.repeat(32), '2'.repeat(32)]);
      expect(metadata.getObject(B, 'done.bin')?.blobId).toBe('d'.repeat(32));
      expect(metadata.getUpload('7')).toBeUndefined();
      expect([...metadata.listParts('7')]).toEqual([]);
      expect([...metadata.listUploads(B)]).toEqual([]);
      // A second Complete (or one after an Abort) changes nothing.
      expect(await metadata.completeUpload('7', object('done.bin', 'e'.repeat(32)))).toBeUndefined();
      expect(metadata.getObject(B, 'done.bin')?.blobId).toBe('d'.repeat(32));
    });

    it('answers markers, prefixes and ids longer than any key without failing', async () => {
      const { metadata } = await start();
      const key = 'k'.repeat(850);
      await metadata.putObject(object(key));
      await metadata.putUpload(upload(key, '1'));
      const long = 'k'.repeat(3000);
      expect([...metadata.listObjects(B, { prefix: long })]).toEqual([]);
      expect([...metadata.listObjects(B, { after: long })]).toEqual([]);
      expect([...metadata.listObjects(B, { after: 'k'.repeat(849) })].map((o) => o.key)).toEqual([key]);
      expect([...metadata.listUploads(B, { after: long })]).toEqual([]);
      expect([...metadata.listUploads(B, { after: key, afterUploadId: '0'.repeat(3000) })].map((u) => u.uploadId)).toEqual(['1']);
      expect(metadata.getUpload('9'.repeat(5000))).toBeUndefined();
      expect(metadata.getObject(B, long)).toBeUndefined();
      expect(metadata.getBucket('b'.repeat(3000))).toBeUndefined();
    });

    it('replaces and deletes records, returning what was replaced; buckets by name', async () => {
      const { metadata } = await start();
      expect(await metadata.putObject(object('x', '1'.repeat(32)))).toBeUndefined();
      expect((await metadata.putObject(object('x', '2'.repeat(32))))?.blobId).toBe('1'.repeat(32));
      expect((await metadata.deleteObject(B, 'x'))?.blobId).toBe('2'.repeat(32));
      expect(await metadata.deleteObject(B, 'x')).toBeUndefined();
      await metadata.putBucket({ name: 'b-1250000000', region: 'r', created: 0, acl: 'private' });
      await metadata.putBucket({ name: 'a-1250000000', region: 'r', created: 0, acl: 'private' });
      expect(metadata.listBuckets().map((b) => b.name)).toEqual(['a-1250000000', 'b-1250000000']);
      await metadata.deleteBucket('a-1250000000');
      expect(metadata.getBucket('a-1250000000')).toBeUndefined();
    });

    it('stores small and large bodies, and concatenates them', async () => {
      const { blobs, metadata } = await start();
      const small = randomBytes(1000);
      const large = randomBytes(200_000);
      const a = await blobOf(blobs, small);
      const b = await blobOf(blobs, large);
      expect(a.md5).toBe(createHash('md5').update(small).digest('hex'));
      expect(b.size).toBe(200_000);
      await metadata.putObject(object('small', a.id));
      await metadata.putObject(object('large', b.id));
      expect((await bytesOf(blobs, a.id)).equals(small)).toBe(true);
      expect((await bytesOf(blobs, b.id)).equals(large)).toBe(true);
      const c = await blobs.concat([a.id, b.id]);
      expect(c.md5).toBe(
        createHash('md5')
          .update(Buffer.concat([small, large]))
          .digest('hex'),
      );
      const ranged: Buffer[] = [];
      for await (const chunk of blobs.read(a.id, { start: 10, end: 19 })) ranged.push(chunk as Buffer);
      expect(Buffer.concat(ranged).equals(small.subarray(10, 20))).toBe(true);
      // A small body also comes as one buffer (whole or a range), the same bytes before and after its
      // record commits; a large one only as a stream.
      const pending = await blobOf(blobs, small);
      expect(blobs.readSmall?.(pending.id)?.equals(small)).toBe(true);
      await metadata.putObject(object('pending', pending.id));
      expect(blobs.readSmall?.(pending.id)?.equals(small)).toBe(true);
      expect(blobs.readSmall?.(a.id, { start: 10, end: 19 })?.equals(small.subarray(10, 20))).toBe(true);
      expect(blobs.readSmall?.(b.id)).toBeUndefined();
    });

    if (kind === 'lmdb') {
      it('keeps small bodies in the database and large ones as files; sweeps only what no record names', async () => {
        const s = await start();
        const dataDir = s.dataDir!;
        const small = await blobOf(s.blobs, Buffer.alloc(INLINE_LIMIT - 1, 1));
        const large = await blobOf(s.blobs, Buffer.alloc(INLINE_LIMIT, 2));
        const uncommitted = await blobOf(s.blobs, Buffer.alloc(INLINE_LIMIT + 5, 3));
        const released = await blobOf(s.blobs, Buffer.alloc(INLINE_LIMIT + 6, 4));
        await s.metadata.putObject(object('small', small.id));
        await s.metadata.putObject(object('large', large.id));
        await s.metadata.putObject(object('released', released.id));
        // Released in the database, but the process stops before it removes the file.
        await s.metadata.putObject(object('released', small.id.replace('i', 'j')));
        const files = async () => (await listFiles(join(dataDir, 'blobs'))).map((f) => f.slice(-32)).sort();
        expect(await files()).toEqual([large.id, uncommitted.id, released.id].sort());
        await close(s);

        const again = await start(dataDir);
        expect(await files()).toEqual([large.id]);
        expect((await bytesOf(again.blobs, small.id)).equals(Buffer.alloc(INLINE_LIMIT - 1, 1))).toBe(true);
        expect((await bytesOf(again.blobs, large.id)).equals(Buffer.alloc(INLINE_LIMIT, 2))).toBe(true);
        // Deleting releases an inline body with its record: nothing remains to read.
        const previous = await again.metadata.deleteObject(B, 'small');
        await again.blobs.delete(previous!.blobId);
        expect(() => again.blobs.read(small.id)).toThrow(/missing/);
      });

      it('with fsync, flushes small and large bodies and their records before answering', async () => {
        // What reaches the disk cannot be seen from here; what the store asks of the OS and of LMDB can.
        const probe = await openFile(tmpdir(), 'r');
        const FileHandle = Object.getPrototypeOf(probe) as { sync(this: FileHandle): Promise<void> };
        await probe.close();
        const realSync = FileHandle.sync;
        const synced: string[] = [];
        const sync = vi.spyOn(FileHandle, 'sync').mockImplementation(async function (this: FileHandle) {
          synced.push((await this.stat()).isDirectory() ? 'directory' : 'file');
          return realSync.call(this);
        });
        lmdbOpened.length = 0;
        try {
          const store = async (fsync: boolean) => {
            const dataDir = await mkdtemp(join(tmpdir(), 'cos-fsync-'));
            const s = await openStores(dataDir, { fsync });
            opened.push(s);
            synced.length = 0;
            const small = await blobOf(s.blobs, Buffer.from('small'));
            const afterSmall = [...synced];
            const large = await blobOf(s.blobs, Buffer.alloc(INLINE_LIMIT * 2, 5));
            const afterLarge = [...synced];
            await s.metadata.putObject(object('small', small.id));
            await s.metadata.putObject(object('large', large.id));
            await close(s);
            const lmdb = lmdbOpened.find((o) => o.path?.startsWith(dataDir));
            return { dataDir, small: afterSmall, large: afterLarge, noSync: lmdb?.noSync, overlappingSync: lmdb?.overlappingSync };
          };
          const flushed = await store(true);
          // A small body is committed with its record by LMDB, which syncs every commit before it resolves;
          // a large one is a file, flushed before it is renamed into place and its directory after.
          expect(flushed).toMatchObject({ small: [], large: ['file', 'directory'], noSync: false, overlappingSync: false });
          const again = await start(flushed.dataDir);
          expect((await bytesOf(again.blobs, again.metadata.getObject(B, 'small')!.blobId)).toString()).toBe('small');
          expect((await bytesOf(again.blobs, again.metadata.getObject(B, 'large')!.blobId)).length).toBe(INLINE_LIMIT * 2);
          // Without fsync nothing is flushed: the spies above would see it if it were.
          expect(await store(false)).toMatchObject({ small: [], large: [], noSync: true });
        } finally {
          sync.mockRestore();
        }
        expect(() => resolveConfig({ fsync: 'yes' as never })).toThrow(/fsync must be true or false/);
      });

      it('imports a data directory of the JSON layout once and moves it aside', async () => {
        const dataDir = await mkdtemp(join(tmpdir(), 'cos-json-'));
        const write = async (kind: string, name: string, record: unknown) => {
          await mkdir(join(dataDir, 'meta', kind), { recursive: true });
          await writeFile(join(dataDir, 'meta', kind, `${name}.json`), JSON.stringify(record));
        };
        const blobFile = async (id: string, body: string) => {
          await mkdir(join(dataDir, 'blobs', id.slice(0, 2)), { recursive: true });
          await writeFile(join(dataDir, 'blobs', id.slice(0, 2), id), body);
        };
        const [kept, partOfDone, partOfOpen, stray] = ['a1', 'b2', 'c3', 'd4'].map((p) => p.repeat(16));
        await write('buckets', 'b', { name: B, region: 'ap-guangzhou', created: 0, acl: 'private' });
        await write('objects', 'o1', { ...object('kept.txt', kept), completedUploadId: 'done' });
        await write('objects', 'o2', object('other.txt', kept));
        await write('uploads', 'u1', upload('kept.txt', 'done'));
        await write('uploads', 'u2', upload('open.txt', 'open'));
        await write('parts', 'p1', part('done', 1, partOfDone));
        await write('parts', 'p2', part('open', 1, partOfOpen));
        await writeFile(join(dataDir, 'meta', 'objects', 'torn.json'), '{"bucket":');
        for (const id of [kept, partOfDone, partOfOpen, stray]) await blobFile(id!, id!);

        const s = await start(dataDir);
        expect(s.metadata.getBucket(B)?.region).toBe('ap-guangzhou');
        expect([...s.metadata.listObjects(B)].map((o) => o.key)).toEqual(['kept.txt', 'other.txt']);
        expect(s.metadata.getObject(B, 'kept.txt')?.completedUploadId).toBeUndefined();
        expect([...s.metadata.listUploads(B)].map((u) => u.uploadId)).toEqual(['open']);
        expect([...s.metadata.listParts('open')].map((p) => p.blobId)).toEqual([partOfOpen]);
        expect((await bytesOf(s.blobs, kept!)).toString()).toBe(kept);
        const names = await readdir(dataDir);
        expect(names).not.toContain('meta');
        expect(names.some((n) => n.startsWith('meta.imported-'))).toBe(true);
        const files = (await listFiles(join(dataDir, 'blobs'))).map((f) => f.slice(-32)).sort();
        expect(files).toEqual([kept, partOfOpen].sort());
        await close(s);
        const again = await start(dataDir);
        expect([...again.metadata.listObjects(B)]).toHaveLength(2);
      });
    }
  });
}
