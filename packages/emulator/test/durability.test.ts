import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest } from '@cos-direct/signer';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { signed, VHOST, xmlField } from './helpers.js';

// kill -9 of the emulator CLI at chosen points, then a restart on the same data directory: an
// acknowledged write is there, an unacknowledged one is either whole or absent, never partial.

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

interface Process {
  emu: RunningEmulator;
  kill(): Promise<void>;
}

async function launch(dataDir: string): Promise<Process> {
  const child = spawn(process.execPath, [CLI, '--data-dir', dataDir, '--no-https', '--http-port', '0', '--quiet'], {
    env: { ...process.env, COS_EMULATOR_CA_DIR: join(dataDir, '..', 'ca') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<RunningEmulator['info']>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)));
    });
    void exited.then(() => reject(new Error(`the emulator exited before its ready line: ${stderr}`)));
  });
  return {
    emu: { info } as RunningEmulator,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      children.delete(child);
    },
  };
}

/** Starts a PUT, sends `sent` of its `body.length` bytes, and resolves once they left this process. */
function partialPut(emu: RunningEmulator, key: string, body: Buffer, sent: number): Promise<void> {
  const headers = { host: VHOST, 'content-length': body.length };
  const authorization = signRequest({ method: 'PUT', pathname: `/${key}`, headers }, { credentials: emu.info.credentials }).authorization;
  const u = new URL(emu.info.cos.http);
  const req = request({ host: u.hostname, port: u.port, path: `/${key}`, method: 'PUT', headers: { ...headers, authorization } });
  req.on('error', () => undefined);
  return new Promise((resolve) => req.write(body.subarray(0, sent), () => resolve()));
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('kill -9 of the emulator', { timeout: 90_000 }, () => {
  it('keeps every acknowledged PUT, small and large, killed right after the last answer', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-kill-'));
    let p = await launch(dataDir);
    const bodies = [randomBytes(1024), randomBytes(70_000), randomBytes(3 * 1024 * 1024), randomBytes(10)];
    for (const [i, body] of bodies.entries()) expect((await signed(p.emu, 'PUT', `acked/${i}`, { body })).status).toBe(200);
    // An overwrite acknowledged just before the kill replaces the earlier body.
    expect((await signed(p.emu, 'PUT', 'acked/3', { body: bodies[0] })).status).toBe(200);
    await p.kill();

    p = await launch(dataDir);
    for (const [i, body] of bodies.entries()) {
      const get = await signed(p.emu, 'GET', `acked/${i}`);
      expect(get.status, `acked/${i}`).toBe(200);
      expect(md5(get.body)).toBe(md5(i === 3 ? bodies[0]! : body));
    }
    const list = await signed(p.emu, 'GET', '', { query: { prefix: 'acked/' } });
    expect(list.text.match(/<Key>/g)).toHaveLength(4);
    await p.kill();
  });

  it('shows nothing of a body killed mid-transfer and keeps the object it was replacing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-kill-'));
    let p = await launch(dataDir);
    const old = randomBytes(100_000);
    expect((await signed(p.emu, 'PUT', 'mid/replaced.bin', { body: old })).status).toBe(200);
    await partialPut(p.emu, 'mid/new.bin', randomBytes(4 << 20), 2 << 20);
    await partialPut(p.emu, 'mid/replaced.bin', randomBytes(4 << 20), 3 << 20);
    await partialPut(p.emu, 'mid/small.bin', randomBytes(1000), 500);
    // The bytes are with the emulator once one more request has been answered on another connection.
    expect((await signed(p.emu, 'HEAD', 'mid/replaced.bin')).status).toBe(200);
    await p.kill();

    p = await launch(dataDir);
    expect((await signed(p.emu, 'HEAD', 'mid/new.bin')).status).toBe(404);
    expect((await signed(p.emu, 'HEAD', 'mid/small.bin')).status).toBe(404);
    const get = await signed(p.emu, 'GET', 'mid/replaced.bin');
    expect(md5(get.body)).toBe(md5(old));
    const list = await signed(p.emu, 'GET', '', { query: { prefix: 'mid/' } });
    expect(list.text.match(/<Key>[^<]*<\/Key>/g)).toEqual(['<Key>mid/replaced.bin</Key>']);
    // The temporary file of the interrupted uploads is gone; only the kept object's bytes remain.
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    await p.kill();
  });

  it('completes a multipart upload all or nothing, killed right after the answer or mid-request', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-kill-'));
    let p = await launch(dataDir);
    const parts = [randomBytes(1024 * 1024), randomBytes(5000)];
    const uploadParts = async (key: string) => {
      const init = await signed(p.emu, 'POST', key, { query: { uploads: '' } });
      const uploadId = xmlField(init.text, 'UploadId')!;
      const etags: string[] = [];
      for (const [i, body] of parts.entries()) {
        const res = await signed(p.emu, 'PUT', key, { query: { partNumber: String(i + 1), uploadId }, body });
        etags.push(String(res.headers.etag));
      }
      const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      return { uploadId, xml };
    };
    const acked = await uploadParts('mp/acked.bin');
    expect((await signed(p.emu, 'POST', 'mp/acked.bin', { query: { uploadId: acked.uploadId }, body: acked.xml })).status).toBe(200);
    await p.kill();

    p = await launch(dataDir);
    const whole = Buffer.concat(parts);
    expect(md5((await signed(p.emu, 'GET', 'mp/acked.bin')).body)).toBe(md5(whole));
    expect((await signed(p.emu, 'GET', 'mp/acked.bin', { query: { uploadId: acked.uploadId } })).status).toBe(404);
    expect(xmlField((await signed(p.emu, 'GET', '', { query: { uploads: '' } })).text, 'Upload')).toBeUndefined();

    // Complete sent whole, the kill racing its transaction: afterwards one of the two states, nothing between.
    const raced = await uploadParts('mp/raced.bin');
    const sent = signed(p.emu, 'POST', 'mp/raced.bin', { query: { uploadId: raced.uploadId }, body: raced.xml }).catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    await p.kill();
    await sent;
    p = await launch(dataDir);
    const object = await signed(p.emu, 'GET', 'mp/raced.bin');
    const listedParts = await signed(p.emu, 'GET', 'mp/raced.bin', { query: { uploadId: raced.uploadId } });
    if (object.status === 200) {
      expect(md5(object.body)).toBe(md5(whole));
      expect(listedParts.status).toBe(404);
    } else {
      expect(object.status).toBe(404);
      expect(listedParts.text.match(/<PartNumber>/g)).toHaveLength(2);
      // The upload can still be completed after the restart.
      expect((await signed(p.emu, 'POST', 'mp/raced.bin', { query: { uploadId: raced.uploadId }, body: raced.xml })).status).toBe(200);
      expect(md5((await signed(p.emu, 'GET', 'mp/raced.bin')).body)).toBe(md5(whole));
    }
    await p.kill();
  });
  it('keeps every acknowledged version and delete marker, killed right after the last answer', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-kill-'));
    let p = await launch(dataDir);
    const config = '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>';
    expect((await signed(p.emu, 'PUT', '', { query: { versioning: '' }, body: config })).status).toBe(200);
    const bodies = [randomBytes(1000), randomBytes(200_000)];
    const ids: string[] = [];
    for (const body of bodies) ids.push(String((await signed(p.emu, 'PUT', 'v/key', { body })).headers['x-cos-version-id']));
    const marker = String((await signed(p.emu, 'DELETE', 'v/key')).headers['x-cos-version-id']);
    await p.kill();

    p = await launch(dataDir);
    expect((await signed(p.emu, 'HEAD', 'v/key')).headers['x-cos-delete-marker']).toBe('true');
    for (const [i, body] of bodies.entries()) {
      const get = await signed(p.emu, 'GET', 'v/key', { query: { versionId: ids[i]! } });
      expect(md5(get.body)).toBe(md5(body));
    }
    const list = await signed(p.emu, 'GET', '', { query: { versions: '' } });
    expect([...list.text.matchAll(/<VersionId>([^<]*)<\/VersionId>/g)].map((m) => m[1])).toEqual([marker, ids[1], ids[0]]);
    await p.kill();
  });

  it('keeps every acknowledged append, and an append the kill raced is whole or absent', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-kill-'));
    let p = await launch(dataDir);
    const chunks = [randomBytes(100), randomBytes(80_000), randomBytes(2 * 1024 * 1024)];
    let position = 0;
    for (const body of chunks) {
      const res = await signed(p.emu, 'POST', 'append/log.bin', { query: { append: '', position: String(position) }, body });
      expect(res.status).toBe(200);
      position = Number(res.headers['x-cos-next-append-position']);
    }
    await p.kill();

    p = await launch(dataDir);
    const acked = Buffer.concat(chunks);
    const get = await signed(p.emu, 'GET', 'append/log.bin');
    expect(md5(get.body)).toBe(md5(acked));
    expect(get.headers['x-cos-object-type']).toBe('appendable');

    const more = randomBytes(500_000);
    const sent = signed(p.emu, 'POST', 'append/log.bin', { query: { append: '', position: String(position) }, body: more }).catch(
      () => undefined,
    );
    await new Promise((r) => setImmediate(r));
    await p.kill();
    await sent;
    p = await launch(dataDir);
    const after = await signed(p.emu, 'GET', 'append/log.bin');
    expect([md5(acked), md5(Buffer.concat([acked, more]))]).toContain(md5(after.body));
    await p.kill();
  });
});
