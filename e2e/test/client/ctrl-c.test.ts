import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, tempDir, type Stack } from '../support/stack.js';

// A terminal's Ctrl-C is SIGINT to the whole foreground process group. Each CLI here is started as the
// leader of a group of its own, and the signals go to the group, as a terminal sends them: so under
// `pnpm exec`, pnpm receives them too, and does what it does with them.

const MiB = 1024 * 1024;
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(dirname(createRequire(import.meta.url).resolve('@cos-direct/cli/package.json')), 'dist', 'cli.js');
const pnpmVersion = (JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { packageManager: string }).packageManager.split(
  '@',
)[1]!;

interface Run {
  child: ChildProcess;
  /** Everything the group printed, read until every process holding the pipes has gone. */
  output: () => string;
  /** The group leader's exit status, once every process holding the pipes has gone. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startGroup(command: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: join(repo, 'e2e'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // 'close', not 'exit': a launcher may leave before the CLI it started has said its last word.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, closed };
}

const ctrlC = (run: Run) => process.kill(-run.child.pid!, 'SIGINT');

describe("Ctrl-C sent to the CLI's process group", () => {
  let s: Stack;
  let dir: string;
  let file: string;
  const groups: Run[] = [];
  beforeAll(async () => {
    s = await startStack();
    dir = await tempDir('cos-e2e-ctrl-c-');
    file = join(dir, 'movie.bin');
    await writeFile(file, randomBytes(4 * MiB));
  });
  afterEach(() => {
    s.emu.faults.clear();
    for (const g of groups.splice(0)) {
      try {
        process.kill(-g.child.pid!, 'SIGKILL');
      } catch {
        // The group has already gone.
      }
    }
  });
  afterAll(() => s.close());

  function upload(launcher: 'node' | 'pnpm exec', extra: string[], env: NodeJS.ProcessEnv = {}): Run {
    const args = ['upload', file, '--sign-url', s.signUrl, '--threshold', '1m', '--part-size', '1m', '--part-concurrency', '1', ...extra];
    const command =
      launcher === 'node' ? [process.execPath, cli, ...args] : ['npx', '-y', `pnpm@${pnpmVersion}`, 'exec', 'cos-direct', ...args];
    // Started by hand with node, as a terminal would: no package manager's environment.
    const launched = launcher === 'node' ? { npm_config_user_agent: '' } : {};
    const run = startGroup(command, { NODE_EXTRA_CA_CERTS: s.emu.info.caCertPath!, ...launched, ...env });
    groups.push(run);
    return run;
  }

  for (const launcher of ['node', 'pnpm exec'] as const) {
    it(`once, under ${launcher}: stops cleanly, keeps the parts and prints the command that resumes`, async () => {
      s.emu.faults.set([{ operation: 'UploadPart', latencyMs: 60_000, count: 1 }]);
      const resumeDir = join(dir, `state-${launcher.replace(' ', '-')}`);
      const run = upload(launcher, ['--resume-dir', resumeDir]);
      await expect.poll(() => s.emu.faults.list()[0]?.hits, { timeout: 60_000 }).toBe(1);
      ctrlC(run);
      const closed = await run.closed;
      const out = run.output();
      expect(out).toContain('cos-direct: interrupted, stopping (Ctrl-C again to quit at once)');
      expect(out).toContain('cos-direct: interrupted with 1 of 1 file(s) not uploaded; the parts already sent are kept.');
      // The command as it was typed: cos-direct through pnpm, node and the script's path otherwise.
      const again = launcher === 'node' ? `node ${cli}` : 'cos-direct';
      expect(out).toContain(`To resume, run the same command again:\n  ${again} upload ${file} --sign-url `);
      // pnpm's SIGTERM to its child must not turn into a second stop, nor cut this one short.
      expect(out).not.toContain('SIGTERM received');
      expect(readdirSync(resumeDir)).toHaveLength(1);
      if (launcher === 'node') expect(closed.code).toBe(130);
    });
  }

  it('twice: quits at once, without waiting for the clean stop', async () => {
    // Under --no-resume the clean stop aborts the upload at COS; the emulator holds that request, so the
    // clean stop cannot finish before the second Ctrl-C, and only quitting at once ends the process.
    s.emu.faults.set([
      { operation: 'UploadPart', latencyMs: 60_000, count: 1 },
      { operation: 'AbortMultipartUpload', latencyMs: 60_000, count: 1 },
    ]);
    const run = upload('node', ['--no-resume']);
    await expect.poll(() => s.emu.faults.list()[0]?.hits, { timeout: 60_000 }).toBe(1);
    ctrlC(run);
    await expect.poll(() => s.emu.faults.list()[1]?.hits, { timeout: 30_000 }).toBe(1);
    ctrlC(run);
    const closed = await run.closed;
    expect(closed.code).toBe(130);
    const out = run.output();
    expect(out).toContain('cos-direct: interrupted, stopping (Ctrl-C again to quit at once)');
    // The summary comes only at the end of a clean stop, which the second Ctrl-C did not wait for.
    expect(out).not.toContain('not uploaded');
  });

  it('SIGTERM alone stops as cleanly as Ctrl-C, with its own exit status', async () => {
    s.emu.faults.set([{ operation: 'UploadPart', latencyMs: 60_000, count: 1 }]);
    const resumeDir = join(dir, 'state-term');
    const run = upload('node', ['--resume-dir', resumeDir]);
    await expect.poll(() => s.emu.faults.list()[0]?.hits, { timeout: 60_000 }).toBe(1);
    process.kill(run.child.pid!, 'SIGTERM');
    const closed = await run.closed;
    expect(closed.code).toBe(143);
    expect(run.output()).toContain('cos-direct: SIGTERM received, stopping');
    expect(run.output()).toContain('the parts already sent are kept');
    expect(readdirSync(resumeDir)).toHaveLength(1);
  });
});
