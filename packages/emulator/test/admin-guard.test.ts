import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { emulator, raw, signed } from './helpers.js';

// The admin API trusts loopback. Two ways a web page could borrow that trust: DNS rebinding (its own
// name resolved to 127.0.0.1, so the browser sends that name as Host) and a cross-site form or fetch.
describe('the admin API against pages of other sites', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false, hostnames: ['emulator.test'] });
  });
  afterAll(() => emu.close());

  const admin = (path: string, headers: Record<string, string>, method = 'GET', body?: string) =>
    raw(emu.info.cos.http, { method, path: `//_emulator/${path}`, headers, ...(body === undefined ? {} : { body }) });
  const port = () => new URL(emu.info.cos.http).port;

  it('answers for its own names only: an IP address, localhost, or a --hostname', async () => {
    for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`, `[::1]:${port()}`, `emulator.test:${port()}`]) {
      expect((await admin('faults', { host })).status, host).toBe(200);
    }
    const rebound = await admin('api/buckets', { host: `attacker.example:${port()}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text).error.code).toBe('EMU_ERR_ADMIN_HOST');
    for (const path of ['faults', 'requests', 'refusals', 'console', 'api/objects?bucket=dev-1250000000']) {
      expect((await admin(path, { host: 'attacker.example' })).status, path).toBe(403);
    }
  });

  it('still answers health checks and the CA under any name a network gives it', async () => {
    expect((await admin('health', { host: 'cos-emulator:9000' })).status).toBe(200);
  });

  it('refuses a state change sent by a page of another origin, and takes the same from its own console', async () => {
    const host = `127.0.0.1:${port()}`;
    const rules = JSON.stringify({ rules: [{ operation: 'PutObject', status: 503, code: 'SlowDown' }] });
    // A cross-site text/plain POST needs no preflight: the browser sends it with the page's Origin.
    const csrf = await admin('faults', { host, origin: 'http://evil.example', 'content-type': 'text/plain' }, 'POST', rules);
    expect(csrf.status).toBe(403);
    expect(JSON.parse(csrf.text).error.code).toBe('EMU_ERR_ADMIN_ORIGIN');
    expect(emu.faults.list()).toEqual([]);
    const fetchMetadata = await admin('faults', { host, 'sec-fetch-site': 'cross-site' }, 'DELETE');
    expect(fetchMetadata.status).toBe(403);

    await signed(emu, 'PUT', 'kept.txt', { body: 'x' });
    const del = await admin('api/object?bucket=dev-1250000000&key=kept.txt', { host, origin: 'http://evil.example' }, 'DELETE');
    expect(del.status).toBe(403);
    expect((await signed(emu, 'GET', 'kept.txt')).status).toBe(200);

    const own = await admin('faults', { host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, 'PUT', rules);
    expect(own.status).toBe(200);
    expect(emu.faults.list()).toHaveLength(1);
    emu.faults.clear();
  });
});
