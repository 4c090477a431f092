import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MiB, md5, pattern, type Stack, stack } from './support/stack.js';

// The CLI runs in this process: each run imports src/cli.ts afresh with its own argv, and
// process.exit, stdout and stderr are captured. A real process.exit(2) ends the program at once; the
// stand-in stops it by throwing, and keeps the first status it was given.

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { argv: process.argv, env: { ...process.env } };
  let status: number | undefined;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const stop = new Error('process.exit');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    if (status === undefined) {
      status = code ?? 0;
      if (code === 2) throw stop; // usage(): the program ends here
    }
    finished();
    return undefined as never;
  }) as typeof process.exit);
  process.argv = ['node', 'cos-direct', ...args];
  Object.assign(process.env, env);
  try {
    vi.resetModules();
    await import('../src/cli.js');
    await done;
  } finally {
    vi.restoreAllMocks();
    process.argv = saved.argv;
    process.env = saved.env;
  }
  return { status: status!, stdout: out.join(''), stderr: err.filter((e) => !e.includes(stop.message)).join('') };
}

let s: Stack;
let authed: Stack;
let dir: string;
const token = 'a-long-enough-bearer-token';
beforeAll(async () => {
  [s, authed] = await Promise.all([stack(), stack({ bearerTokens: [token], downloadUrlSeconds: 60 })]);
  dir = await mkdtemp(join(tmpdir(), 'cos-client-cli-'));
});
afterAll(async () => {
  await Promise.all([s?.close(), authed?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('usage', () => {
  it('prints the help with --help and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: cos-direct upload <files...> --sign-url <url>');
  });

  it.each([
    [[], 'missing command'],
    [['download', 'a.jpg'], 'unknown command "download"'],
    [['upload'], 'no files given'],
    [['upload', 'a.jpg'], '--sign-url is required'],
    [['upload', 'a.jpg', '--sign-url', 'not a url'], '--sign-url "not a url" is not a URL'],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '-H', 'no colon'], 'header "no colon" must be "Name: value"'],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '--ca', '/nonexistent/ca.pem'], 'cannot read --ca /nonexistent/ca.pem'],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '--concurrency', '0'], '--concurrency must be a positive whole number'],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '--colour'], "Unknown option '--colour'"],
  ])('exits 2 on %j', async (args, message) => {
    const run = await cli(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`cos-direct: ${message}`);
    expect(run.stderr).toContain('Usage:');
  });

  it('exits 2 on a size it cannot read', async () => {
    const path = join(dir, 'size.jpg');
    await writeFile(path, 'x');
    const run = await cli(['upload', path, '--sign-url', s.signUrl, '--part-size', '8 parsecs']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--part-size "8 parsecs" is not a size');
  });
});

describe('uploads', () => {
  it('uploads each file and prints one JSON object per file with --json', async () => {
    const small = join(dir, 'small.jpg');
    const big = join(dir, 'big.bin');
    const bigData = pattern(2 * MiB + 1, 12);
    await writeFile(small, 'hello');
    await writeFile(big, bigData);
    const run = await cli([
      'upload',
      small,
      big,
      '--sign-url',
      s.signUrl,
      '--ca',
      s.emu.info.caCertPath!,
      '--threshold',
      '1m',
      '--part-size',
      '1MiB',
      '--part-concurrency',
      '2',
      '--retries',
      '1',
      '--no-resume',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const byFile = Object.fromEntries(lines.map((l) => [l.file, l]));
    expect(byFile[small]).toMatchObject({ ok: true, method: 'put', size: 5, etag: md5(new TextEncoder().encode('hello')) });
    expect(byFile[big]).toMatchObject({ ok: true, method: 'multipart', size: bigData.length, partsUploaded: 3 });
  });

  it('prints a summary, sends the -H headers to the sign server, and exits 1 when a file failed', async () => {
    const good = join(dir, 'good.jpg');
    await writeFile(good, 'good');
    const missing = join(dir, 'missing.jpg');
    const run = await cli(
      ['upload', good, missing, '-H', `Authorization: Bearer ${token}`, '--concurrency', '1', '--ca', s.emu.info.caCertPath!],
      {
        COS_DIRECT_SIGN_URL: authed.signUrl,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^uploaded ${good} -> images/\\S+\\.jpg \\(4 bytes, put, etag \\w+\\)$`, 'm'));
    expect(run.stdout).toMatch(/^ {9}download: https:\/\/\S+/m);
    expect(run.stderr).toContain(`failed   ${missing}: cannot read`);
    expect(run.stderr).toContain('1 of 2 file(s) failed');
  });

  it('reports the code of a failure with --json', async () => {
    const file = join(dir, 'refused.jpg');
    await writeFile(file, 'x');
    const run = await cli(['upload', file, '--sign-url', authed.signUrl, '--json']);
    expect(run.status).toBe(1);
    const line = JSON.parse(run.stdout.trim());
    expect(line).toMatchObject({ file, ok: false, code: 'CLIENT_ERR_SIGN_SERVER', status: 401, serverCode: 'SRV_ERR_UNAUTHENTICATED' });
  });
});
