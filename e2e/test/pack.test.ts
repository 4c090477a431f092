import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc64ecma } from '@cos-direct/signer/crc64';
import { presignRequest, signPostPolicy, signRequest, signStsV1, verifyRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every publishable workspace (not private, under packages/ or apps/, with a built dist) is packed with
// `pnpm pack`, all tarballs are installed together into a fresh project with npm (so workspace
// dependencies resolve to the local tarballs), and a script per package imports it and calls something
// from that clean project. A new publishable workspace fails this suite until it gets an entry in CHECKS.

const repo = fileURLToPath(new URL('../..', import.meta.url));
const pnpmVersion = (JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { packageManager: string }).packageManager.split(
  '@',
)[1];

interface Check {
  /** ES module run with `node` in the consumer project. Reads INPUT (JSON) from the env, prints a JSON result. */
  script: string;
  /** Input handed to the script. */
  input?: unknown;
  /** Asserts on the script's JSON output. */
  expect?: (output: unknown) => void;
}

// One request with the awkward parts (key with spaces, +, unicode, brackets; value-less and mixed-case
// parameters; a temporary key), signed by the in-repo signer and by the installed tarball.
const signerInput = {
  request: {
    method: 'PUT',
    pathname: '/dir/a b+c/中文(1)!*.txt',
    query: { partNumber: '3', uploadId: '1585130821cbb7df1d1184', uploads: '' },
    headers: { Host: '127.0.0.1:9000', 'Content-Length': '13', 'x-cos-meta-Author': 'Zhang San', 'Content-Type': 'text/plain' },
  },
  options: {
    credentials: {
      secretId: 'AKIDEXAMPLEsecretid0000000000000000',
      secretKey: 'EXAMPLEsecretkey00000000000000000',
      securityToken: 'tok/en+==',
    },
    keyTime: '1700000000;1700000900',
  },
  policy: '{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"examplebucket-1250000000"}]}',
  sts: {
    Action: 'GetFederationToken',
    Nonce: 12345,
    Timestamp: 1700000000,
    Policy: '%7B%7D',
    SecretId: 'AKIDEXAMPLEsecretid0000000000000000',
  },
};

const CHECKS: Record<string, Check> = {
  '@cos-direct/signer': {
    input: signerInput,
    script: `import { presignRequest, signPostPolicy, signRequest, signStsV1, verifyRequest, SignerError } from '@cos-direct/signer';
      import { crc64ecma } from '@cos-direct/signer/crc64';
      const { request, options, policy, sts } = JSON.parse(process.env.INPUT);
      const signed = signRequest(request, options);
      let error;
      try { signRequest({ method: 'GET', pathname: 'no-slash' }, options); } catch (e) { error = { isSignerError: e instanceof SignerError, code: e.code }; }
      console.log(JSON.stringify({
        authorization: signed.authorization,
        stringToSign: signed.stringToSign,
        presigned: presignRequest(request, options).query,
        verified: verifyRequest(request, signed.fields, options.credentials.secretKey).valid,
        post: signPostPolicy(policy, options),
        sts: signStsV1(sts, options.credentials.secretKey, { host: 'sts.tencentcloudapi.com' }),
        crc: crc64ecma('hello'),
        error,
      }));`,
    expect: (output) => {
      const { request, options, policy, sts } = signerInput;
      const signed = signRequest(request, options);
      expect(output).toEqual({
        authorization: signed.authorization,
        stringToSign: signed.stringToSign,
        presigned: presignRequest(request, options).query,
        verified: true,
        post: signPostPolicy(policy, options),
        sts: signStsV1(sts, options.credentials.secretKey, { host: 'sts.tencentcloudapi.com' }),
        crc: crc64ecma('hello'),
        error: { isSignerError: true, code: 'SIGN_ERR_INVALID_ARGUMENT' },
      });
      expect(verifyRequest(request, signed.fields, options.credentials.secretKey).valid).toBe(true);
    },
  },
  '@cos-direct/emulator': {
    script: `import { startEmulator } from '@cos-direct/emulator';
      const e = await startEmulator({ httpsPort: false });
      const r = await fetch(e.info.cos.http + '//_emulator/health');
      await e.close();
      console.log(JSON.stringify({ status: r.status }));`,
    expect: (output) => expect(output).toEqual({ status: 200 }),
  },
  '@cos-direct/server': {
    script: `import { createServer } from '@cos-direct/server';
      const app = await createServer({ secretId: 'AKIDx', secretKey: 'secret-key', bucket: 'b-1250000000', region: 'ap-guangzhou', rateLimit: false });
      const r = await app.inject({ url: '/sts-direct-sign?ext=exe' });
      await app.close();
      console.log(JSON.stringify({ code: r.json().code }));`,
    expect: (output) => expect(output).toEqual({ code: 'SRV_ERR_INVALID_EXTENSION' }),
  },
  '@cos-direct/client': {
    script: `import { upload, CosDirectError } from '@cos-direct/client';
      const e = await upload(Buffer.from('x'), { ext: 'jpg', getTicket: async () => { throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', 'no server here'); } }).catch((x) => x);
      console.log(JSON.stringify({ code: e.code }));`,
    expect: (output) => expect(output).toEqual({ code: 'CLIENT_ERR_SIGN_SERVER' }),
  },
  '@cos-direct/testcontainers': {
    script: `import { startInProcessCosEmulator } from '@cos-direct/testcontainers';
      import { mkdtempSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const e = await startInProcessCosEmulator({ caDir: mkdtempSync(join(tmpdir(), 'cos-pack-ca-')) });
      const hasCa = e.getCaCertificate().includes('BEGIN CERTIFICATE');
      await e.stop();
      console.log(JSON.stringify({ hasCa }));`,
    expect: (output) => expect(output).toEqual({ hasCa: true }),
  },
};

interface Workspace {
  dir: string;
  name: string;
}

async function publishableWorkspaces(): Promise<Workspace[]> {
  const found: Workspace[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const entry of await readdir(join(repo, parent), { withFileTypes: true })) {
      const dir = join(repo, parent, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'package.json'))) continue;
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean };
      if (manifest.private || !existsSync(join(dir, 'dist'))) continue;
      found.push({ dir, name: manifest.name });
    }
  }
  return found;
}

const workspaces = await publishableWorkspaces();
let project = '';
let packs = '';
const packed = new Map<string, string[]>();

describe('published packages install and work in a clean project', () => {
  beforeAll(async () => {
    packs = await mkdtemp(join(tmpdir(), 'cos-pack-'));
    for (const w of workspaces) {
      const before = new Set(await readdir(packs));
      execFileSync('npx', ['-y', `pnpm@${pnpmVersion}`, 'pack', '--pack-destination', packs], { cwd: w.dir, stdio: 'ignore' });
      const tarball = (await readdir(packs)).find((f) => f.endsWith('.tgz') && !before.has(f));
      if (!tarball) throw new Error(`pnpm pack produced no tarball for ${w.name}`);
      const listing = execFileSync('tar', ['-tzf', join(packs, tarball)], { encoding: 'utf8' });
      packed.set(w.name, listing.split('\n').filter(Boolean));
    }
    project = await mkdtemp(join(tmpdir(), 'cos-consumer-'));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const tarballs = (await readdir(packs)).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
      cwd: project,
      stdio: 'inherit',
      timeout: 600_000,
    });
  }, 900_000);

  afterAll(async () => {
    for (const dir of [project, packs]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds the publishable workspaces, each with a check', () => {
    expect(workspaces.map((w) => w.name)).toContain('@cos-direct/signer');
    for (const w of workspaces) expect(CHECKS, `add a CHECKS entry for ${w.name}`).toHaveProperty([w.name]);
  });

  it.each(workspaces.map((w) => w.name))('%s', async (name) => {
    const files = packed.get(name)!;
    expect(files).toContain('package/package.json');
    expect(files.some((f) => f.startsWith('package/dist/'))).toBe(true);
    expect(files.filter((f) => /^package\/(src|test)\//.test(f) || /\.test\.[cm]?[jt]s$/.test(f))).toEqual([]);

    const manifest = JSON.parse(await readFile(join(project, 'node_modules', name, 'package.json'), 'utf8'));
    expect(JSON.stringify(manifest)).not.toMatch(/workspace:|catalog:/);
    // A workspace dependency resolves to the tarball beside it, not to a registry copy.
    for (const dep of Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@cos-direct/'))) {
      const installed = JSON.parse(await readFile(join(project, 'node_modules', dep, 'package.json'), 'utf8'));
      const local = JSON.parse(await readFile(join(workspaces.find((x) => x.name === dep)!.dir, 'package.json'), 'utf8'));
      expect(installed.version, dep).toBe(local.version);
      expect(existsSync(join(project, 'node_modules', name, 'node_modules', dep)), `${name} nests its own ${dep}`).toBe(false);
    }

    const check = CHECKS[name]!;
    const script = join(project, `check-${name.split('/')[1]}.mjs`);
    await writeFile(script, check.script);
    const stdout = execFileSync(process.execPath, [script], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, INPUT: JSON.stringify(check.input ?? null) },
      timeout: 120_000,
    });
    const lastLine = stdout.trim().split('\n').at(-1)!;
    check.expect?.(JSON.parse(lastLine));
  });
});
