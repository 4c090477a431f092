import { createHash } from 'node:crypto';
import type { RunningEmulator } from '@cos-direct/emulator';
import { createServer, type ServerOptions } from '@cos-direct/server';
import { signRequest } from '@cos-direct/signer';
import { Crc64Ecma } from '@cos-direct/signer/crc64';
import { startInProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import { Agent } from 'undici';
import { undiciTransport } from '../../src/transport/undici.js';
import type { HttpRequest, HttpResponse, ResumeState, ResumeStore, Transport, UploadSource } from '../../src/types.js';

export interface Stack {
  emu: RunningEmulator;
  app: Awaited<ReturnType<typeof createServer>>;
  /** Base URL of the sign server. */
  signUrl: string;
  /** Trusts the emulator's CA. */
  dispatcher: Agent;
  /** The real Node transport through that dispatcher. */
  transport: Transport;
  /** The sign server's options: its wiring to the emulator and the test's own, to start it again with others. */
  serverOptions: ServerOptions;
  /** Sends a request to the emulator signed with its root key (for checks behind the client's back). */
  root(method: string, path: string, query?: Record<string, string>): Promise<HttpResponse>;
  close(): Promise<void>;
}

/**
 * The emulator and a sign server pointed at it, in this process, on free loopback ports. `emulatorNow`
 * is the emulator's clock in unix seconds.
 */
export async function stack(options: Partial<ServerOptions> = {}, emulatorNow?: () => number): Promise<Stack> {
  const handle = await startInProcessCosEmulator({
    caDir: process.env.COS_DIRECT_TEST_CA_DIR,
    ...(emulatorNow ? { now: emulatorNow } : {}),
  });
  const emu = handle.emulator;
  const { cosHost } = handle.getSignServerOptions();
  const serverOptions: ServerOptions = {
    ...handle.getSignServerOptions(),
    allowedExtensions: ['jpg', 'bin', 'mp4'],
    logger: false,
    rateLimit: false,
    ...options,
  };
  const app = await createServer(serverOptions);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const dispatcher = new Agent({ connect: { ca: emu.info.caCert! } });
  const transport = undiciTransport(dispatcher);
  return {
    emu,
    app,
    signUrl: `http://127.0.0.1:${port}`,
    serverOptions,
    dispatcher,
    transport,
    root(method, path, query = {}) {
      const credentials = { secretId: emu.info.credentials.secretId, secretKey: emu.info.credentials.secretKey };
      const { authorization } = signRequest({ method, pathname: path, query, headers: { host: cosHost } }, { credentials });
      const search = new URLSearchParams(query).toString();
      return transport.send({
        method,
        url: `https://${cosHost}${path}${search ? `?${search}` : ''}`,
        headers: { authorization },
      });
    },
    async close() {
      await app.close();
      await dispatcher.close();
      await emu.close();
    },
  };
}

type Step = (req: HttpRequest, send: () => Promise<HttpResponse>) => Promise<HttpResponse>;

/**
 * Wraps a transport: records every request and response, counts part PUTs in flight, and lets a test
 * answer or delay one request (`intercept`) while the rest goes to the wire.
 */
export function observe(inner: Transport, intercept?: Step) {
  const log: Array<{ req: HttpRequest; res?: HttpResponse; error?: unknown }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: Transport = {
    async send(req) {
      const entry: { req: HttpRequest; res?: HttpResponse; error?: unknown } = { req };
      log.push(entry);
      const isPart = partNumber(req) !== undefined;
      if (isPart) maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        entry.res = await (intercept ? intercept(req, () => inner.send(req)) : inner.send(req));
        return entry.res;
      } catch (e) {
        entry.error = e;
        throw e;
      } finally {
        if (isPart) inFlight--;
      }
    },
  };
  return {
    transport,
    log,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Part numbers of the part PUTs sent, in the order they were sent. */
    partsSent: () => log.map((e) => partNumber(e.req)).filter((n): n is number => n !== undefined),
    find: (what: (req: HttpRequest) => boolean) => log.filter((e) => what(e.req)),
  };
}

/** The part number of an Upload Part request, or undefined for any other request. */
export function partNumber(req: HttpRequest): number | undefined {
  if (req.method !== 'PUT') return undefined;
  const n = new URL(req.url).searchParams.get('partNumber');
  return n === null ? undefined : Number(n);
}

export const isComplete = (req: HttpRequest) =>
  req.method === 'POST' && new URL(req.url).searchParams.has('uploadId') && !new URL(req.url).searchParams.has('uploads');

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

/** An in-memory source that can hash its ranges (so resumed parts are verified), with a stable identity. */
export function memorySource(data: Uint8Array, name = 'clip.bin', identity?: string): UploadSource {
  return {
    size: data.length,
    name,
    ...(identity ? { identity } : {}),
    repeatable: true,
    slice: (start, end) => data.subarray(start, end),
    hashRange: async (start, end) => {
      const chunk = data.subarray(start, end);
      const crc = new Crc64Ecma();
      crc.update(chunk);
      return { md5: createHash('md5').update(chunk).digest('hex'), crc64: crc.digest() };
    },
  };
}

export function memoryStore(): ResumeStore & { states: Map<string, ResumeState> } {
  const states = new Map<string, ResumeState>();
  return {
    states,
    async get(id) {
      return states.get(id);
    },
    async set(id, state) {
      states.set(id, structuredClone(state));
    },
    async delete(id) {
      states.delete(id);
    },
  };
}

export const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

export const MiB = 1024 * 1024;
