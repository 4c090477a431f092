import { createHash } from 'node:crypto';
import type { RunningEmulator } from '@cos-direct/emulator';
import { createServer, type ServerOptions } from '@cos-direct/server';
import { signRequest } from '@cos-direct/signer';
import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import { Agent, request } from 'undici';

export interface Stack {
  emu: RunningEmulator;
  /** Base URL of the sign server. */
  signUrl: string;
  /** Sends a request to the emulator signed with its root key (for checks behind the CLI's back). */
  root(method: string, path: string): Promise<{ status: number; headers: Record<string, string> }>;
  close(): Promise<void>;
}

/** The emulator and a sign server pointed at it, in this process, on free loopback ports. */
export async function stack(options: Partial<ServerOptions> = {}): Promise<Stack> {
  const handle = await startInProcessCosEmulator({ caDir: process.env.COS_DIRECT_CLI_TEST_CA_DIR });
  const emu = handle.emulator;
  const { cosHost } = handle.getSignServerOptions();
  const app = await createServer({
    ...handle.getSignServerOptions(),
    allowedExtensions: ['jpg', 'bin', 'mp4'],
    logger: false,
    rateLimit: false,
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const dispatcher = new Agent({ connect: { ca: emu.info.caCert! } });
  return {
    emu,
    signUrl: `http://127.0.0.1:${port}`,
    async root(method, path) {
      const credentials = { secretId: emu.info.credentials.secretId, secretKey: emu.info.credentials.secretKey };
      const { authorization } = signRequest({ method, pathname: path, headers: { host: cosHost } }, { credentials });
      const res = await request(`https://${cosHost}${path}`, { method: method as 'HEAD', headers: { authorization }, dispatcher });
      await res.body.dump();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
      return { status: res.statusCode, headers };
    },
    async close() {
      await app.close();
      await dispatcher.close();
      await emu.close();
    },
  };
}

/** Deterministic bytes: the same seed gives the same content. */
export function pattern(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

export const MiB = 1024 * 1024;
