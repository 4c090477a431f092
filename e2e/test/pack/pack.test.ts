import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const pnpm = ['-y', `pnpm@${JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')).packageManager.split('@')[1]}`];

// Each publishable workspace, and a script that imports it from a clean project and calls something.
const PACKAGES: Array<{ dir: string; name: string; check: string }> = [
  {
    dir: 'packages/signer',
    name: '@cos-direct/signer',
    check: `import { signRequest } from '@cos-direct/signer';
      import { crc64ecma } from '@cos-direct/signer/crc64';
      const a = signRequest({ method: 'PUT', pathname: '/uploads/photo.jpg', headers: { Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com' } },
        { credentials: { secretId: 'AKIDEXAMPLEsecretid0000000000000000', secretKey: 'EXAMPLEsecretkey00000000000000000' }, keyTime: '1700000000;1700000900' });
      if (!a.authorization.endsWith('q-signature=549e9a557b18f8e8511a11563f5062a785c4da15')) throw new Error(a.authorization);
      if (crc64ecma('hello') !== '11177612005948864433') throw new Error('crc');`,
  },
  {
    dir: 'packages/emulator',
    name: '@cos-direct/emulator',
    check: `import { startEmulator } from '@cos-direct/emulator';
      const e = await startEmulator({ httpsPort: false });
      const r = await fetch(e.info.cos.http + '/_emulator/health');
      if (r.status !== 200) throw new Error('health ' + r.status);
      await e.close();`,
  },
  {
    dir: 'apps/server',
    name: '@cos-direct/server',
    check: `import { createServer } from '@cos-direct/server';
      const app = await createServer({ secretId: 'AKIDx', secretKey: 'secret-key', bucket: 'b-1250000000', region: 'ap-guangzhou', rateLimit: false });
      const r = await app.inject({ url: '/sts-direct-sign?ext=exe' });
      if (r.json().code !== 'SRV_ERR_INVALID_EXTENSION') throw new Error(r.body);
      await app.close();`,
  },
  {
    dir: 'packages/client',
    name: '@cos-direct/client',
    check: `import { upload, CosDirectError } from '@cos-direct/client';
      const e = await upload(Buffer.from('x'), { ext: 'jpg', getTicket: async () => { throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', 'no server here'); } }).catch((x) => x);
      if (e.code !== 'CLIENT_ERR_SIGN_SERVER') throw e;`,
  },
  {
    dir: 'packages/testcontainers',
    name: '@cos-direct/testcontainers',
    check: `import { startInProcessCosEmulator } from '@cos-direct/testcontainers';
      const e = await startInProcessCosEmulator({ caDir: process.env.CA_DIR });
      if (!e.getCaCertificate().includes('BEGIN CERTIFICATE')) throw new Error('no CA');
      await e.stop();`,
  },
];

describe('published packages', () => {
  it('pack into tarballs that install and work in a clean project', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cos-pack-'));
    for (const p of PACKAGES) execFileSync('npx', [...pnpm, 'pack', '--pack-destination', out], { cwd: join(repo, p.dir), stdio: 'ignore' });
    const tarballs = (await readdir(out)).filter((f) => f.endsWith('.tgz')).map((f) => join(out, f));
    expect(tarballs).toHaveLength(PACKAGES.length);
    const project = await mkdtemp(join(tmpdir(), 'cos-consumer-'));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: project, stdio: 'inherit', timeout: 600_000 });
    for (const p of PACKAGES) {
      const script = join(project, `check-${p.name.split('/')[1]}.mjs`);
      await writeFile(script, p.check);
      execFileSync(process.execPath, [script], { cwd: project, stdio: 'inherit', env: { ...process.env, CA_DIR: join(project, 'ca') }, timeout: 60_000 });
      const manifest = JSON.parse(await readFile(join(project, 'node_modules', p.name, 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest)).not.toMatch(/workspace:|catalog:/);
    }
  });
});
