import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bucketNameProblem, checkEmulatorOptions, EmulatorConfigError } from '../src/config/index.js';
import { resolveConfig } from '../src/index.js';

const problemsOf = (options: unknown): string[] => {
  try {
    resolveConfig(options as never);
  } catch (e) {
    expect(e).toBeInstanceOf(EmulatorConfigError);
    return (e as EmulatorConfigError).problems;
  }
  throw new Error('no EmulatorConfigError');
};

describe('emulator options', () => {
  it('refuses a string where a list of buckets belongs, as one clear problem', () => {
    expect(problemsOf({ buckets: 'dev' })).toEqual([
      'buckets must be a list of bucket names, got the string "dev" (write ["dev"] for one)',
    ]);
  });

  it('reports every mistake at once, with a suggestion for a misspelled option', () => {
    expect(problemsOf({ bucket: ['photos'], region: 'Not A Region', httpPort: 70000, secretKey: 'short', pathStyle: 'yes' })).toEqual([
      'unknown option "bucket" (did you mean "buckets"?)',
      'httpPort 70000 is not a port number',
      'region "Not A Region" must be lower-case letters, digits and "-"',
      'secretKey must have at least 8 characters',
      'pathStyle must be true or false',
    ]);
  });

  it('holds bucket names to one rule, short or with their appId', () => {
    expect(problemsOf({ buckets: ['dev-', 'ok', 'Upper'] })).toEqual([
      'bucket "dev-" must be 1-50 lower-case letters, digits and "-", starting and ending with a letter or digit (optionally followed by -1250000000)',
      'bucket "Upper" must be 1-50 lower-case letters, digits and "-", starting and ending with a letter or digit (optionally followed by -1250000000)',
    ]);
    expect(problemsOf({ buckets: [] })).toEqual(['buckets must not be empty']);
    expect(resolveConfig({ buckets: ['photos-1250000000', 'docs', 'a'], appId: '1250000000' }).buckets).toEqual([
      'photos-1250000000',
      'docs-1250000000',
      'a-1250000000',
    ]);
    expect(bucketNameProblem('dev-7', '7')).toBeUndefined();
    expect(bucketNameProblem('dev--7', '7')).toContain('"dev--7"');
  });

  it('fills defaults from the schema without touching the caller’s object', () => {
    const options = { host: undefined, region: 'ap-beijing' };
    const config = resolveConfig(options);
    expect(config).toMatchObject({ host: '127.0.0.1', httpPort: 0, httpsPort: 0, buckets: ['dev-1250000000'], bodyIdleTimeoutMs: 60_000 });
    expect(config.credentials.secretId).toBe('AKIDcosdirectEMULATOR');
    expect(options).toEqual({ host: undefined, region: 'ap-beijing' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names the flag and the variable of each option the CLI refuses, all at once', () => {
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const run = spawnSync(process.execPath, [cli, '--in-memory', '--http-port', 'abc', '--region', 'X'], {
      env: { ...process.env, COS_EMULATOR_BUCKETS: 'dev-' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('httpPort "abc" is not a port number (--http-port, COS_EMULATOR_HTTP_PORT)');
    expect(run.stderr).toContain('region "X" must be lower-case letters, digits and "-" (--region, COS_EMULATOR_REGION)');
    expect(run.stderr).toContain('bucket "dev-" must be');
  });

  it('checks partial options without inventing the rest', () => {
    expect(checkEmulatorOptions({ region: 'ap-shanghai' })).toEqual([]);
    expect(checkEmulatorOptions({ appId: '12a' })).toEqual([{ option: 'appId', message: 'appId "12a" must be digits' }]);
  });
});

describe('@cos-direct/emulator/config', () => {
  // Every module the import resolves (ESM, through a resolve hook) and loads (CommonJS, through the
  // require cache), printed by a fresh node process.
  const loadedBy = (specifier: string): string[] => {
    const hook = `data:text/javascript,${encodeURIComponent(
      `import { writeSync } from 'node:fs';
       export async function resolve(s, c, next) { const r = await next(s, c); writeSync(2, 'LOADED ' + r.url + '\\n'); return r; }`,
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
    const script = `import { createRequire } from 'node:module';
      await import(${JSON.stringify(specifier)});
      for (const id of Object.keys(createRequire(import.meta.url).cache)) process.stderr.write('LOADED ' + id + '\\n');`;
    const run = spawnSync(process.execPath, ['--import', register, '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    return run.stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED '))
      .map((l) => l.slice(7));
  };
  const heavy = (loaded: string[]) => loaded.filter((m) => /[/\\]node_modules[/\\](lmdb|@lmdb|fastify)[/\\]/.test(m));

  it('loads no store, LMDB or Fastify', () => {
    const loaded = loadedBy('@cos-direct/emulator/config');
    expect(loaded.some((m) => m.endsWith('/dist/config/index.js'))).toBe(true);
    expect(heavy(loaded)).toEqual([]);
    expect(loaded.filter((m) => /[/\\]dist[/\\](persistence|handlers|pipeline)[/\\]/.test(m))).toEqual([]);
  });

  it('is a real difference: the whole package loads LMDB', () => {
    expect(heavy(loadedBy('@cos-direct/emulator'))).not.toEqual([]);
  });
});
