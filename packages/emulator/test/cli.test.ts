import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTlsMaterial } from '../src/tls/certificates.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Running {
  ready: Promise<Record<string, any>>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): void;
}

function run(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const ready = new Promise<Record<string, any>>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      try {
        resolve(JSON.parse(stdout.slice(0, newline)));
      } catch {
        reject(new Error(`the first stdout line is not JSON: ${stdout.slice(0, newline)}`));
      }
    });
    void exited.then(({ code }) => reject(new Error(`exited ${code} before its ready line: ${stderr}`)));
  });
  ready.catch(() => undefined);
  return { ready, exited, stop: () => child.kill('SIGTERM') };
}

function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on('error', reject)
      .end();
  });
}

const caDirEnv = async () => ({ COS_EMULATOR_CA_DIR: await mkdtemp(join(tmpdir(), 'cos-cli-ca-')) });

describe('cos-emulator CLI', () => {
  it('documents every flag with its environment variable', async () => {
    const { code, stdout } = await run(['--help']).exited;
    expect(code).toBe(0);
    for (const flag of [
      '--host',
      '--http-port',
      '--https-port',
      '--data-dir',
      '--in-memory',
      '--region',
      '--secret-id',
      '--bucket',
      '--tls-cert',
      '--tls-key',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('COS_EMULATOR_TLS_CERT');
  });

  it('prints one JSON ready line first, serves, and stops on SIGTERM', async () => {
    const emu = run(['--http-port', '0', '--https-port', '0', '--in-memory', '--bucket', 'photos', '--quiet'], await caDirEnv());
    const line = await emu.ready;
    expect(line).toMatchObject({
      event: 'ready',
      region: 'ap-guangzhou',
      buckets: ['photos-1250000000'],
      credentials: { secretId: 'AKIDcosdirectEMULATOR' },
    });
    expect(line.cos.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(line.sts.endpoint).toBe(new URL(line.cos.https).host);
    expect(line).not.toHaveProperty('caCert');
    const health = await fetch(`${line.cos.http}//_emulator/health`);
    expect(await health.json()).toEqual({ status: 'ok', buckets: ['photos-1250000000'] });
    emu.stop();
    expect((await emu.exited).code).toBe(0);
  });

  it('refuses bad settings with a message naming them', async () => {
    const { code, stderr } = await run(['--region', 'Not A Region', '--in-memory'], await caDirEnv()).exited;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/region "Not A Region"/);
  });

  it('serves HTTPS with a certificate of your own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cos-cli-own-tls-'));
    const own = await loadTlsMaterial(join(dir, 'other-ca'), ['localhost', '127.0.0.1']);
    await writeFile(join(dir, 'cert.pem'), own.cert);
    await writeFile(join(dir, 'key.pem'), own.key);
    const emu = run(['--http-port', '0', '--https-port', '0', '--in-memory', '--quiet', '--tls-cert', join(dir, 'cert.pem')], {
      ...(await caDirEnv()),
      COS_EMULATOR_TLS_KEY: join(dir, 'key.pem'),
    });
    try {
      const line = await emu.ready;
      expect(line).not.toHaveProperty('caCertPath');
      expect(await httpsStatus(`${line.cos.https}//_emulator/health`, own.caCert!)).toBe(200);
      // The emulator has no CA of its own to hand out.
      expect(await httpsStatus(`${line.cos.https}//_emulator/ca.pem`, own.caCert!)).not.toBe(200);
    } finally {
      emu.stop();
    }
    expect((await emu.exited).code).toBe(0);
  });

  it('refuses a certificate without its key, or with a key that does not match', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cos-cli-bad-tls-'));
    const a = await loadTlsMaterial(join(dir, 'ca'), ['localhost']);
    const b = await loadTlsMaterial(join(dir, 'ca'), ['localhost']);
    await writeFile(join(dir, 'a.pem'), a.cert);
    await writeFile(join(dir, 'b-key.pem'), b.key);
    const alone = await run(['--in-memory', '--tls-cert', join(dir, 'a.pem')], await caDirEnv()).exited;
    expect(alone.code).not.toBe(0);
    expect(alone.stderr).toContain('tlsCert and tlsKey go together');
    const mismatched = await run(
      ['--in-memory', '--http-port', '0', '--https-port', '0', '--tls-cert', join(dir, 'a.pem'), '--tls-key', join(dir, 'b-key.pem')],
      await caDirEnv(),
    ).exited;
    expect(mismatched.code).not.toBe(0);
    expect(mismatched.stderr).toContain('do not make a usable pair');
    const missing = await run(
      ['--in-memory', '--http-port', '0', '--https-port', '0', '--tls-cert', join(dir, 'nope.pem'), '--tls-key', join(dir, 'b-key.pem')],
      await caDirEnv(),
    ).exited;
    expect(missing.stderr).toContain('cannot read the TLS certificate');
  });
});
