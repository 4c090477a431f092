import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { signRequest } from '@cos-direct/signer';
import { describe, expect, it } from 'vitest';
import { formatRequestLine } from '../src/index.js';
import type { RequestEntry } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Starts the CLI, waits for its ready line, runs `work`, stops it and returns both streams. */
async function withCli(args: string[], work: (ready: Record<string, any>) => Promise<void>) {
  const child = spawn(process.execPath, [CLI, '--http-port', '0', '--no-https', '--in-memory', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = await new Promise<Record<string, any>>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(stdout.slice(0, nl)));
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  try {
    await work(ready);
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return { stdout, stderr, ready };
}

const put = (ready: Record<string, any>, key: string, secretKey: string) => {
  const host = new URL(ready.cos.http).host;
  const headers = { host, 'content-length': '2' };
  const { authorization } = signRequest(
    { method: 'PUT', pathname: `/${key}`, headers },
    { credentials: { secretId: ready.credentials.secretId, secretKey } },
  );
  return fetch(`${ready.cos.http}/${key}`, { method: 'PUT', headers: { ...headers, authorization }, body: 'hi' });
};

describe('the request log in the terminal', () => {
  it('prints one human line per request on stderr, a refusal in full, an injected fault marked; stdout keeps only the ready line', async () => {
    const { stdout, stderr, ready } = await withCli(['--fault', '{"operation":"HeadObject","status":503,"count":1}'], async (r) => {
      expect((await put(r, 'hello.txt', r.credentials.secretKey)).status).toBe(200);
      expect((await put(r, 'hello.txt', 'wrong-secret-key')).status).toBe(403);
      expect((await fetch(`${r.cos.http}/hello.txt`, { method: 'HEAD' })).status).toBe(503);
    });
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(ready.admin.console).toBe(`${ready.cos.http}//_emulator/console`);
    expect(ready.admin.faults).toBe(`${ready.cos.http}//_emulator/faults`);
    expect(stderr).toContain(`console: ${ready.admin.console}`);
    expect(stderr).toContain('1 rule in force: #1');
    expect(stderr).toMatch(/PUT +dev-1250000000\/hello\.txt PutObject 200 \d+ms root/);
    expect(stderr).toMatch(
      /PUT +dev-1250000000\/hello\.txt PutObject 403 \d+ms AKIDcosdirectEMULATOR \(unverified\)\n +SignatureDoesNotMatch: .+\n +StringToSign: sha1/,
    );
    expect(stderr).toMatch(/HEAD +dev-1250000000\/hello\.txt HeadObject 503 \d+ms anonymous \[injected 503 SlowDown by rule #1\]/);
    expect(stderr).not.toContain('\x1b[');
  });

  it('prints JSON lines with --log-format json, and nothing with --quiet', async () => {
    const json = await withCli(['--log-format', 'json'], async (r) => {
      await fetch(`${r.cos.http}/missing.txt`);
    });
    const line = json.stderr.split('\n').find((l) => l.startsWith('{"event":"request"'));
    expect(JSON.parse(line!)).toMatchObject({
      event: 'request',
      method: 'GET',
      key: 'missing.txt',
      operation: 'GetObject',
      status: 403,
      identity: { kind: 'anonymous' },
      refusal: { code: 'AccessDenied' },
    });
    const quiet = await withCli(['--quiet'], async (r) => {
      await fetch(`${r.cos.http}/missing.txt`);
    });
    expect(quiet.stderr).not.toContain('missing.txt');
  });

  it('refuses a --fault that is not JSON or not a valid rule, and a bad --log-format', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, '--http-port', '0', '--no-https', '--in-memory', ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const notJson = await run(['--fault', '{operation']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--fault "{operation" is not JSON');
    const invalid = await run(['--fault', '{"operation":"PutObjekt","status":503}']);
    expect(invalid.stderr).toMatch(/faults: rule 1: operation "PutObjekt"/);
    expect((await run(['--log-format', 'xml'])).stderr).toContain('--log-format "xml" must be human or json');
  });

  it('colours the status on a terminal', () => {
    const entry: RequestEntry = {
      seq: 1,
      time: '2026-01-01T00:00:00.000Z',
      requestId: 'r',
      method: 'GET',
      resource: 'h/k',
      bucket: 'b',
      key: 'k',
      operation: 'GetObject',
      status: 0,
      ms: 3,
      identity: { kind: 'temporary', secretId: 'AKIDtmp' },
      fault: { rule: 'cut', action: 'reset-before-response', latencyMs: 5 },
    };
    const line = formatRequestLine(entry, true);
    expect(line).toContain('\x1b[31mcut\x1b[0m');
    expect(line).toContain('temporary AKIDtmp');
    expect(line).toContain('[injected reset-before-response +5ms by rule cut]');
  });

  it('stamps each line with the time its request ended, the order lines are printed in', () => {
    const base = { seq: 1, requestId: 'r', method: 'PUT', resource: 'h/k', status: 200, identity: { kind: 'anonymous' } } as const;
    const slow = formatRequestLine({ ...base, time: '2026-01-01T00:00:00.000Z', ms: 1500 });
    const quick = formatRequestLine({ ...base, time: '2026-01-01T00:00:01.000Z', ms: 20 });
    expect(slow.startsWith('00:00:01.500 ')).toBe(true);
    expect(quick.startsWith('00:00:01.020 ')).toBe(true);
  });
});
