import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc64ecma } from '@cos-direct/signer/crc64';
import { presignRequest, signPostPolicy, signRequest, signStsV1, verifyRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmInstall, packWorkspaces, publishableWorkspaces, repo } from './support/pack.js';

// Every publishable workspace (not private, under packages/ or apps/, with a built dist) is packed with
// `pnpm pack`, all tarballs are installed together into a fresh project with npm (so workspace
// dependencies resolve to the local tarballs), and a script per package imports it and calls something
// from that clean project. A new publishable workspace fails this suite until it gets an entry in CHECKS.
// Each tarball must also pass publint and are-the-types-wrong, and a tiny TypeScript consumer type-checks
// against the installed client under every moduleResolution a user can have.

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
      import * as node from '@cos-direct/client/node';
      import * as browser from '@cos-direct/client/browser';
      import { mkdtempSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const e = await upload(Buffer.from('x'), { ext: 'jpg', getTicket: async () => { throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', 'no server here'); } }).catch((x) => x);
      const store = node.fileResumeStore(mkdtempSync(join(tmpdir(), 'cos-pack-resume-')));
      const state = { version: 1, cosHost: 'h', cosKey: 'k', cosUrl: 'u', uploadId: 'id', partSize: 1, size: 1, credentials: { tmpSecretId: 'a', tmpSecretKey: 'b', sessionToken: 'c' }, expiredTime: 1, contentType: 'text/plain' };
      await store.set('one', state);
      console.log(JSON.stringify({
        code: e.code,
        rootIsNode: upload === node.upload,
        resumed: (await store.get('one'))?.uploadId,
        browserStore: typeof browser.localStorageResumeStore,
        sameErrorClass: browser.CosDirectError === CosDirectError,
      }));`,
    // In Node the package root is the Node build, and both builds share one error class.
    expect: (output) =>
      expect(output).toEqual({
        code: 'CLIENT_ERR_SIGN_SERVER',
        rootIsNode: true,
        resumed: 'id',
        browserStore: 'function',
        sameErrorClass: true,
      }),
  },
  '@cos-direct/cli': {
    // The command a user installs, run from the project's node_modules/.bin as npx would.
    script: `import { execFileSync } from 'node:child_process';
      import { readFileSync } from 'node:fs';
      const run = (args) => execFileSync('node_modules/.bin/cos-direct', args, { encoding: 'utf8' });
      const { version } = JSON.parse(readFileSync('node_modules/@cos-direct/cli/package.json', 'utf8'));
      console.log(JSON.stringify({ help: run(['--help']).split('\\n')[0], version: run(['--version']).trim() === version }));`,
    expect: (output) =>
      expect(output).toEqual({
        help: 'cos-direct: upload files straight to Tencent Cloud COS with tickets from a sign server',
        version: true,
      }),
  },
  '@cos-direct/protocol': {
    // The constants as published, and the installed server answering on the paths they name.
    script: `import { MULTIPART_COMPLETIONS, OCTET_STREAM, SIGN_SERVER_PATHS } from '@cos-direct/protocol';
      import { createServer } from '@cos-direct/server';
      const app = await createServer({ secretId: 'AKIDx', secretKey: 'secret-key', bucket: 'b-1250000000', region: 'ap-guangzhou', rateLimit: false, logger: false });
      const health = await app.inject({ url: SIGN_SERVER_PATHS.health });
      const complete = await app.inject({ url: SIGN_SERVER_PATHS.completeMultipart });
      const confirm = await app.inject({ method: 'POST', url: SIGN_SERVER_PATHS.confirm, payload: {} });
      await app.close();
      console.log(JSON.stringify({
        paths: SIGN_SERVER_PATHS,
        octet: OCTET_STREAM,
        completions: MULTIPART_COMPLETIONS,
        health: health.statusCode,
        completeAllows: complete.headers.allow,
        confirmCode: confirm.json().code,
      }));`,
    expect: (output) =>
      expect(output).toEqual({
        paths: {
          directSign: '/sts-direct-sign',
          multipart: '/sts-multipart',
          postPolicy: '/post-policy',
          confirm: '/confirm',
          completeMultipart: '/complete-multipart',
          multipartRefresh: '/sts-multipart-refresh',
          limits: '/limits',
          health: '/healthz',
          live: '/livez',
          ready: '/readyz',
          metrics: '/metrics',
        },
        octet: 'application/octet-stream',
        completions: ['server', 'client'],
        health: 200,
        completeAllows: 'POST',
        confirmCode: 'SRV_ERR_INVALID_CONFIRM_TOKEN',
      }),
  },
  '@cos-direct/uppy': {
    // Uppy's core runs in Node: the plugin installs into it as an uploader, and refuses to start without tickets.
    script: `import Uppy from '@uppy/core';
      import CosDirect, { CosDirectError } from '@cos-direct/uppy';
      const uppy = new Uppy().use(CosDirect, { signUrl: 'http://127.0.0.1:3000', limit: 2 });
      const plugin = uppy.getPlugin('CosDirect');
      let code;
      try { new Uppy().use(CosDirect, {}); } catch (e) { code = e instanceof CosDirectError ? e.code : String(e); }
      console.log(JSON.stringify({ type: plugin.type, limit: plugin.opts.limit, version: CosDirect.VERSION, code }));
      uppy.destroy();`,
    expect: (output) => expect(output).toEqual({ type: 'uploader', limit: 2, version: '0.1.0', code: 'CLIENT_ERR_INVALID_ARGUMENT' }),
  },
  '@cos-direct/testcontainers': {
    script: `import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
      import { CosEmulatorContainer } from '@cos-direct/testcontainers';
      import { mkdtempSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const e = await startInProcessCosEmulator({ caDir: mkdtempSync(join(tmpdir(), 'cos-pack-ca-')) });
      const hasCa = e.getCaCertificate().includes('BEGIN CERTIFICATE');
      const faults = typeof e.emulator.faults.set;
      await e.stop();
      console.log(JSON.stringify({ hasCa, faults, container: typeof CosEmulatorContainer }));`,
    expect: (output) => expect(output).toEqual({ hasCa: true, faults: 'function', container: 'function' }),
  },
};

// A consumer of @cos-direct/client, type-checked against the installed tarball under each moduleResolution a
// user can have. The package root has `browser` and `node` conditions, and TypeScript under
// `moduleResolution: "bundler"` applies neither unless told to (`customConditions`), while the same import
// runs the Node build in Node. When that condition-less branch carried the browser build's types, a Node
// user under bundler resolution could not import `fileResumeStore` (TS2724) and could import
// `localStorageResumeStore`, which is undefined in Node. Now the Node API has its own subpath (`/node`, the
// same types everywhere) and the condition-less root is typed as what both builds share.
const CONSUMER_FILES: Record<string, string> = {
  // The Node API, from the subpath that means the same under every resolution.
  'node-api.ts': `import { Readable } from 'node:stream';
    import { CosDirectError, fileResumeStore, getStsDirectSign, type NodeUploadOptions, type UploadResult, upload } from '@cos-direct/client/node';
    const options: NodeUploadOptions = { signUrl: 'http://127.0.0.1:3000', resumeDir: '/tmp/cos-direct', dispatcher: undefined };
    export const uploads: Promise<UploadResult>[] = [upload('./photo.jpg', options), upload(Readable.from([]), { ...options, size: 0 })];
    export const store = fileResumeStore('/tmp/cos-direct');
    export const ticket = getStsDirectSign('http://127.0.0.1:3000', 'jpg', { dispatcher: undefined });
    export const code: string = new CosDirectError('CLIENT_ERR_NETWORK', 'offline').code;
  `,
  'browser-api.ts': `import { type BrowserUploadOptions, localStorageResumeStore, upload } from '@cos-direct/client/browser';
    const options: BrowserUploadOptions = { signUrl: 'https://sign.example.com', resumeStore: localStorageResumeStore(localStorage) };
    export const result = upload(new File(['x'], 'a.jpg'), options);
  `,
  // The root where TypeScript applies the \`node\` condition: the Node build.
  'root-node.ts': `import { fileResumeStore, upload } from '@cos-direct/client';
    export const store = fileResumeStore();
    export const result = upload('./photo.jpg', { signUrl: 'http://127.0.0.1:3000', dispatcher: undefined });
  `,
  // The root where TypeScript applies neither condition: it may run either build, so only the shared API.
  'root-shared.ts': `import * as root from '@cos-direct/client';
    import { CosDirectError, getStsDirectSign, upload } from '@cos-direct/client';
    export const result = upload(new Uint8Array([1]), { signUrl: 'http://127.0.0.1:3000', name: 'a.jpg' });
    export const ticket = getStsDirectSign('http://127.0.0.1:3000', 'jpg', { headers: {} });
    export const error = new CosDirectError('CLIENT_ERR_NETWORK', 'offline');
    // @ts-expect-error Node only: the browser build has no fileResumeStore
    export const a = root.fileResumeStore;
    // @ts-expect-error browser only: the Node build has no localStorageResumeStore
    export const b = root.localStorageResumeStore;
    // @ts-expect-error a file path is a Node-only source
    export const c = upload('./photo.jpg', { signUrl: 'http://127.0.0.1:3000' });
  `,
  // The root where TypeScript applies the \`browser\` condition: the browser build.
  'root-browser.ts': `import { localStorageResumeStore, upload } from '@cos-direct/client';
    export const result = upload(new Blob(['x']), { signUrl: 'https://sign.example.com', resumeStore: localStorageResumeStore() });
  `,
};

// A Node project has @types/node and no DOM library; a browser project the reverse. Each mode checks the
// files that fit it, with the package's own declarations checked too (skipLibCheck off).
const IN_NODE = { lib: ['ES2022'], types: ['node'] };
const IN_BROWSER = { lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] };
const BUNDLER = { module: 'ESNext', moduleResolution: 'Bundler' };
const TYPE_MODES: Record<string, { compilerOptions: Record<string, unknown>; files: string[] }> = {
  node16: { compilerOptions: { module: 'Node16', moduleResolution: 'Node16', ...IN_NODE }, files: ['node-api.ts', 'root-node.ts'] },
  nodenext: { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', ...IN_NODE }, files: ['node-api.ts', 'root-node.ts'] },
  'bundler, in Node': { compilerOptions: { ...BUNDLER, ...IN_NODE }, files: ['node-api.ts', 'root-shared.ts'] },
  'bundler, in a browser': { compilerOptions: { ...BUNDLER, ...IN_BROWSER }, files: ['browser-api.ts', 'root-shared.ts'] },
  "bundler with customConditions ['node']": {
    compilerOptions: { ...BUNDLER, customConditions: ['node'], ...IN_NODE },
    files: ['node-api.ts', 'root-node.ts'],
  },
  "bundler with customConditions ['browser']": {
    compilerOptions: { ...BUNDLER, customConditions: ['browser'], ...IN_BROWSER },
    files: ['browser-api.ts', 'root-browser.ts'],
  },
};

// A CommonJS TypeScript file: `await import()` works under every Node resolution; a static import compiles
// to require(), which TypeScript allows for ESM under nodenext (Node's require(esm)) and refuses under node16.
const CJS_DYNAMIC = `export async function main() {
  const { createCosDirect } = await import('@cos-direct/server/core');
  const { upload } = await import('@cos-direct/client/node');
  const { signRequest } = await import('@cos-direct/signer');
  const { SIGN_SERVER_PATHS } = await import('@cos-direct/protocol');
  const cos = createCosDirect({ secretId: 'AKIDx', secretKey: 'k', bucket: 'b-1250000000', region: 'ap-guangzhou' });
  const ticket: Promise<{ cosKey: string }> = cos.direct({ ext: 'jpg' });
  const signed: string = signRequest({ method: 'GET', pathname: '/a' }, { credentials: { secretId: 'a', secretKey: 'b' } }).authorization;
  return { ticket, signed, uploads: upload('./a.jpg', { signUrl: 'http://127.0.0.1:3000' }), path: SIGN_SERVER_PATHS.directSign };
}
`;
const CJS_STATIC = `import { createCosDirect } from '@cos-direct/server/core';
import { upload } from '@cos-direct/client/node';
export const made = [createCosDirect, upload];
`;

/** The files an ES module pulls in through relative imports. */
function importGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    importGraph(join(dirname(file), m[1]!), seen);
  }
  return seen;
}

const workspaces = await publishableWorkspaces();
let project = '';
let packs = '';
let packed = new Map<string, string[]>();
let tarballOf = new Map<string, string>();

/** A tool's CLI script from the root devDependencies, run with this Node. */
function binOf(pkg: string, name: string): string {
  // Not require.resolve: publint's exports map does not expose its package.json.
  const manifestPath = join(repo, 'node_modules', pkg, 'package.json');
  const bin = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> }).bin[name]!;
  return join(dirname(manifestPath), bin);
}

/** Runs a Node CLI; returns its exit status and everything it printed, for the assertion message. */
function run(script: string, args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

describe('published packages install and work in a clean project', () => {
  beforeAll(async () => {
    packs = await mkdtemp(join(tmpdir(), 'cos-pack-'));
    ({ tarballs: tarballOf, listings: packed } = await packWorkspaces(workspaces, packs));
    project = await mkdtemp(join(tmpdir(), 'cos-consumer-'));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await npmInstall(project, [...tarballOf.values()]);
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

  // Strict: warnings fail too, and so do suggestions (publint exits 0 on those), so that the manifest is
  // fixed rather than the finding tolerated.
  it.each(workspaces.map((w) => w.name))('publint --strict: %s', (name) => {
    const { status, output } = run(binOf('publint', 'publint'), ['--strict', tarballOf.get(name)!], project);
    expect(status, output).toBe(0);
    expect(output, output).not.toMatch(/^(Errors|Warnings|Suggestions):/m);
  });

  // On the pnpm tarball (what is published: workspace: and catalog: ranges rewritten), not `attw --pack`,
  // which would run `npm pack` and keep them. The esm-only profile: every package here is deliberately
  // ESM-only ("type": "module", exports with no `require` branch, engines Node >= 20 where require(esm)
  // exists), so the node10 and node16-from-CJS resolutions fail by design and are not checked; node16 from
  // ESM and bundler are. No DefinitelyTyped lookup: the packages ship their own types, and the check stays offline.
  it.each(workspaces.map((w) => w.name))('attw --profile esm-only: %s', (name) => {
    const { status, output } = run(
      binOf('@arethetypeswrong/cli', 'attw'),
      [tarballOf.get(name)!, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'table-flipped', '--no-emoji', '--no-color'],
      project,
    );
    expect(status, output).toBe(0);
    // Every entry point was analysed and resolved for ESM consumers; a command-only package (the CLI)
    // exports nothing but its package.json.
    const manifest = JSON.parse(readFileSync(join(workspaces.find((w) => w.name === name)!.dir, 'package.json'), 'utf8'));
    const entries = Object.keys(manifest.exports ?? { '.': true }).filter((k) => k !== './package.json');
    expect(output, output).toMatch(entries.length > 0 ? /OK \(ESM\)/ : /No problems found/);
  });

  describe('@cos-direct/client types in a TypeScript consumer', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const e2eTypes = join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules', '@types');

    beforeAll(async () => {
      await mkdir(join(project, 'consumer'), { recursive: true });
      for (const [file, text] of Object.entries(CONSUMER_FILES)) await writeFile(join(project, 'consumer', file), text);
    });

    it.each(Object.keys(TYPE_MODES))('type-checks under %s', async (mode) => {
      const { compilerOptions, files } = TYPE_MODES[mode]!;
      const config = join(project, `tsconfig.${mode.replace(/[^a-z0-9]+/gi, '-')}.json`);
      await writeFile(
        config,
        JSON.stringify({
          compilerOptions: { target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, typeRoots: [e2eTypes], ...compilerOptions },
          files: files.map((f) => `consumer/${f}`),
        }),
      );
      const { status, output } = run(tsc, ['-p', config], project);
      expect(status, output).toBe(0);
    });
  });

  // Every package is ESM only; a CommonJS project loads them with `require()` (Node's require(esm), from
  // 20.19 on, the engines floor) or `await import()`, and their READMEs say so.
  describe('from a CommonJS project', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const e2eTypes = join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules', '@types');
    const cjs = () => join(project, 'consumer-cjs');

    beforeAll(async () => {
      await mkdir(cjs(), { recursive: true });
      await writeFile(join(cjs(), 'package.json'), JSON.stringify({ type: 'commonjs' }));
      await writeFile(join(cjs(), 'dynamic.ts'), CJS_DYNAMIC);
      await writeFile(join(cjs(), 'static.ts'), CJS_STATIC);
    });

    it('require() and import() load every entry point, with the same exports', async () => {
      const entries: string[] = [];
      for (const w of workspaces) {
        const { exports } = JSON.parse(await readFile(join(project, 'node_modules', w.name, 'package.json'), 'utf8'));
        for (const sub of Object.keys(exports)) if (!sub.endsWith('.json')) entries.push(sub === '.' ? w.name : `${w.name}${sub.slice(1)}`);
      }
      // An entry point of an optional peer that is not installed (the client's /react without React) fails
      // to load either way, with the same code.
      await writeFile(
        join(cjs(), 'load.js'),
        `(async () => {
          const out = {};
          const keys = (m) => Object.keys(m).filter((k) => k !== '__esModule' && k !== 'module.exports').sort();
          for (const name of ${JSON.stringify(entries)}) {
            let imported, required;
            try { imported = keys(await import(name)); } catch (e) { imported = e.code; }
            try { required = keys(require(name)); } catch (e) { required = e.code; }
            out[name] = { required, imported };
          }
          console.log(JSON.stringify(out));
        })();`,
      );
      const stdout = execFileSync(process.execPath, [join(cjs(), 'load.js')], { cwd: cjs(), encoding: 'utf8', timeout: 120_000 });
      const loaded = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, { required: unknown; imported: unknown }>;
      expect(Object.keys(loaded).sort()).toEqual([...entries].sort());
      for (const [name, { required, imported }] of Object.entries(loaded)) {
        expect(required, name).toEqual(imported);
        if (Array.isArray(imported)) expect(imported.length, name).toBeGreaterThan(0);
        else {
          expect(imported, name).toBe('ERR_MODULE_NOT_FOUND');
          const pkg = workspaces.find((w) => name.startsWith(`${w.name}/`))!;
          const { peerDependencies } = JSON.parse(await readFile(join(project, 'node_modules', pkg.name, 'package.json'), 'utf8'));
          expect(Object.keys(peerDependencies ?? {}), `${name} fails to load without a peer`).not.toEqual([]);
        }
      }
      // The package roots all load (a package that is only a command, like the CLI, exports no root).
      const roots = workspaces.map((w) => w.name).filter((name) => entries.includes(name));
      expect(roots.length).toBeGreaterThan(workspaces.length - 2);
      for (const name of roots) expect(Array.isArray(loaded[name]?.imported), name).toBe(true);
    });

    // One run per resolution over both files; the declarations themselves are checked above, so only the
    // consumer is (skipLibCheck), which keeps these runs short.
    const typeCheck = async (mode: string, options: Record<string, string>) => {
      const config = join(project, `tsconfig.cjs-${mode}.json`);
      await writeFile(
        config,
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            typeRoots: [e2eTypes],
            ...IN_NODE,
            ...options,
          },
          files: ['consumer-cjs/dynamic.ts', 'consumer-cjs/static.ts'],
        }),
      );
      return run(tsc, ['-p', config], project);
    };

    it('type-checks under nodenext, static imports too', async () => {
      const { status, output } = await typeCheck('nodenext', { module: 'NodeNext', moduleResolution: 'NodeNext' });
      expect(status, output).toBe(0);
    });

    it('type-checks import() under node16, which refuses a static import with TS1479', async () => {
      const { output } = await typeCheck('node16', { module: 'Node16', moduleResolution: 'Node16' });
      const errors = output.split('\n').filter((l) => /error TS\d+/.test(l));
      expect(errors, output).toHaveLength(2);
      for (const e of errors) expect(e, output).toMatch(/^consumer-cjs\/static\.ts\(\d+,\d+\): error TS1479:/);
    });
  });

  // Issue 25: a frontend that installs the client gets neither the CLI's progress bars nor undici (the
  // Node build's transport, an optional peer), and the Node build says how to get undici when it is missing.
  it('installs @cos-direct/client alone without undici or cli-progress', async () => {
    const alone = await mkdtemp(join(tmpdir(), 'cos-frontend-'));
    try {
      await writeFile(join(alone, 'package.json'), JSON.stringify({ name: 'frontend', private: true, type: 'module' }));
      const tarballs = ['@cos-direct/client', '@cos-direct/signer', '@cos-direct/protocol'].map((name) => tarballOf.get(name)!);
      await npmInstall(alone, tarballs);
      const installed = (await readdir(join(alone, 'node_modules'), { recursive: true })).map((p) => p.replaceAll('\\', '/'));
      expect(installed).toContain('@cos-direct/client');
      expect(installed.filter((p) => /(^|\/)(undici|cli-progress)$/.test(p))).toEqual([]);
      const script = join(alone, 'node-upload.mjs');
      await writeFile(
        script,
        `import { upload } from '@cos-direct/client/node';
        const e = await upload(Buffer.from('x'), { ext: 'jpg', signUrl: 'http://127.0.0.1:9' }).catch((x) => x);
        console.log(JSON.stringify({ code: e.code, message: e.message }));`,
      );
      const out = execFileSync(process.execPath, [script], { cwd: alone, encoding: 'utf8', timeout: 60_000 });
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
        code: 'CLIENT_ERR_INVALID_ARGUMENT',
        message: 'the Node build of @cos-direct/client sends requests with undici, which is not installed: run `npm install undici`',
      });
    } finally {
      await rm(alone, { recursive: true, force: true });
    }
  }, 600_000);

  it('keeps the client entries a browser may load free of Node built-ins', async () => {
    const dir = join(project, 'node_modules', '@cos-direct', 'client');
    const { exports } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    // The root's `browser` branch, its condition-less branch, and the `/browser` subpath.
    for (const target of [exports['.'].browser.default, exports['.'].default.default, exports['./browser'].default]) {
      const files = [...importGraph(join(dir, target))];
      expect(files, target).toContain(join(dir, 'dist', 'browser.js'));
      for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/(?:from|import)\s*['"](?:node:|undici)|require\(/);
    }
  });
});
