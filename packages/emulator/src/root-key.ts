import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorConfig } from './config.js';
import { DEFAULT_CREDENTIALS, EmulatorConfigError, type EmulatorOptions } from './config/index.js';

type RootKey = EmulatorConfig['credentials'];

/** Whether an address the emulator listens on is reachable from this machine only. */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.') || host.startsWith('::ffff:127.');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (length: number) => Array.from(randomBytes(length), (b) => ALNUM[b % ALNUM.length]).join('');

/**
 * The root key to run with. The documented default key is published: on an address others can reach,
 * it would let anyone on the network sign for every bucket and open the console. So there, a default
 * left unset is replaced by a key of this data dir's own (made once, kept in `root-key.json`), or of
 * this process without a data dir; and the published key named explicitly is refused.
 */
export async function rootKeyFor(config: EmulatorConfig, options: EmulatorOptions): Promise<RootKey & { generated?: true }> {
  const { secretId, secretKey } = config.credentials;
  const published = secretId === DEFAULT_CREDENTIALS.secretId || secretKey === DEFAULT_CREDENTIALS.secretKey;
  if (isLoopbackAddress(config.host) || !published) return config.credentials;
  if (options.secretId !== undefined || options.secretKey !== undefined) {
    throw new EmulatorConfigError([
      {
        option: options.secretKey !== undefined ? 'secretKey' : 'secretId',
        message: `the published default key cannot be used on ${config.host}, which others can reach: leave it unset for a key of this data dir's own, or set a key of yours (--secret-id, --secret-key)`,
      },
    ]);
  }
  if (!config.dataDir) return { secretId: `AKID${randomText(32)}`, secretKey: randomText(32), generated: true };
  const path = join(config.dataDir, 'root-key.json');
  try {
    const kept = JSON.parse(await readFile(path, 'utf8')) as RootKey;
    if (typeof kept.secretId === 'string' && typeof kept.secretKey === 'string') return { ...kept, generated: true };
  } catch {
    // made below
  }
  const made = { secretId: `AKID${randomText(32)}`, secretKey: randomText(32) };
  await writeFile(`${path}.tmp`, JSON.stringify(made), { mode: 0o600 });
  await rename(`${path}.tmp`, path);
  return { ...made, generated: true };
}
