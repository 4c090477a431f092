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
import { CRASH_POINTS, type CrashPoint } from '../src/persistence/crash-points.js';
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
  /** Resolves with the signal that ended the process. */
  exited: Promise<NodeJS.Signals | null>;
}

async function launch(dataDir: string, crashAt?: CrashPoint): Promise<Process> {
  const child = spawn(process.execPath, [CLI, '--data-dir', dataDir, '--no-https', '--http-port', '0', '--quiet'], {
    env: { ...process.env, COS_EMULATOR_CA_DIR: join(dataDir, '..', 'ca'), COS_EMULATOR_CRASH_AT: crashAt ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
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
    exited,
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

/** Blob files under blobs/ (the bodies of 64 KiB and more), across its shard directories. */
async function blobFiles(dataDir: string): Promise<number> {
  let n = 0;
  for (const shard of await readdir(join(dataDir, 'blobs'))) n += (await readdir(join(dataDir, 'blobs', shard))).length;
  return n;
}

const SRC = `${VHOST}/crash/source.bin`;

/**
 * One write under test: what exists before it (written by a process that is then stopped), the request,
 * and what a reader sees before and after it. `blobs` counts the blob files each state holds.
 */
interface Step {
  name: string;
  points: readonly CrashPoint[];
  setup(p: Process): Promise<Record<string, string>>;
  run(p: Process, ctx: Record<string, string>): Promise<unknown>;
  check(p: Process, ctx: Record<string, string>, committed: boolean): Promise<void>;
}

const oldBody = randomBytes(100_000);
const newSmall = randomBytes(1000);
const newLarge = randomBytes(300_000);
const parts = [randomBytes(1024 * 1024), randomBytes(5000)];
const BLOB_POINTS = CRASH_POINTS;
const RECORD_POINTS = ['before-commit', 'after-commit'] as const;

async function expectBody(p: Process, key: string, body: Buffer | undefined) {
  const get = await signed(p.emu, 'GET', key);
  if (body === undefined) expect(get.status, key).toBe(404);
  else expect(md5(get.body), key).toBe(md5(body));
}

const putStep = (name: string, body: Buffer, points: readonly CrashPoint[]): Step => ({
  name,
  points,
  setup: async (p) => {
    expect((await signed(p.emu, 'PUT', 'crash/put.bin', { body: oldBody })).status).toBe(200);
    return {};
  },
  run: (p) => signed(p.emu, 'PUT', 'crash/put.bin', { body }),
  check: (p, _ctx, committed) => expectBody(p, 'crash/put.bin', committed ? body : oldBody),
});

const copyStep = (name: string, source: Buffer, points: readonly CrashPoint[]): Step => ({
  name,
  points,
  setup: async (p) => {
    expect((await signed(p.emu, 'PUT', 'crash/source.bin', { body: source })).status).toBe(200);
    return {};
  },
  run: (p) => signed(p.emu, 'PUT', 'crash/copy.bin', { headers: { 'x-cos-copy-source': SRC } }),
  check: async (p, _ctx, committed) => {
    await expectBody(p, 'crash/copy.bin', committed ? source : undefined);
    await expectBody(p, 'crash/source.bin', source);
  },
});

const completeXml = (etags: string[]) =>
  `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

const completeStep: Step = {
  name: 'Complete Multipart Upload',
  points: BLOB_POINTS,
  setup: async (p) => {
    const uploadId = xmlField((await signed(p.emu, 'POST', 'crash/mp.bin', { query: { uploads: '' } })).text, 'UploadId')!;
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      etags.push(
        String((await signed(p.emu, 'PUT', 'crash/mp.bin', { query: { partNumber: String(i + 1), uploadId }, body })).headers.etag),
      );
    }
    return { uploadId, xml: completeXml(etags) };
  },
  run: (p, { uploadId, xml }) => signed(p.emu, 'POST', 'crash/mp.bin', { query: { uploadId: uploadId! }, body: xml }),
  check: async (p, { uploadId, xml }, committed) => {
    const listed = await signed(p.emu, 'GET', 'crash/mp.bin', { query: { uploadId: uploadId! } });
    if (committed) {
      await expectBody(p, 'crash/mp.bin', Buffer.concat(parts));
      expect(listed.status).toBe(404);
      return;
    }
    await expectBody(p, 'crash/mp.bin', undefined);
    expect(listed.text.match(/<PartNumber>/g)).toHaveLength(2);
    // The upload is intact: completing it again works.
    expect((await signed(p.emu, 'POST', 'crash/mp.bin', { query: { uploadId: uploadId! }, body: xml })).status).toBe(200);
    await expectBody(p, 'crash/mp.bin', Buffer.concat(parts));
  },
};

const steps: Step[] = [
  putStep('PUT of a small body (stored in the database)', newSmall, RECORD_POINTS),
  putStep('PUT of a large body (a blob file)', newLarge, BLOB_POINTS),
  copyStep('PUT Object - Copy of a small object', newSmall, RECORD_POINTS),
  copyStep('PUT Object - Copy of a large object', newLarge, BLOB_POINTS),
  completeStep,
];

describe('kill -9 at each step of a write (COS_EMULATOR_CRASH_AT)', { timeout: 90_000 }, () => {
  const cases = steps.flatMap((step) => step.points.map((point) => ({ step, point })));
  it.each(cases)('$step.name, killed at $point: the write is there after the restart only if it was committed', async ({ step, point }) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-crash-'));
    let p = await launch(dataDir);
    const ctx = await step.setup(p);
    await p.kill();
    const blobsBefore = await blobFiles(dataDir);

    p = await launch(dataDir, point);
    // The process dies before it answers: the request fails instead.
    await expect(step.run(p, ctx)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(await p.exited).toBe('SIGKILL');
    children.clear();

    p = await launch(dataDir);
    const committed = point === 'after-commit';
    // Before the commit, no file of the write is left: tmp/ is emptied and a renamed blob no record names is removed.
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    if (!committed) expect(await blobFiles(dataDir)).toBe(blobsBefore);
    await step.check(p, ctx, committed);
    await p.kill();
  });

  it('refuses a crash point that does not exist', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-crash-'));
    await expect(launch(dataDir, 'after-lunch' as CrashPoint)).rejects.toThrow(/COS_EMULATOR_CRASH_AT="after-lunch" is not a crash point/);
  });
});
