import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { RunningEmulator } from '@cos-direct/emulator';
import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, cosDirectMiddleware, cosDirectTickets, createCosDirect, createFetchHandler } from '../src/index.js';

// Issue 23: each adapter mounted in a host app, from the README's own code blocks.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const dir = new URL('./.examples/', import.meta.url);

/** Writes the README's block after `<!-- example: name -->` to a module and imports it. */
async function example<T>(name: string, env: Record<string, string>): Promise<T> {
  const m = new RegExp(`<!-- example: ${name} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!m) throw new Error(`the README has no example "${name}"`);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}.mjs`, dir);
  writeFileSync(file, m[1]!);
  Object.assign(process.env, env);
  return (await import(/* @vite-ignore */ file.href)) as T;
}

const secret = 'a-jwt-secret-that-is-at-least-32-chars!!';
const jwt = (sub: string) =>
  new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));

let emu: RunningEmulator;
let options: ReturnType<Awaited<ReturnType<typeof startInProcessCosEmulator>>['getSignServerOptions']>;
let env: Record<string, string>;
beforeAll(async () => {
  const handle = await startInProcessCosEmulator({ caDir: process.env.COS_DIRECT_SERVER_TEST_CA_DIR });
  emu = handle.emulator;
  options = handle.getSignServerOptions();
  env = {
    COS_SECRET_ID: options.secretId,
    COS_SECRET_KEY: options.secretKey,
    PERSIST_BUCKET: options.bucket,
    PERSIST_BUCKET_REGION: options.region,
    STS_ENDPOINT: options.stsEndpoint,
    COS_HOST: options.cosHost,
    PORT: '0',
  };
});
afterAll(() => emu.close());

describe('the Fastify plugin in a host app', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    ({ app } = await example<{ app: FastifyInstance }>('fastify', { ...env, JWT_SECRET: secret, CORS_ORIGINS: '*' }));
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(() => app.close());

  it('serves the tickets under its prefix, and nowhere else', async () => {
    const auth = { authorization: `Bearer ${await jwt('alice')}` };
    const res = await fetch(`${base}/uploads/sts-direct-sign?ext=jpg`, { headers: auth });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.cosKey).toMatch(/^images\/\d{8}\//);
    expect((await fetch(`${base}/sts-direct-sign?ext=jpg`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/uploads/sts-direct-sign?ext=jpg`)).status).toBe(401);
  });

  it("answers CORS on its own routes only, never on the app's", async () => {
    const origin = 'https://any.example';
    const preflight = await fetch(`${base}/uploads/confirm`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    const own = await fetch(`${base}/`, { headers: { origin } });
    expect(await own.text()).toBe('my app');
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('registers again under another prefix, and refuses the same prefix with a clear error', async () => {
    const host = Fastify();
    await host.register(cosDirectTickets, { prefix: '/a', options: { ...options, rateLimit: false } });
    await host.register(cosDirectTickets, { prefix: '/b', options: { ...options, rateLimit: false } });
    const a = await host.inject({ url: '/a/limits' });
    const b = await host.inject({ url: '/b/limits' });
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    await host.close();
    const twice = Fastify();
    twice.register(cosDirectTickets, { prefix: '/a', options: { ...options, rateLimit: false } });
    twice.register(cosDirectTickets, { prefix: '/a', options: { ...options, rateLimit: false } });
    const e = await twice.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues[0]).toMatchObject({ code: 'SRV_ERR_CONFIG_CONFLICT', option: 'prefix' });
    await Promise.resolve(twice.close()).catch(() => {});
  });
});

describe("readiness and metrics on an app's own routes", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    ({ server } = await example<{ server: Server }>('health', env));
    await new Promise((r) => (server.listening ? r(undefined) : server.once('listening', r)));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('answers the checks and the counters from the core', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { sts: { state: 'ok' }, bucket: { state: 'ok' } } });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toContain('cos_direct_sts_calls_total{outcome="ok"} 1\n');
  });
});

describe('the Express middleware in a host app', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    ({ server } = await example<{ server: Server }>('express', env));
    await new Promise((r) => (server.listening ? r(undefined) : server.once('listening', r)));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(base + path, {
      method: 'POST',
      headers: { authorization: 'Bearer alice-session', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it("answers a POST ticket after express.json() read the body, in the user's folder", async () => {
    const res = await post('/uploads/sts-direct-sign', { ext: 'png' });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as any;
    expect(data.cosKey).toMatch(/^users\/alice\/\d{8}\/[A-Za-z0-9_-]{22}\.png$/);
    const confirm = await post('/uploads/confirm', { confirmToken: data.confirmToken });
    expect(((await confirm.json()) as any).code).toBe('SRV_ERR_NOT_UPLOADED');
  });

  it('refuses an unknown caller through the app, and leaves other paths to it', async () => {
    const res = await post('/uploads/sts-direct-sign', { ext: 'png' }, { authorization: 'Bearer nobody' });
    expect(res.status).toBe(401);
    expect((await fetch(`${base}/uploads/elsewhere`)).status).toBe(404);
  });

  it('reads its own body without a body parser, form fields too, and limits it', async () => {
    const bare = express();
    bare.use('/t', cosDirectMiddleware({ ...options, rateLimit: false }));
    const s = bare.listen(0);
    await new Promise((r) => s.once('listening', r));
    const at = `http://127.0.0.1:${(s.address() as { port: number }).port}/t`;
    try {
      const json = await fetch(`${at}/sts-multipart`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ext: 'jpg', size: 10 }),
      });
      expect(((await json.json()) as any).data.maxSize).toBe(10);
      const form = await fetch(`${at}/post-policy`, { method: 'POST', body: new URLSearchParams({ ext: 'jpg' }) });
      expect(form.status).toBe(200);
      const bad = await fetch(`${at}/post-policy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
      expect(((await bad.json()) as any).code).toBe('SRV_ERR_BAD_REQUEST');
      const big = await fetch(`${at}/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ confirmToken: 'x'.repeat(20_000) }),
      });
      expect(big.status).toBe(413);
      const head = await fetch(`${at}/sts-direct-sign`, { method: 'HEAD' });
      expect(head.status).toBe(405);
    } finally {
      await new Promise((r) => s.close(r));
    }
  });
});

describe('the fetch handler', () => {
  let GET: (r: Request) => Promise<Response>;
  let POST: (r: Request) => Promise<Response>;
  beforeAll(async () => {
    ({ GET, POST } = await example<{ GET: typeof GET; POST: typeof POST }>('fetch', { ...env, JWT_SECRET: secret }));
  });

  it('answers tickets as a Next.js catch-all route would be called', async () => {
    const authorization = `Bearer ${await jwt('bob')}`;
    const got = await GET(new Request('https://app.example/api/uploads/sts-direct-sign?ext=jpg', { headers: { authorization } }));
    expect(got.status).toBe(200);
    expect(got.headers.get('x-ratelimit-limit')).toBe('60');
    const posted = await POST(
      new Request('https://app.example/api/uploads/sts-multipart', {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ ext: 'jpg', size: 100 }),
      }),
    );
    expect(((await posted.json()) as any).data.maxSize).toBe(100);
    const unknown = await GET(new Request('https://app.example/api/uploads/nothing', { headers: { authorization } }));
    expect(unknown.status).toBe(404);
    expect((await GET(new Request('https://app.example/api/uploads/limits'))).status).toBe(401);
  });

  it('honours basePath and counts per user', async () => {
    const handler = createFetchHandler(
      {
        ...options,
        rateLimit: { max: 1, timeWindow: '1 minute' },
        authenticate: (r: Request) => r.headers.get('x-user'),
      },
      { basePath: '/up' },
    );
    const as = (user: string, path = '/up/post-policy?ext=jpg') => handler(new Request(`http://x${path}`, { headers: { 'x-user': user } }));
    expect((await as('ann')).status).toBe(200);
    expect((await as('ann')).status).toBe(429);
    expect((await as('ben')).status).toBe(200);
    expect((await as('ben', '/post-policy?ext=jpg')).status).toBe(404);
    await handler.close();
  });
});

describe('one core under several adapters', () => {
  it('is shared, and its owner closes it', async () => {
    const core = createCosDirect({ ...options, rateLimit: false });
    const web = createFetchHandler(core);
    const node = cosDirectMiddleware(core);
    expect(web.core).toBe(core);
    expect(node.core).toBe(core);
    await web.close();
    await node.close();
    const res = await web(new Request('http://x/limits'));
    expect(((await res.json()) as any).data.allowedExtensions).toContain('jpg');
    await core.close();
  });
});
