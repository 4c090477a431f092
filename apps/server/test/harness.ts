import { request as httpsRequest } from 'node:https';
import { Writable } from 'node:stream';
import type { RunningEmulator } from '@cos-direct/emulator';
import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import type { FastifyInstance } from 'fastify';
import { createServer, type DirectTicket, type ServerOptions } from '../src/index.js';

export interface Stack {
  emu: RunningEmulator;
  app: FastifyInstance;
  base: string;
  logs: string[];
  /** What points a sign server at this emulator, for a second instance beside `app`. */
  emulatorOptions: ServerOptions;
  close(): Promise<void>;
}

/** The emulator plus a sign server pointed at it, both on free loopback ports; logs are captured. */
export async function stack(options: Partial<ServerOptions> = {}, emulatorNow?: () => number): Promise<Stack> {
  const handle = await startInProcessCosEmulator({
    caDir: process.env.COS_DIRECT_SERVER_TEST_CA_DIR,
    ...(emulatorNow ? { now: emulatorNow } : {}),
  });
  const emu = handle.emulator;
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const app = await createServer({
    ...handle.getSignServerOptions(),
    logger: { level: 'debug', stream },
    rateLimit: false,
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return {
    emu,
    app,
    base: `http://127.0.0.1:${address.port}`,
    logs,
    emulatorOptions: handle.getSignServerOptions(),
    async close() {
      await app.close();
      await emu.close();
    },
  };
}

export async function ticket(base: string, path: string, init?: RequestInit) {
  const res = await fetch(base + path, init);
  return { status: res.status, json: (await res.json()) as any };
}

/** The seed's PUT of `body` with a direct ticket: its Authorization and x-cos-security-token, and `extra` headers. */
export function putWithTicket(s: Stack, d: DirectTicket, body: Buffer | string, extra: Record<string, string> = {}) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return seedPut(
    `https://${d.cosHost}/${d.cosKey}`,
    {
      'content-length': bytes.length,
      'content-type': 'application/octet-stream',
      authorization: d.authorization,
      'x-cos-security-token': d.securityToken,
      host: d.cosHost,
      ...extra,
    },
    [bytes],
    s.emu.info.caCert!,
  );
}

/** PUT over HTTPS with exactly these headers and chunks, as the seed's Dart clients send it. */
export function seedPut(
  url: string,
  headers: Record<string, string | number>,
  chunks: Buffer[],
  ca: string,
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers, ca }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
    (async () => {
      for (const chunk of chunks) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(reject);
  });
}
