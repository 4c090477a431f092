import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorOptions, RunningEmulator } from '@cos-direct/emulator';
import { createServer, type ServerOptions } from '@cos-direct/server';
import { signRequest } from '@cos-direct/signer';
import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import { Agent, request } from 'undici';

export interface Stack {
  emu: RunningEmulator;
  server: Awaited<ReturnType<typeof createServer>>;
  signUrl: string;
  /** Trusts the emulator's CA. */
  dispatcher: Agent;
  /** Reads an object back with the root key. */
  getObject(key: string): Promise<{ status: number; body: Buffer }>;
  /** Open multipart uploads of the default bucket. */
  openUploads(): Promise<string[]>;
  close(): Promise<void>;
}

export async function tempDir(prefix: string) {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Emulator + sign server on free loopback ports, wired the way `npm start` wires them. */
export async function startStack(
  server: Partial<ServerOptions> | ((emu: RunningEmulator) => Promise<Partial<ServerOptions>>) = {},
  emulator: EmulatorOptions = {},
): Promise<Stack> {
  const handle = await startInProcessCosEmulator({ caDir: process.env.COS_DIRECT_E2E_CA_DIR, ...emulator });
  const emu = handle.emulator;
  const httpsHost = handle.getSignServerOptions().cosHost;
  const serverOptions = typeof server === 'function' ? await server(emu) : server;
  const app = await createServer({
    ...handle.getSignServerOptions(),
    allowedExtensions: ['jpg', 'png', 'bin', 'txt'],
    rateLimit: false,
    ...serverOptions,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const dispatcher = new Agent({ connect: { ca: emu.info.caCert } });
  const signed = async (method: string, key: string, query: Record<string, string> = {}) => {
    const host = httpsHost;
    const auth = signRequest(
      { method, pathname: `/${key}`, query, headers: { host } },
      { credentials: emu.info.credentials },
    ).authorization;
    const search = new URLSearchParams(query).toString();
    const url = `https://${host}/${key.split('/').map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
    const res = await request(url, { method: method as never, headers: { authorization: auth }, dispatcher });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  };
  return {
    emu,
    server: app,
    signUrl: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
    dispatcher,
    getObject: (key) => signed('GET', key),
    async openUploads() {
      const res = await signed('GET', '', { uploads: '' });
      return [...res.body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
    },
    async close() {
      await app.close();
      await dispatcher.close();
      await emu.close();
    },
  };
}
