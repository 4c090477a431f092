import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/stack.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('npm start', () => {
  it('brings up emulator, sign server and page, prints them, and stops cleanly on Ctrl-C', async () => {
    const [server, web, http, https] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(server),
      WEB_PORT: String(web),
      COS_EMULATOR_HTTP_PORT: String(http),
      COS_EMULATOR_HTTPS_PORT: String(https),
      COS_EMULATOR_DATA_DIR: await tempDir('cos-e2e-start-'),
    };
    for (const name of ['COS_SECRET_ID', 'COS_SECRET_KEY', 'PERSIST_BUCKET', 'PERSIST_BUCKET_REGION']) delete env[name];
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 30_000, interval: 200 }).toContain('Press Ctrl-C to stop.');
      expect(out).toContain(`demo page      http://127.0.0.1:${web}`);
      expect(out).toContain(`--sign-url http://127.0.0.1:${server}`);
      // The start-up checks, said in the banner: the emulator's STS issued a key and the bucket answered.
      expect(out).toContain(`STS            127.0.0.1:${https} is reachable and issued a key for COS_SECRET_ID`);
      expect(out).toContain('bucket         answers a HEAD with that temporary key');
      // The console and fault lines name working addresses.
      const consoleUrl = /console +(http\S+)/.exec(out)?.[1];
      const faultsUrl = /faults +(http\S+)/.exec(out)?.[1];
      expect(consoleUrl).toBe(`http://127.0.0.1:${http}/`);
      expect(faultsUrl).toBe(`http://127.0.0.1:${http}//_emulator/faults`);
      // A browser asking for the bare address is sent on to the console.
      const opened = await fetch(consoleUrl!, { headers: { accept: 'text/html' } });
      expect(opened.url).toBe(`http://127.0.0.1:${http}//_emulator/console`);
      expect(opened.headers.get('content-type')).toContain('text/html');
      expect(await (await fetch(faultsUrl!)).json()).toMatchObject({ rules: [] });
      const page = await fetch(`http://127.0.0.1:${web}/`);
      expect(await page.text()).toContain('Direct upload to COS');
      const ticket = await (await fetch(`http://127.0.0.1:${server}/sts-direct-sign?ext=jpg`)).json();
      expect(ticket.code).toBe(0);
      expect(ticket.data.cosHost).toBe(`127.0.0.1:${http}`);
      const put = await fetch(ticket.data.cosUrl, {
        method: 'PUT',
        headers: {
          authorization: ticket.data.authorization,
          'x-cos-security-token': ticket.data.securityToken,
          'content-type': 'application/octet-stream',
        },
        body: 'started',
      });
      expect(put.status).toBe(200);
      const download = await fetch(ticket.data.downloadUrl);
      expect(download.status).toBe(200);
      expect(await download.text()).toBe('started');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  // Issue 26: real-COS mode without a network says the real cause, at start and for a ticket.
  it('targeting real COS with STS out of reach: the banner and the ticket failure name the DNS failure', async () => {
    const [server, web] = await Promise.all([freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(server),
      WEB_PORT: String(web),
      COS_SECRET_ID: 'AKIDexample',
      COS_SECRET_KEY: 'example-secret-key',
      PERSIST_BUCKET: 'examplebucket-1250000000',
      PERSIST_BUCKET_REGION: 'ap-guangzhou',
      STS_ENDPOINT: 'sts.invalid',
    };
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 30_000, interval: 200 }).toContain('Press Ctrl-C to stop.');
      expect(out).toContain('cos-direct is up, targeting real COS bucket examplebucket-1250000000 (ap-guangzhou)');
      expect(out).toMatch(/STS {12}FAILED \(dns\): sts\.invalid could not be resolved \(DNS, (ENOTFOUND|EAI_AGAIN)\)/);
      expect(out).toMatch(/sign server: readiness check failed: STS \(dns\): sts\.invalid could not be resolved/);
      expect(out).toContain(`! not ready: tickets fail until this is fixed; http://127.0.0.1:${server}/readyz says more`);
      const ticket = await (await fetch(`http://127.0.0.1:${server}/sts-direct-sign?ext=jpg`)).json();
      expect(ticket.code).toBe('SRV_ERR_STS_UNREACHABLE');
      await expect
        .poll(() => out, { timeout: 5_000, interval: 100 })
        .toMatch(/sign server: STS could not be reached: sts\.invalid could not be resolved \(DNS, /);
      expect(out).not.toContain('COS refused');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
