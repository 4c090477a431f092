import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upload } from '@cos-direct/client/node';
import { signRequest } from '@cos-direct/signer';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, tempDir, type Stack } from '../support/stack.js';

const MiB = 1024 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const cli = join(dirname(createRequire(import.meta.url).resolve('@cos-direct/cli/package.json')), 'dist', 'cli.js');

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('resume and CLI', () => {
  let s: Stack;
  let dir: string;
  beforeAll(async () => {
    s = await startStack();
    dir = await tempDir('cos-e2e-resume-');
  });
  afterAll(() => s.close());

  async function partsOf(key: string): Promise<number> {
    const host = new URL(s.emu.info.cos.https!).host;
    const list = async (query: Record<string, string>, k: string) => {
      const auth = signRequest(
        { method: 'GET', pathname: `/${k}`, query, headers: { host } },
        { credentials: s.emu.info.credentials },
      ).authorization;
      const res = await request(`https://${host}/${k}?${new URLSearchParams(query)}`, {
        headers: { authorization: auth },
        dispatcher: s.dispatcher,
      });
      return res.body.text();
    };
    const uploads = await list({ uploads: '' }, '');
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(uploads)?.[1];
    expect(/<Key>([^<]+)<\/Key>/.exec(uploads)?.[1]).toBe(key);
    return (await list({ uploadId: uploadId! }, key)).match(/<PartNumber>/g)?.length ?? 0;
  }

  it('resumes after a killed process without re-sending finished parts', async () => {
    const data = randomBytes(8 * MiB + 5);
    const file = join(dir, 'resume.bin');
    await writeFile(file, data);
    const resumeDir = join(dir, 'state');
    const crashed = await run(process.execPath, [
      join(here, '..', 'support', 'upload-child.mjs'),
      file,
      s.signUrl,
      resumeDir,
      s.emu.info.caCertPath!,
      String(3.5 * MiB),
    ]);
    expect(crashed.signal).toBe('SIGKILL');
    const [stateFile] = readdirSync(resumeDir);
    const state = JSON.parse(readFileSync(join(resumeDir, stateFile!), 'utf8'));
    const before = await partsOf(state.cosKey);
    expect(before).toBeGreaterThanOrEqual(3);

    const result = await upload(file, { signUrl: s.signUrl, dispatcher: s.dispatcher, resumeDir, partSize: MiB, multipartThreshold: MiB });
    expect(result.key).toBe(state.cosKey);
    expect(result.partsUploaded).toBe(9 - before);
    const back = await s.getObject(result.key);
    expect(createHash('sha256').update(back.body).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await s.openUploads()).toEqual([]);
  });

  it('uploads two files from the CLI and prints their keys', async () => {
    const a = join(dir, 'a.jpg');
    const b = join(dir, 'b.png');
    await writeFile(a, 'aaa');
    await writeFile(b, randomBytes(3 * MiB));
    const res = await run(process.execPath, [
      cli,
      'upload',
      a,
      b,
      '--sign-url',
      s.signUrl,
      '--ca',
      s.emu.info.caCertPath!,
      '--threshold',
      '1m',
      '--part-size',
      '1m',
      '--json',
    ]);
    expect(res.code).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.file).sort()).toEqual([a, b].sort());
    for (const line of lines) {
      expect(line.ok).toBe(true);
      expect(line.key).toMatch(/^images\/\d{8}\//);
      expect((await s.getObject(line.key)).status).toBe(200);
    }
    const human = await run(process.execPath, [cli, 'upload', a, '--sign-url', s.signUrl, '--ca', s.emu.info.caCertPath!]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/uploaded .*a\.jpg -> images\/\d{8}\/\S+\.jpg \(3 B in [\d.]+s, .*, put, etag [0-9a-f]{32}\)/);
  });

  it('exits non-zero with a clear message when the sign server fails', async () => {
    const a = join(dir, 'c.jpg');
    await writeFile(a, 'c');
    const down = await run(process.execPath, [cli, 'upload', a, '--sign-url', 'http://127.0.0.1:9', '--retries', '0']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /failed .*c\.jpg: The upload server cannot be reached\. Check your network, then retry\. \(CLIENT_ERR_SIGN_SERVER_UNREACHABLE\)\n {9}GET http:\/\/127\.0\.0\.1:9/,
    );
    const refused = await run(process.execPath, [cli, 'upload', a, '--sign-url', s.signUrl, '--ext', 'exe']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('SRV_ERR_INVALID_EXTENSION');
    const usage = await run(process.execPath, [cli, 'upload']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('no files given');
  });
});
