import { describe, expect, it } from 'vitest';
import { ConfigError, createServer, loadConfig, resolveOptions } from '../src/index.js';

const seedEnv = {
  COS_SECRET_ID: 'AKIDx',
  COS_SECRET_KEY: 'secret-key-x',
  PERSIST_BUCKET: 'test-1250000000',
  PERSIST_BUCKET_REGION: 'ap-guangzhou',
};

describe('configuration', () => {
  it("reads the seed's variables with defaults", () => {
    const c = loadConfig(seedEnv);
    expect(c.port).toBe(3000);
    expect(c.options.bucket).toBe('test-1250000000');
    expect(c.options.stsEndpoint).toBe('sts.tencentcloudapi.com');
    expect(c.warnings).toEqual([]);
  });

  it('reads the confirmation limit beside the ticket limit', () => {
    const c = loadConfig({ ...seedEnv, RATE_LIMIT_MAX: '2', RATE_LIMIT_CONFIRM_MAX: '40' });
    expect(c.options.rateLimit).toEqual({ max: 2, timeWindow: '1 minute', confirmMax: 40 });
    expect(loadConfig(seedEnv).options.rateLimit).toEqual({ max: 60, timeWindow: '1 minute' });
    expect(() => loadConfig({ ...seedEnv, RATE_LIMIT_CONFIRM_MAX: '0' })).toThrow(ConfigError);
  });

  it('lists every missing or malformed value at once', () => {
    const naming = (...names: string[]) => expect.arrayContaining(names.map((n) => expect.stringContaining(n)));
    expect(() => loadConfig({ PERSIST_BUCKET: 'nobucket', PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PERSIST_BUCKET: 'nobucket', PORT: 'eighty' })).toThrow(
      expect.objectContaining({ code: 'SRV_ERR_CONFIG', problems: naming('PORT') }),
    );
    expect(() => loadConfig({ PERSIST_BUCKET: 'nobucket' })).toThrow(
      expect.objectContaining({
        code: 'SRV_ERR_CONFIG',
        problems: naming('COS_SECRET_ID', 'COS_SECRET_KEY', 'PERSIST_BUCKET', 'PERSIST_BUCKET_REGION'),
      }),
    );
  });

  it('refuses misspelled settings with a suggestion', () => {
    expect(() => loadConfig({ ...seedEnv, PERSIST_BUKET_REGION: 'x' })).toThrow(/did you mean "PERSIST_BUCKET_REGION"/);
    expect(() => loadConfig({ ...seedEnv, CORS_ORIGIN: 'https://a.example' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ ...seedEnv, PATH: '/usr/bin', HOME: '/root' })).not.toThrow();
  });

  it('refuses to start unauthenticated in production unless allowed', () => {
    expect(() => loadConfig({ ...seedEnv, NODE_ENV: 'production' })).toThrow(/no authentication/);
    expect(() => loadConfig({ ...seedEnv, NODE_ENV: 'production', ALLOW_UNAUTHENTICATED: 'true' })).not.toThrow();
    expect(() => loadConfig({ ...seedEnv, NODE_ENV: 'production', AUTH_TOKENS: 'short' })).toThrow(/16 characters/);
  });

  it('reads an optional download URL lifetime, bounded to the longest temporary key', () => {
    expect(loadConfig({ ...seedEnv, DOWNLOAD_URL_SECONDS: '3600' }).options.downloadUrlSeconds).toBe(3600);
    expect(loadConfig(seedEnv).options.downloadUrlSeconds).toBeUndefined();
    expect(() => loadConfig({ ...seedEnv, DOWNLOAD_URL_SECONDS: '999999999' })).toThrow(/DOWNLOAD_URL_SECONDS/);
    expect(() => loadConfig({ ...seedEnv, DOWNLOAD_URL_SECONDS: '7201' })).toThrow(/from 1 to 7200/);
    expect(() => loadConfig({ ...seedEnv, DOWNLOAD_URL_SECOND: '60' })).toThrow(/did you mean "DOWNLOAD_URL_SECONDS"/);
  });

  it('warns about unknown names that merely look like ours, and refuses near misses of ours', () => {
    const c = loadConfig({
      ...seedEnv,
      COS_REGION: 'ap-beijing',
      STS_HOST: 'x',
      MAX_WORKERS: '4',
      DURATION: '9',
      AUTH_SERVICE_HOST: '10.0.0.1',
    });
    expect(c.warnings.join('\n')).toContain('COS_REGION');
    expect(c.warnings.join('\n')).toContain('STS_HOST');
    expect(c.warnings.join('\n')).not.toContain('AUTH_SERVICE_HOST');
    expect(() => loadConfig({ ...seedEnv, PERSIST_BUKET: 'x', COS_SECRETKEY: 'y' })).toThrow(
      expect.objectContaining({
        issues: [
          expect.objectContaining({
            code: 'SRV_ERR_CONFIG_UNKNOWN',
            env: 'PERSIST_BUKET',
            message: expect.stringContaining('did you mean "PERSIST_BUCKET"'),
          }),
          expect.objectContaining({
            code: 'SRV_ERR_CONFIG_UNKNOWN',
            env: 'COS_SECRETKEY',
            message: expect.stringContaining('did you mean "COS_SECRET_KEY"'),
          }),
        ],
      }),
    );
  });

  it('gives one coded issue per mistake, for library options and the environment alike', () => {
    const base = { secretId: 'a', secretKey: 'b', bucket: 'x-1250000000', region: 'ap-guangzhou' };
    const issuesOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues;
      }
      throw new Error('no ConfigError');
    };
    const cors = issuesOf(() => resolveOptions({ ...base, corsOrigins: 'https://a.example' as never }));
    expect(cors).toHaveLength(1);
    expect(cors[0]).toMatchObject({ code: 'SRV_ERR_CONFIG_TYPE', option: 'corsOrigins', env: 'CORS_ORIGINS' });
    const exts = issuesOf(() => resolveOptions({ ...base, allowedExtensions: 'jpg' as never }));
    expect(exts).toEqual([expect.objectContaining({ code: 'SRV_ERR_CONFIG_TYPE', option: 'allowedExtensions' })]);
    expect(issuesOf(() => loadConfig({ ...seedEnv, DOWNLOAD_URL_SECONDS: '0' }))).toEqual([
      expect.objectContaining({ code: 'SRV_ERR_CONFIG_RANGE', env: 'DOWNLOAD_URL_SECONDS' }),
    ]);
    expect(issuesOf(() => resolveOptions({ ...base, downloadUrlSeconds: 0 }))[0]!.code).toBe('SRV_ERR_CONFIG_RANGE');
    expect(issuesOf(() => loadConfig({ ...seedEnv, COS_PROTOCOL: 'ftp' }))[0]).toMatchObject({
      code: 'SRV_ERR_CONFIG_ENUM',
      env: 'COS_PROTOCOL',
    });
    expect(issuesOf(() => loadConfig({ ...seedEnv, DURATION_SECONDS: '10' }))[0]).toMatchObject({ code: 'SRV_ERR_CONFIG_RANGE' });
    expect(issuesOf(() => loadConfig({ ...seedEnv, MAX_UPLOAD_SECONDS: '30' }))[0]).toMatchObject({
      code: 'SRV_ERR_CONFIG_RANGE',
      env: 'MAX_UPLOAD_SECONDS',
    });
    expect(loadConfig({ ...seedEnv, MAX_UPLOAD_SECONDS: '7200' }).options.maxUploadSeconds).toBe(7200);
    expect(loadConfig(seedEnv).options.maxUploadSeconds).toBe(86400);
    expect(issuesOf(() => loadConfig({ ...seedEnv, MAX_SIZE: '1e6' }))).toEqual([
      expect.objectContaining({ code: 'SRV_ERR_CONFIG_TYPE', env: 'MAX_SIZE' }),
    ]);
    expect(issuesOf(() => loadConfig({ ...seedEnv, LOG_LEVEL: 'loud' }))[0]).toMatchObject({
      code: 'SRV_ERR_CONFIG_ENUM',
      env: 'LOG_LEVEL',
    });
  });

  it('validates options once: what loadConfig returns is used as it is', async () => {
    const c = loadConfig(seedEnv);
    expect(Object.isFrozen(c.options)).toBe(true);
    expect(resolveOptions(c.options)).toBe(c.options);
    const app = await createServer({ ...c.options, logger: false });
    await app.close();
  });

  it('refuses unknown library options', async () => {
    await expect(
      createServer({ secretId: 'a', secretKey: 'b', bucket: 'x-1', region: 'r', allowedOrigins: ['x'] } as never),
    ).rejects.toThrow(/unknown option "allowedOrigins"/);
  });
});
