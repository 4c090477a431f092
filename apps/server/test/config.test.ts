import { describe, expect, it } from 'vitest';
import { ConfigError, createServer, loadConfig } from '../src/index.js';

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
    expect(c.options.stsEndpoint).toBeUndefined();
  });

  it('lists every missing or malformed value at once', () => {
    try {
      loadConfig({ PERSIST_BUCKET: 'nobucket', PORT: 'eighty' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT');
      expect((e as ConfigError).code).toBe('SRV_ERR_CONFIG');
    }
    try {
      loadConfig({ PERSIST_BUCKET: 'nobucket' });
      expect.unreachable();
    } catch (e) {
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toContain('COS_SECRET_ID');
      expect(problems).toContain('COS_SECRET_KEY');
      expect(problems).toContain('PERSIST_BUCKET');
      expect(problems).toContain('PERSIST_BUCKET_REGION');
    }
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

  it('reads an optional download URL lifetime, bounded to a week', () => {
    expect(loadConfig({ ...seedEnv, DOWNLOAD_URL_SECONDS: '3600' }).options.downloadUrlSeconds).toBe(3600);
    expect(loadConfig(seedEnv).options.downloadUrlSeconds).toBeUndefined();
    expect(() => loadConfig({ ...seedEnv, DOWNLOAD_URL_SECONDS: '999999999' })).toThrow(/DOWNLOAD_URL_SECONDS/);
    expect(() => loadConfig({ ...seedEnv, DOWNLOAD_URL_SECOND: '60' })).toThrow(/did you mean "DOWNLOAD_URL_SECONDS"/);
  });

  it('refuses unknown library options', async () => {
    await expect(
      createServer({ secretId: 'a', secretKey: 'b', bucket: 'x-1', region: 'r', allowedOrigins: ['x'] } as never),
    ).rejects.toThrow(/unknown option "allowedOrigins"/);
  });
});
