import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunningEmulator } from '@cos-direct/emulator';
import { signRequest } from '@cos-direct/signer';
import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshProject, npmInstall, packWorkspaces, publishableWorkspaces, repo } from './support/pack.js';

// The sign server as a library, as a user installs it: the packed tarballs and each framework from the
// registry in a fresh project per host, running the server README's own examples (a Fastify app, an Express
// app, a Next.js route handler, each authenticating a bearer token and keeping each user's uploads under
// users/<id>/). Each host serves the seed's Flutter request sequence and the packed client, and a ticket
// of one user cannot write under another user's folder: the emulator refuses it as COS would.

const readme = await readFile(join(repo, 'apps/server/README.md'), 'utf8');
function example(name: string): string {
  const m = new RegExp(`<!-- example: ${name} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!m) throw new Error(`apps/server/README.md has no example "${name}"`);
  return m[1]!;
}

// The session tokens the README examples stand in for an app's sessions with.
const TOKENS = { alice: 'Bearer alice-session', bob: 'Bearer bob-session' } as const;

// The packed client, run in the host's project: uploads a file and prints its result.
const CLIENT_SCRIPT = `import { upload } from '@cos-direct/client';
const { file, signUrl, authorization, multipart } = JSON.parse(process.env.INPUT);
const result = await upload(file, {
  signUrl,
  headers: { authorization },
  ...(multipart ? { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024 } : {}),
});
console.log(JSON.stringify(result));
`;

interface Host {
  /** Registry packages beside the tarballs. */
  deps: string[];
  /** Files of the app, by path in its project. */
  files: Record<string, string>;
  /** Where the ticket routes answer, under http://127.0.0.1:<port>. */
  mount: string;
  /** Runs before the app starts (a production build). */
  build?: string[];
  /** The command that serves the app on PORT, run with this Node from the project. */
  start: (port: number) => string[];
}

const HOSTS: Record<string, Host> = {
  fastify: {
    deps: ['fastify@^5'],
    files: { 'app.mjs': example('fastify') },
    mount: '/uploads',
    start: () => ['app.mjs'],
  },
  express: {
    deps: ['express@^5'],
    files: { 'app.mjs': example('express') },
    mount: '/uploads',
    start: () => ['app.mjs'],
  },
  next: {
    deps: ['next@^16', 'react@^19', 'react-dom@^19'],
    files: { 'app/api/uploads/[...path]/route.js': example('fetch'), 'next.config.mjs': 'export default {};\n' },
    mount: '/api/uploads',
    build: ['node_modules/next/dist/bin/next', 'build'],
    start: (port) => ['node_modules/next/dist/bin/next', 'start', '--port', String(port), '--hostname', '127.0.0.1'],
  },
};

const PACKAGES = ['@cos-direct/server', '@cos-direct/protocol', '@cos-direct/signer', '@cos-direct/client'];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs this Node in `cwd`; resolves with what it printed, rejects with it on a non-zero exit. */
function node(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`node ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

interface Running {
  base: string;
  child: ChildProcess;
  output: () => string;
  project: string;
  /** Seconds spent installing, building and starting. */
  timings: Record<string, number>;
}

let emu: RunningEmulator;
let dispatcher: Agent;
let packs = '';
let serverEnv: NodeJS.ProcessEnv;
const running = new Map<string, Running>();
const since = (t: number) => Math.round((performance.now() - t) / 100) / 10;

/** A fresh project for the host, its app written, installed, built when it has a build, and serving. */
async function startHost(name: string, host: Host, tarballs: string[]): Promise<Running> {
  const timings: Record<string, number> = {};
  const project = await freshProject(`cos-host-${name}-`);
  for (const [path, text] of Object.entries(host.files)) {
    await mkdir(dirname(join(project, path)), { recursive: true });
    await writeFile(join(project, path), text);
  }
  await writeFile(join(project, 'client.mjs'), CLIENT_SCRIPT);
  let t = performance.now();
  // undici: the client's Node build sends with it, a peer its README tells Node projects to install.
  await npmInstall(project, [...tarballs, 'undici@^7', ...host.deps]);
  timings.install = since(t);
  if (host.build) {
    t = performance.now();
    await node(host.build, project, serverEnv);
    timings.build = since(t);
  }
  t = performance.now();
  const port = await freePort();
  // Its own process group, so that stopping it also stops what it started.
  const child = spawn(process.execPath, host.start(port), {
    cwd: project,
    env: { ...serverEnv, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}${host.mount}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}:\n${output}`);
    const res = await fetch(`${base}/limits`, { headers: { authorization: TOKENS.alice } }).catch(() => undefined);
    if (res?.status === 200) break;
    if (performance.now() - t > 60_000) throw new Error(`${name} did not answer on ${base} within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  timings.start = since(t);
  return { base, child, output: () => output, project, timings };
}

function stop(r: Running): Promise<void> {
  if (r.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    r.child.once('exit', () => resolve());
    process.kill(-r.child.pid!, 'SIGTERM');
  });
}

/** The object at a key, read with the emulator's root key. */
async function getObject(key: string): Promise<{ status: number; body: Buffer }> {
  const host = new URL(emu.info.cos.https!).host;
  const auth = signRequest({ method: 'GET', pathname: `/${key}`, headers: { host } }, { credentials: emu.info.credentials });
  const res = await request(`https://${host}/${key}`, { headers: { authorization: auth.authorization }, dispatcher });
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  const started = performance.now();
  const handle = await startInProcessCosEmulator({ caDir: process.env.COS_DIRECT_E2E_CA_DIR });
  emu = handle.emulator;
  dispatcher = new Agent({ connect: { ca: emu.info.caCert } });
  const o = handle.getSignServerOptions();
  // The settings as an operator sets them; the CA of the emulator's STS and COS is trusted through
  // NODE_EXTRA_CA_CERTS, which the suite's setup exported.
  serverEnv = {
    ...process.env,
    COS_SECRET_ID: o.secretId,
    COS_SECRET_KEY: o.secretKey,
    PERSIST_BUCKET: o.bucket,
    PERSIST_BUCKET_REGION: o.region,
    STS_ENDPOINT: o.stsEndpoint,
    COS_HOST: o.cosHost,
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
  };
  packs = await mkdtemp(join(tmpdir(), 'cos-host-packs-'));
  const workspaces = (await publishableWorkspaces()).filter((w) => PACKAGES.includes(w.name));
  const tarballs = [...(await packWorkspaces(workspaces, packs)).tarballs.values()];
  const packedIn = since(started);
  // The hosts install, build and start side by side, all from npm's one cache.
  const hosts = await Promise.all(
    Object.entries(HOSTS).map(async ([name, host]) => [name, await startHost(name, host, tarballs)] as const),
  );
  for (const [name, r] of hosts) running.set(name, r);
  console.info(
    `hosts ready in ${since(started)} s (packing ${packedIn} s): ` +
      hosts
        .map(
          ([name, r]) =>
            `${name} ${Object.entries(r.timings)
              .map(([k, v]) => `${k} ${v} s`)
              .join(', ')}`,
        )
        .join('; '),
  );
}, 600_000);

afterAll(async () => {
  await Promise.all([...running.values()].map(stop));
  await dispatcher?.close();
  await emu?.close();
  for (const dir of [packs, ...[...running.values()].map((r) => r.project)]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(Object.keys(HOSTS))('the sign server in a %s app, from the packed tarballs', (name) => {
  const host = () => running.get(name)!;
  const ticket = async (path: string, user: keyof typeof TOKENS) => {
    const res = await fetch(`${host().base}${path}`, { headers: { authorization: TOKENS[user] } });
    const body = (await res.json()) as { code: number | string; data: any };
    expect(res.status, `${path}: ${JSON.stringify(body)}\n${host().output()}`).toBe(200);
    return body.data;
  };

  it("serves the seed's request sequence into the user's folder", async () => {
    const data = await ticket('/sts-direct-sign?ext=jpg', 'alice');
    expect(data.cosKey).toMatch(/^users\/alice\/\d{8}\/[A-Za-z0-9_-]{22}\.jpg$/);
    // What the Flutter client sends, and nothing more.
    const bytes = randomBytes(64 * 1024);
    const put = await request(`https://${data.cosHost}/${data.cosKey}`, {
      method: 'PUT',
      headers: {
        'Content-Length': String(bytes.length),
        'Content-Type': 'application/octet-stream',
        Authorization: data.authorization,
        'x-cos-security-token': data.securityToken,
        Host: data.cosHost,
      },
      body: bytes,
      dispatcher,
    });
    expect(put.statusCode, await put.body.text()).toBe(200);
    const stored = await getObject(data.cosKey);
    expect(stored.status).toBe(200);
    expect(sha(stored.body)).toBe(sha(bytes));
  });

  it('uploads with the packed client, single and multipart, into the user folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cos-host-files-'));
    try {
      for (const [size, multipart] of [
        [100_000, false],
        [2_500_000, true],
      ] as const) {
        const file = join(dir, `photo-${size}.jpg`);
        const bytes = randomBytes(size);
        await writeFile(file, bytes);
        const input = { file, signUrl: host().base, authorization: TOKENS.bob, multipart };
        const out = await node(['client.mjs'], host().project, { ...process.env, INPUT: JSON.stringify(input) });
        const result = JSON.parse(out.trim().split('\n').at(-1)!);
        expect(result).toMatchObject({ method: multipart ? 'multipart' : 'put', size });
        expect(result.key).toMatch(/^users\/bob\/\d{8}\/[A-Za-z0-9_-]{22}\.jpg$/);
        const stored = await getObject(result.key);
        expect(sha(stored.body)).toBe(sha(bytes));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a ticket of one user on another user's folder, and its confirmation to another user", async () => {
    // Bob's folder, with a key of his own tickets' shape.
    const bobs = (await ticket('/sts-direct-sign?ext=jpg', 'bob')).cosKey as string;
    const put = async (url: string, headers: Record<string, string>) => {
      const res = await request(url, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream', ...headers },
        body: 'x',
        dispatcher,
      });
      return { status: res.statusCode, text: await res.body.text() };
    };

    // Alice's signed PUT, replayed on Bob's key.
    const direct = await ticket('/sts-direct-sign?ext=jpg', 'alice');
    const replayed = await put(`https://${direct.cosHost}/${bobs}`, {
      Authorization: direct.authorization,
      'x-cos-security-token': direct.securityToken,
    });
    expect(replayed.status, replayed.text).toBe(403);
    // Nor may Bob confirm what Alice's ticket stored.
    const confirm = await fetch(`${host().base}/confirm`, {
      method: 'POST',
      headers: { authorization: TOKENS.bob, 'content-type': 'application/json' },
      body: JSON.stringify({ confirmToken: direct.confirmToken }),
    });
    expect(confirm.status).toBe(403);
    expect(((await confirm.json()) as { code: string }).code).toBe('SRV_ERR_FORBIDDEN');

    // Alice's temporary key (a multipart ticket hands it out), signing a PUT of Bob's key itself: the
    // key's policy names Alice's one object, so COS refuses it however well it is signed.
    const multi = await ticket('/sts-multipart?ext=jpg&size=10', 'alice');
    expect(multi.cosKey).toMatch(/^users\/alice\//);
    const { tmpSecretId, tmpSecretKey, sessionToken } = multi.credentials;
    const signedFor = (key: string) =>
      signRequest(
        { method: 'PUT', pathname: `/${key}`, headers: { host: multi.cosHost } },
        { credentials: { secretId: tmpSecretId, secretKey: tmpSecretKey, securityToken: sessionToken } },
      ).authorization;
    const own = await put(`https://${multi.cosHost}/${multi.cosKey}`, {
      Authorization: signedFor(multi.cosKey),
      'x-cos-security-token': sessionToken,
    });
    expect(own.status, own.text).toBe(200);
    const other = await put(`https://${multi.cosHost}/${bobs}`, { Authorization: signedFor(bobs), 'x-cos-security-token': sessionToken });
    expect(other.status, other.text).toBe(403);
    expect(other.text).toContain('<Code>AccessDenied</Code>');
    expect((await getObject(bobs)).status).toBe(404);
  });
});
