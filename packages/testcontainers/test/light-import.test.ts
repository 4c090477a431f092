import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A suite that runs the emulator in Docker should not load the emulator's store (LMDB, a native module)
// or its HTTP stack: the builder checks its options with the emulator's light `config` entry only.
describe('importing @cos-direct/testcontainers', () => {
  it('loads no LMDB, Fastify, store, handler or pipeline module of the emulator', () => {
    const hook = `data:text/javascript,${encodeURIComponent(
      `import { writeSync } from 'node:fs';
       export async function resolve(s, c, next) { const r = await next(s, c); writeSync(2, 'LOADED ' + r.url + '\\n'); return r; }`,
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
    const script = `import { createRequire } from 'node:module';
      const { CosEmulatorContainer } = await import('@cos-direct/testcontainers');
      new CosEmulatorContainer().withFaults([{ operation: 'PutObject', status: 503, code: 'SlowDown' }]);
      for (const id of Object.keys(createRequire(import.meta.url).cache)) process.stderr.write('LOADED ' + id + '\\n');`;
    const run = spawnSync(process.execPath, ['--import', register, '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const loaded = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED '))
      .map((l) => l.slice(7));
    expect(loaded.some((m) => /[/\\]emulator[/\\]dist[/\\]config[/\\]index\.js$/.test(m))).toBe(true);
    expect(loaded.filter((m) => /[/\\]node_modules[/\\](lmdb|@lmdb|fastify)[/\\]/.test(m))).toEqual([]);
    expect(loaded.filter((m) => /[/\\]emulator[/\\]dist[/\\](persistence|handlers|pipeline)[/\\]/.test(m))).toEqual([]);
  });
});
