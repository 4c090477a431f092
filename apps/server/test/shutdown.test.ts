import { spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
// What the CLI needs to start, against a bucket no request reaches.
const SETTINGS = {
  PATH: process.env.PATH,
  COS_SECRET_ID: 'AKIDx',
  COS_SECRET_KEY: 'secret-key',
  PERSIST_BUCKET: 'b-1250000000',
  PERSIST_BUCKET_REGION: 'ap-guangzhou',
};

describe('the CLI', () => {
  it('drains in-flight requests on SIGTERM, then exits 0', async () => {
    // An STS endpoint that never answers keeps a ticket request in flight for STS_TIMEOUT_MS.
    const hang = createNetServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const child = spawn(process.execPath, [cli], {
      env: {
        ...SETTINGS,
        STS_ENDPOINT: `127.0.0.1:${(hang.address() as { port: number }).port}`,
        STS_TIMEOUT_MS: '1500',
        // The OS picks the port; the server names it in its listening line.
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await expect.poll(() => out, { timeout: 15_000 }).toMatch(/Server listening at http:\/\/127\.0\.0\.1:\d+/);
      const port = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1];
      expect(out).toContain('open to anyone');
      const inFlight = fetch(`http://127.0.0.1:${port}/sts-direct-sign?ext=jpg`);
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(502);
      expect((await res.json()).code).toBe('SRV_ERR_STS_TIMEOUT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      hang.close();
    }
  });

  it('names PORT when its port is in use', async () => {
    const taken = createNetServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, [cli], {
        env: {
          ...SETTINGS,
          PORT: String(port),
          HOST: '127.0.0.1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(err).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use; set PORT to a free one`);
    } finally {
      taken.close();
    }
  });

  it('stops with a message naming each bad setting', async () => {
    const child = spawn(process.execPath, [cli], {
      env: { PATH: process.env.PATH, PERSIST_BUCKET: 'x', PERSIST_BUKET_REGION: 'y' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toContain('COS_SECRET_ID');
    expect(err).toContain('did you mean "PERSIST_BUCKET_REGION"');
  });
});
