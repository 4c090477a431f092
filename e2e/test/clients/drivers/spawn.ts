import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../target.js';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a client's command to completion; the caller decides what its exit status means. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Why `command` cannot be used (with what installs it), or undefined when it runs. */
export function missingCommand(command: string, probe: string[], installHint: string): string | undefined {
  if (!existsSync(command)) return `${command} not found (${installHint})`;
  const r = spawnSync(command, probe, { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0 ? undefined : `${command} ${probe.join(' ')} failed (${installHint})`;
}

/**
 * The environment a command-line client runs with: the caller's, minus any proxy or AWS settings of
 * the developer's own, plus the emulator's proxy when the target is the emulator.
 */
export function clientEnv(target: Target, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AWS_|RCLONE_|S3CMD|HTTPS?_PROXY$|NO_PROXY$|ALL_PROXY$)/i.test(k)) continue;
    env[k] = v;
  }
  if (target.proxy) Object.assign(env, { HTTP_PROXY: target.proxy, http_proxy: target.proxy });
  return Object.assign(env, extra);
}

export const workDir = () => mkdtemp(join(tmpdir(), 'cos-matrix-'));
