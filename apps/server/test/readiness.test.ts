import { mkdtemp } from 'node:fs/promises';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SIGN_SERVER_PATHS, type SignServerReadiness } from '@cos-direct/protocol';
import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCosDirect, createServer, type DirectTicket, loadConfig, type ServerOptions } from '../src/index.js';
import { post } from './cos-requests.js';
import { seedPut, type Stack, stack, ticket } from './harness.js';

const seedEnv = { COS_SECRET_ID: 'AKIDx', COS_SECRET_KEY: 'secret-key-x', PERSIST_BUCKET: 'test-1250000000' };
const base = { secretId: 'AKIDx', secretKey: 'secret-key-x', bucket: 'dev-1250000000', region: 'ap-guangzhou', rateLimit: false } as const;

/** A loopback port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

interface Running {
  app: FastifyInstance;
  url: string;
  logs: Array<Record<string, unknown>>;
}

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.app.close();
});

/** The standalone server, listening, with its log lines parsed. */
async function listening(options: Partial<ServerOptions>): Promise<Running> {
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line));
      cb();
    },
  });
  const app = await createServer({ ...base, logger: { level: 'info', stream }, ...options } as ServerOptions);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const r = { app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, logs };
  running.push(r);
  return r;
}

/** One sample's value in Prometheus text; undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const readyz = async (url: string) => {
  const res = await fetch(url + SIGN_SERVER_PATHS.ready);
  return { status: res.status, body: (await res.json()) as SignServerReadiness };
};

describe('the region', () => {
  it('is refused when COS has no such region, with the one meant', async () => {
    expect(() => loadConfig({ ...seedEnv, PERSIST_BUCKET_REGION: 'ap-guangzho' })).toThrow(
      /PERSIST_BUCKET_REGION\) "ap-guangzho" is not a COS region \(did you mean "ap-guangzhou"\?\).*ALLOW_UNKNOWN_REGION=true/,
    );
    await expect(createServer({ ...base, region: 'ap-shanghia' })).rejects.toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ code: 'SRV_ERR_CONFIG_ENUM', option: 'region' })] }),
    );
    expect(() => loadConfig({ ...seedEnv, PERSIST_BUCKET_REGION: 'mars-olympus' })).toThrow(/COS has ap-beijing-1, ap-beijing/);
  });

  it('may be one newer than the list when allowed, with a warning', async () => {
    const c = loadConfig({ ...seedEnv, PERSIST_BUCKET_REGION: 'ap-newcity', ALLOW_UNKNOWN_REGION: 'true', STARTUP_CHECKS: 'off' });
    expect(c.options.region).toBe('ap-newcity');
    expect(c.options.startupChecks).toBe(false);
    const warned: string[] = [];
    const core = createCosDirect(c.options, { log: { info() {}, error() {}, warn: (_o, msg) => warned.push(msg) } });
    expect(warned).toEqual([expect.stringContaining('ap-newcity is not in the list of COS regions')]);
    const report = await core.checkReadiness();
    expect(report.ready).toBe(true);
    expect(report.checks.region).toMatchObject({ state: 'ok', reason: expect.stringContaining('allowUnknownRegion') });
    expect(report.checks.sts.state).toBe('skipped');
    expect(() => loadConfig({ ...seedEnv, PERSIST_BUCKET_REGION: 'ap-guangzhou', STARTUP_CHECKS: 'maybe' })).toThrow(/on or off/);
  });
});

describe('an STS out of reach', () => {
  it('at a closed port: the server starts not ready, says why, and a ticket names the failure', async () => {
    const s = await listening({ stsEndpoint: `127.0.0.1:${await closedPort()}` });
    const { status, body } = await readyz(s.url);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'not-ready', ready: false });
    expect(body.checks.sts).toMatchObject({ state: 'failed', failure: 'connect', code: 'ECONNREFUSED' });
    expect(body.checks.sts.reason).toMatch(/the connection to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/);
    expect(body.checks.bucket.state).toBe('pending');
    expect(body.checks.region.state).toBe('ok');
    expect(s.logs).toContainEqual(
      expect.objectContaining({ msg: 'readiness check failed: STS (connect)', check: 'sts', code: 'ECONNREFUSED' }),
    );

    // Liveness stays 200: the process serves; /healthz keeps its status and adds the checks.
    const health = await fetch(s.url + SIGN_SERVER_PATHS.health);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', ready: false, checks: { sts: { state: 'failed' } } });
    expect((await fetch(s.url + SIGN_SERVER_PATHS.live)).status).toBe(200);

    const t = await ticket(s.url, '/sts-direct-sign?ext=jpg');
    expect(t.status).toBe(502);
    expect(t.json.code).toBe('SRV_ERR_STS_UNREACHABLE');
    expect(s.logs).toContainEqual(
      expect.objectContaining({ msg: 'STS could not be reached', failure: 'connect', code: 'ECONNREFUSED', sts: expect.any(String) }),
    );
    expect(s.logs.map((l) => l.msg)).not.toContain('COS refused a request of the server');
  });

  it('at a name that does not resolve: a DNS failure, at start and for a ticket', async () => {
    const s = await listening({ stsEndpoint: 'sts.invalid' });
    const { status, body } = await readyz(s.url);
    expect(status).toBe(503);
    expect(body.checks.sts).toMatchObject({ state: 'failed', failure: 'dns', code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/) });
    expect(body.checks.sts.reason).toMatch(/sts\.invalid could not be resolved \(DNS, /);
    const t = await ticket(s.url, '/post-policy?ext=jpg');
    expect(t.json.code).toBe('SRV_ERR_STS_UNREACHABLE');
    expect(t.json.message).toMatch(/sts\.invalid could not be resolved/);
    expect(s.logs).toContainEqual(expect.objectContaining({ msg: 'STS could not be reached', failure: 'dns' }));
  });

  it('behind a certificate this process does not trust: a TLS failure', async () => {
    // An emulator with a CA of its own, which NODE_EXTRA_CA_CERTS does not name.
    const untrusted = await startInProcessCosEmulator({ caDir: await mkdtemp(join(tmpdir(), 'cos-server-untrusted-ca-')) });
    try {
      const core = createCosDirect(untrusted.getSignServerOptions());
      const { checks } = await core.checkReadiness();
      expect(checks.sts).toMatchObject({ state: 'failed', failure: 'tls', reason: expect.stringContaining('NODE_EXTRA_CA_CERTS') });
    } finally {
      await untrusted.emulator.close();
    }
  });

  it('that never answers: a timeout, with the deadline in the reason', async () => {
    const sockets: Socket[] = [];
    const hanging: Server = createNetServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined).resume();
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    try {
      const s = await listening({ stsEndpoint: `127.0.0.1:${(hanging.address() as { port: number }).port}`, stsTimeoutMs: 300 });
      const { body } = await readyz(s.url);
      expect(body.checks.sts).toMatchObject({ state: 'failed', failure: 'timeout', reason: expect.stringMatching(/within 300 ms/) });
    } finally {
      for (const socket of sockets) socket.destroy();
      hanging.close();
    }
  });

  it('comes back: a check on demand sees STS again (the library form)', async () => {
    const port = await closedPort();
    const emu = await stack({ startupChecks: false });
    const target = Number(emu.emulatorOptions.stsEndpoint!.split(':').at(-1));
    // A relay on the port the core was given, opened only after the first check failed.
    const relay = createNetServer((socket) => {
      const upstream = connect(target, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    const core = createCosDirect({ ...emu.emulatorOptions, stsEndpoint: `127.0.0.1:${port}` });
    try {
      expect((await core.checkReadiness()).checks.sts).toMatchObject({ state: 'failed', failure: 'connect' });
      await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
      // Within the recheck interval the failed state stands (a probe cannot hammer STS); `fresh` looks now.
      expect((await core.checkReadiness()).ready).toBe(false);
      const now = await core.checkReadiness({ fresh: true });
      expect(now).toMatchObject({ ready: true, checks: { sts: { state: 'ok' }, bucket: { state: 'ok' } } });
    } finally {
      await core.close();
      relay.close();
      await emu.close();
    }
  });
});

describe('a key or bucket COS does not accept', () => {
  let emu: Stack;
  beforeAll(async () => {
    emu = await stack({ startupChecks: false });
  });
  afterAll(() => emu.close());

  it("names STS's own error code for a wrong SecretKey", async () => {
    const core = createCosDirect({ ...emu.emulatorOptions, secretKey: 'not-the-key' });
    const { ready, checks } = await core.checkReadiness();
    expect(ready).toBe(false);
    expect(checks.sts).toMatchObject({ state: 'failed', failure: 'refused', code: expect.stringMatching(/^AuthFailure/) });
    // The library's counters, for an app's own /metrics route.
    const text = await core.metrics();
    expect(sample(text, 'cos_direct_sts_calls_total{outcome="refused"}')).toBe(1);
    expect(core.metricsContentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('says the bucket refused a HEAD with the temporary key', async () => {
    // The emulator serves its one bucket at this host; a key scoped to another bucket may not HEAD it.
    const core = createCosDirect({ ...emu.emulatorOptions, bucket: 'other-1250000000' });
    const { checks } = await core.checkReadiness();
    expect(checks.sts.state).toBe('ok');
    expect(checks.bucket).toMatchObject({ state: 'failed', failure: 'refused', code: 'AccessDenied' });
    expect(checks.bucket.reason).toMatch(/other-1250000000 .* refused a HEAD .* \(403\)/);
  });
});

describe('a COS out of reach', () => {
  it('fails the bucket check and a confirmation with the cause, never as a refusal of COS', async () => {
    const emu = await stack({ startupChecks: false });
    try {
      const s = await listening({ ...emu.emulatorOptions, cosHost: `127.0.0.1:${await closedPort()}` });
      const { status, body } = await readyz(s.url);
      expect(status).toBe(503);
      expect(body.checks.sts.state).toBe('ok');
      expect(body.checks.bucket).toMatchObject({ state: 'failed', failure: 'connect', code: 'ECONNREFUSED' });
      expect(body.checks.bucket.reason).toMatch(/HEAD \/: the connection to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\).*COS_HOST/);
      const d = (await ticket(s.url, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
      const confirm = await fetch(`${s.url}/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ confirmToken: d.confirmToken }),
      });
      expect(confirm.status).toBe(502);
      expect(await confirm.json()).toEqual({ code: 'SRV_ERR_COS_FAILED', message: 'COS could not be reached by the server' });
      expect(s.logs).toContainEqual(expect.objectContaining({ msg: 'COS could not be reached', failure: 'connect', code: 'ECONNREFUSED' }));
      expect(s.logs.map((l) => l.msg)).not.toContain('COS refused a request of the server');
    } finally {
      await emu.close();
    }
  });
});

describe('against the emulator', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ metrics: true });
  });
  afterAll(() => s.close());

  it('is ready: STS issued a key and the bucket answered a HEAD with it', async () => {
    const { status, body } = await readyz(s.base);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      ready: true,
      checks: { region: { state: 'ok' }, sts: { state: 'ok' }, bucket: { state: 'ok' }, rateLimitStore: { state: 'skipped' } },
    });
  });

  it('counts tickets by kind and outcome, STS calls, key cache hits and confirmations at /metrics', async () => {
    await readyz(s.base);
    const direct = [];
    for (let i = 0; i < 3; i++) direct.push((await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket);
    expect((await ticket(s.base, '/post-policy?ext=jpg')).status).toBe(200);
    expect((await ticket(s.base, '/sts-multipart?ext=jpg&size=10')).status).toBe(200);
    expect((await ticket(s.base, '/sts-direct-sign?ext=exe')).json.code).toBe('SRV_ERR_INVALID_EXTENSION');
    const d = direct[0]!;
    const headers = { 'content-length': 2, authorization: d.authorization, 'x-cos-security-token': d.securityToken, host: d.cosHost };
    expect((await seedPut(d.cosUrl, headers, [Buffer.from('hi')], s.emu.info.caCert!)).status).toBe(200);
    expect((await post(s, '/confirm', { confirmToken: d.confirmToken })).status).toBe(200);
    expect((await post(s, '/confirm', { confirmToken: 'forged' })).json.code).toBe('SRV_ERR_INVALID_CONFIRM_TOKEN');

    const res = await fetch(s.base + SIGN_SERVER_PATHS.metrics);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'cos_direct_tickets_total{kind="direct",outcome="ok"}')).toBe(3);
    expect(sample(text, 'cos_direct_tickets_total{kind="direct",outcome="SRV_ERR_INVALID_EXTENSION"}')).toBe(1);
    expect(sample(text, 'cos_direct_tickets_total{kind="post",outcome="ok"}')).toBe(1);
    expect(sample(text, 'cos_direct_tickets_total{kind="multipart",outcome="ok"}')).toBe(1);
    // Three direct tickets share one key (one miss, two hits); the POST ticket's shape is a miss of its own.
    expect(sample(text, 'cos_direct_key_cache_lookups_total{result="hit"}')).toBe(2);
    expect(sample(text, 'cos_direct_key_cache_lookups_total{result="miss"}')).toBe(2);
    // The start-up check, the two shared keys and the multipart ticket's own key.
    expect(sample(text, 'cos_direct_sts_calls_total{outcome="ok"}')).toBe(4);
    expect(sample(text, 'cos_direct_sts_call_duration_seconds_count{outcome="ok"}')).toBe(4);
    expect(sample(text, 'cos_direct_confirmations_total{kind="confirm",outcome="ok"}')).toBe(1);
    expect(sample(text, 'cos_direct_confirmations_total{kind="confirm",outcome="SRV_ERR_INVALID_CONFIRM_TOKEN"}')).toBe(1);
  });

  it('serves /metrics only when asked to', async () => {
    const plain = await listening({ ...s.emulatorOptions, startupChecks: false });
    expect((await fetch(plain.url + SIGN_SERVER_PATHS.metrics)).status).toBe(404);
    expect((await readyz(plain.url)).body.checks.sts.state).toBe('skipped');
  });
});
