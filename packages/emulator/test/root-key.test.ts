import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, EmulatorConfigError, startEmulator } from '../src/index.js';
import { signed } from './helpers.js';

// The default key is printed in every README: on an address others can reach it must not be the key.
describe('the root key on a network address', () => {
  it('is the published default on loopback', async () => {
    const emu = await startEmulator({ httpPort: 0, httpsPort: false });
    try {
      expect(emu.info.credentials).toEqual({ secretId: DEFAULT_CREDENTIALS.secretId, secretKey: DEFAULT_CREDENTIALS.secretKey });
    } finally {
      await emu.close();
    }
  });

  it("is the data dir's own on 0.0.0.0, kept across restarts, and signs requests; the published key is refused", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-root-key-'));
    const first = await startEmulator({ host: '0.0.0.0', httpPort: 0, httpsPort: false, dataDir });
    let key: { secretId: string; secretKey: string };
    try {
      key = first.info.credentials;
      expect(key.secretId).toMatch(/^AKID[A-Za-z0-9]{32}$/);
      expect(key.secretKey).not.toBe(DEFAULT_CREDENTIALS.secretKey);
      expect((await stat(join(dataDir, 'root-key.json'))).mode & 0o777).toBe(0o600);
      expect((await signed(first, 'PUT', 'mine.txt', { body: 'x', credentials: key })).status).toBe(200);
      const published = await signed(first, 'GET', 'mine.txt', { credentials: DEFAULT_CREDENTIALS });
      expect(published.status).toBe(403);
      expect(published.text).toContain('InvalidAccessKeyId');
    } finally {
      await first.close();
    }
    const again = await startEmulator({ host: '0.0.0.0', httpPort: 0, httpsPort: false, dataDir });
    try {
      expect(again.info.credentials).toEqual(key);
      expect(JSON.parse(await readFile(join(dataDir, 'root-key.json'), 'utf8'))).toEqual(key);
    } finally {
      await again.close();
    }
  });

  it('refuses to start on 0.0.0.0 with the published key named explicitly, and takes a key of your own', async () => {
    await expect(
      startEmulator({ host: '0.0.0.0', httpPort: 0, httpsPort: false, secretKey: DEFAULT_CREDENTIALS.secretKey }),
    ).rejects.toThrow(EmulatorConfigError);
    await expect(
      startEmulator({ host: '0.0.0.0', httpPort: 0, httpsPort: false, secretKey: DEFAULT_CREDENTIALS.secretKey }),
    ).rejects.toMatchObject({
      code: 'EMU_ERR_CONFIG',
      problems: [expect.stringContaining('published default key cannot be used on 0.0.0.0')],
    });
    const own = await startEmulator({
      host: '0.0.0.0',
      httpPort: 0,
      httpsPort: false,
      secretId: 'AKIDmine',
      secretKey: 'my-own-secret-key',
    });
    try {
      expect(own.info.credentials).toEqual({ secretId: 'AKIDmine', secretKey: 'my-own-secret-key' });
    } finally {
      await own.close();
    }
  });
});
