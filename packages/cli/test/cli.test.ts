import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@cos-direct/emulator';
import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MiB, md5, pattern, type Stack, stack } from '../../client/test/support/stack.js';

// The CLI runs in this process: each run imports src/cli.ts afresh with its own argv, and
// process.exit, stdout and stderr are captured. A real process.exit(2) ends the program at once; the
// stand-in stops it by throwing, and keeps the first status it was given.

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}, tty = false): Promise<Run> {
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
  // The workers' stderr is a pipe; a terminal is what the CLI is told it has, the writes are captured all the same.
  const isTTY = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  if (tty) Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
  try {
    vi.resetModules();
    await import('../src/cli.js');
    await done;
  } finally {
    if (tty) {
      if (isTTY) Object.defineProperty(process.stderr, 'isTTY', isTTY);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
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
    [['upload', 'a.jpg', '--sign-url', 'not a url'], '--sign-url "not a url" is not an http(s) URL; write it as http://host:port'],
    [
      ['upload', 'a.jpg', '--sign-url', 'localhost:3000'],
      '--sign-url "localhost:3000" is not an http(s) URL; write it as http://host:port',
    ],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '-H', 'no colon'], 'header "no colon" must be "Name: value"'],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '--ca', '/nonexistent/ca.pem'], 'cannot read --ca /nonexistent/ca.pem: no such file'],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '--concurrency', '0'], '--concurrency must be a positive whole number'],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '--colour'], "Unknown option '--colour'"],
    [['upload', 'a.jpg', '--sign-url', 'http://s', '--retries', 'many'], '--retries must be a non-negative whole number'],
  ])('exits 2 on %j with one line: the problem and where the help is', async (args, message) => {
    const run = await cli(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`cos-direct: ${message} (run cos-direct --help for usage)\n`);
  });

  it('prints the version with --version', async () => {
    const run = await cli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
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
    expect(run.stdout).toMatch(
      new RegExp(`^uploaded ${good} -> images/\\S+\\.jpg \\(4 B in \\d+\\.\\ds(, [\\d.]+ \\S*B/s)?, put, etag \\w+\\)$`, 'm'),
    );
    // The presigned link is long: only --verbose prints it.
    expect(run.stdout).not.toContain('download:');
    expect(run.stderr).toContain(`failed   ${missing}: no such file; check the path\n`);
    expect(run.stderr).toContain('1 of 2 file(s) failed');

    const verbose = await cli(['upload', good, '-H', `Authorization: Bearer ${token}`, '--verbose', '--ca', s.emu.info.caCertPath!], {
      COS_DIRECT_SIGN_URL: authed.signUrl,
    });
    expect(verbose.status).toBe(0);
    expect(verbose.stdout).toMatch(/^ {9}download: https:\/\/\S+/m);
  });

  it('uploads an empty file, as the demo page and Uppy do', async () => {
    const empty = join(dir, 'empty.jpg');
    await writeFile(empty, '');
    const run = await cli(['upload', empty, '-H', `Authorization: Bearer ${token}`, '--json', '--ca', s.emu.info.caCertPath!], {
      COS_DIRECT_SIGN_URL: authed.signUrl,
    });
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout.trim()) as { ok: boolean; key: string; size: number; method: string };
    expect(result).toMatchObject({ ok: true, size: 0, method: 'put' });
    const head = await authed.root('HEAD', `/${result.key}`);
    expect(head.headers['content-length']).toBe('0');
  });

  it("says why an upload failed in the client's words, with the code (issue 25)", async () => {
    const file = join(dir, 'unsigned.jpg');
    await writeFile(file, 'x');
    const run = await cli(['upload', file, '--sign-url', authed.signUrl]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^failed   ${file}: You need to sign in again before uploading\\. \\(CLIENT_ERR_UNAUTHENTICATED, HTTP 401, SRV_ERR_UNAUTHENTICATED\\)\n {9}\\S.*\n1 of 1 file\\(s\\) failed\n`,
        'm',
      ),
    );
  });

  it('reports the code of a failure with --json', async () => {
    const file = join(dir, 'refused.jpg');
    await writeFile(file, 'x');
    const run = await cli(['upload', file, '--sign-url', authed.signUrl, '--json']);
    expect(run.status).toBe(1);
    const line = JSON.parse(run.stdout.trim());
    expect(line).toMatchObject({ file, ok: false, code: 'CLIENT_ERR_UNAUTHENTICATED', status: 401, serverCode: 'SRV_ERR_UNAUTHENTICATED' });
  });
});

describe('files are checked before any ticket', () => {
  it('gives each bad file one line with the fix, and asks no sign server about them', async () => {
    const missing = join(dir, 'nowhere.jpg');
    const folder = join(dir, 'folder');
    const bare = join(dir, 'Makefile');
    // A path through a file, as if it were a folder; and a device, which has no size to upload.
    const through = join(bare, 'inside.jpg');
    const device = '/dev/null';
    await mkdir(folder, { recursive: true });
    await writeFile(bare, 'all:');
    // Nothing listens on port 1: a ticket request would fail with a network error.
    const run = await cli(['upload', missing, folder, bare, through, device, '--sign-url', 'http://127.0.0.1:1']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      [
        `failed   ${missing}: no such file; check the path`,
        `failed   ${folder}: is a directory; name the files in it instead (e.g. ${join(folder, '*')})`,
        `failed   ${bare}: has no extension for the sign server to check; pass --ext <ext> (e.g. --ext jpg)`,
        `failed   ${through}: no such file; check the path`,
        `failed   ${device}: is not a regular file; save the data to a file first`,
        '5 of 5 file(s) failed',
        '',
      ].join('\n'),
    );
  });

  it('uploads a file without an extension under --ext, and reports a bad file in --json', async () => {
    const bare = join(dir, 'README');
    await writeFile(bare, 'readme');
    const run = await cli(['upload', bare, join(dir, 'gone.jpg'), '--sign-url', s.signUrl, '--ext', 'jpg', '--json', '--concurrency', '1']);
    expect(run.status).toBe(1);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        file: join(dir, 'gone.jpg'),
        ok: false,
        code: 'CLIENT_ERR_INVALID_ARGUMENT',
        message: `${join(dir, 'gone.jpg')}: no such file; check the path`,
      },
      expect.objectContaining({ file: bare, ok: true, method: 'put', size: 6 }),
    ]);
    expect(lines[1].key).toMatch(/\.jpg$/);
  });
});

describe('output that is not a terminal', () => {
  it('prints a line when each file starts and when it ends, with human sizes', async () => {
    const file = join(dir, 'lines.bin');
    await writeFile(file, pattern(2 * MiB + 512, 5));
    const run = await cli(['upload', file, '--sign-url', s.signUrl, '--threshold', '1m', '--part-size', '1m', '--no-resume']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`upload   ${file} (2.0 MiB)\n`);
    expect(run.stdout).toMatch(
      new RegExp(`^uploaded ${file} -> \\S+\\.bin \\(2\\.0 MiB in \\d+\\.\\ds, [\\d.]+ [KMG]iB/s, multipart, etag [\\w-]+\\)\\n$`),
    );
    expect(run.stdout).not.toContain('\x1b[');
  });
});

/**
 * Sends SIGINT to this process (its listeners: the CLI's) when the CLI asks for a part `n`, through undici's
 * global dispatcher, which the CLI uses without --ca. With one part in flight, parts 1 to n-1 are up by then.
 */
async function interruptAtPart<T>(n: number, run: () => Promise<T>, signals: NodeJS.Signals[] = ['SIGINT']): Promise<T> {
  const saved = getGlobalDispatcher();
  const agent = new Agent();
  let fired = false;
  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    if (!fired && opts.method === 'PUT' && new RegExp(`[?&]partNumber=${n}(&|$)`).test(opts.path)) {
      fired = true;
      for (const signal of signals) process.emit(signal);
    }
    return dispatch(opts, handler);
  };
  setGlobalDispatcher(agent.compose(interceptor));
  try {
    return await run();
  } finally {
    setGlobalDispatcher(saved);
    await agent.close();
  }
}

describe('Ctrl-C and resume', () => {
  it('on a terminal: stops the bars, shows the cursor, keeps the parts, says how to resume, exits 130; the next run resumes', async () => {
    const file = join(dir, 'clip.mp4');
    const done = join(dir, 'done.jpg');
    const data = pattern(5 * MiB, 77);
    await writeFile(file, data);
    await writeFile(done, 'already');
    const resumeDir = join(dir, 'resume');
    const args = ['upload', done, file, '--sign-url', s.signUrl, '--threshold', '1m', '--part-size', '1m'];
    const first = await interruptAtPart(3, () =>
      cli([...args, '--part-concurrency', '1', '--concurrency', '1'], { COS_DIRECT_RESUME_DIR: resumeDir }, true),
    );
    expect(first.status).toBe(130);
    // The bars hid the cursor and turned line wrap off; stopping them put both back.
    const hidden = first.stderr.indexOf('\x1b[?25l');
    expect(hidden).toBeGreaterThanOrEqual(0);
    expect(first.stderr.indexOf('\x1b[?25h')).toBeGreaterThan(hidden);
    expect(first.stderr.lastIndexOf('\x1b[?7h')).toBeGreaterThan(first.stderr.lastIndexOf('\x1b[?7l'));
    expect(first.stderr).toMatch(/ \d+% \| [\d.]+ (B|KiB|MiB) \/ 5\.0 MiB \| /);
    expect(first.stderr).toContain('cos-direct: interrupted, stopping (Ctrl-C again to quit at once)');
    // The file that was up is not in the command to run again.
    expect(first.stderr).toContain(
      'cos-direct: interrupted with 1 of 2 file(s) not uploaded; the parts already sent are kept. To resume, run the same command again:\n' +
        `  cos-direct upload ${file} --sign-url ${s.signUrl} --threshold 1m --part-size 1m --part-concurrency 1 --concurrency 1\n`,
    );
    expect(first.stdout).toMatch(new RegExp(`^uploaded ${done} -> `, 'm'));
    expect(first.stdout).not.toContain(`uploaded ${file}`);
    expect(process.listenerCount('SIGINT')).toBe(0);

    const second = await cli([
      'upload',
      file,
      '--sign-url',
      s.signUrl,
      '--threshold',
      '1m',
      '--part-size',
      '1m',
      '--resume-dir',
      resumeDir,
    ]);
    expect(second.status).toBe(0);
    expect(second.stderr).toBe(`upload   ${file} (5.0 MiB)\n${file}: resuming a saved upload at 40% (2 of 5 parts already uploaded)\n`);
    const key = /-> (\S+) /.exec(second.stdout)![1]!;
    const object = await s.root('HEAD', `/${key}`);
    expect(object.headers['content-length']).toBe(String(data.length));
    expect(object.headers.etag).toMatch(/-5"$/);
  });

  it('says that nothing was kept under --no-resume', async () => {
    const file = join(dir, 'gone.mp4');
    await writeFile(file, pattern(3 * MiB, 78));
    const run = await interruptAtPart(2, () =>
      cli(['upload', file, '--sign-url', s.signUrl, '--threshold', '1m', '--part-size', '1m', '--part-concurrency', '1', '--no-resume']),
    );
    expect(run.status).toBe(130);
    expect(run.stderr).toContain('(--no-resume: nothing was kept). To start over:\n  cos-direct upload ');
    expect(run.stderr).not.toContain('failed ');
  });
});

describe('stopped by a process manager', () => {
  it.each<[NodeJS.Signals, number]>([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ])('stops cleanly on %s, keeps the parts, and exits %i; the same signal again does not cut the stop short', async (signal, status) => {
    const file = join(dir, `stopped-${signal}.mp4`);
    await writeFile(file, pattern(3 * MiB, signal.length));
    const resumeDir = join(dir, `resume-${signal}`);
    const run = await interruptAtPart(
      2,
      () =>
        cli([
          'upload',
          file,
          '--sign-url',
          s.signUrl,
          '--threshold',
          '1m',
          '--part-size',
          '1m',
          '--part-concurrency',
          '1',
          '--resume-dir',
          resumeDir,
        ]),
      [signal, signal],
    );
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(`cos-direct: ${signal} received, stopping (Ctrl-C again to quit at once)`);
    expect(run.stderr.split('received, stopping')).toHaveLength(2);
    expect(run.stderr).toContain('the parts already sent are kept. To resume, run the same command again:');
    expect(process.listenerCount(signal)).toBe(0);
  });
});

describe('TLS', () => {
  it('says to pass --ca or set NODE_EXTRA_CA_CERTS when the certificate is not trusted', async () => {
    // An emulator with a CA of its own, which this process does not trust.
    const caDir = await mkdtemp(join(tmpdir(), 'cos-client-cli-ca-'));
    const emu = await startEmulator({ caDir });
    try {
      const file = join(dir, 'tls.jpg');
      await writeFile(file, 'x');
      const run = await cli(['upload', file, '--sign-url', emu.info.cos.https!]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^failed   ${file}: A server's certificate is not trusted, so the connection was refused\\. \\(CLIENT_ERR_CERTIFICATE\\)\n {9}GET https://\\S+: .*\\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|CERT_SIGNATURE_FAILURE)\\)$`,
          'm',
        ),
      );
      expect(run.stderr).toMatch(
        /^ {9}hint: the server's certificate is signed by a CA this machine does not trust \(\w+\): pass --ca <file> with that CA .*, or set NODE_EXTRA_CA_CERTS=<file>$/m,
      );
      // With the CA the same URL gets as far as the emulator (which is no sign server).
      const trusted = await cli(['upload', file, '--sign-url', emu.info.cos.https!, '--ca', emu.info.caCertPath!]);
      expect(trusted.status).toBe(1);
      expect(trusted.stderr).toContain('the sign server answered HTTP');
      expect(trusted.stderr).not.toContain('hint:');
    } finally {
      await emu.close();
      await rm(caDir, { recursive: true, force: true });
    }
  });
});
