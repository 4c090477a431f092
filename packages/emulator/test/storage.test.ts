import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@cos-direct/signer';
import { crc64ecma } from '@cos-direct/signer/crc64';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { emulator, signed, VHOST } from './helpers.js';

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
        // Past the first MiB, so the CRC-64 worker holds a share of the abandoned upload too.
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
