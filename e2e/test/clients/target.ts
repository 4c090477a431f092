import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '@cos-direct/emulator';
import STS from 'qcloud-cos-sts';

/** A key pair, with the session token of a temporary key. */
export interface Credentials {
  secretId: string;
  secretKey: string;
  token?: string;
}

/**
 * Where the matrix runs: the emulator on loopback, or a real COS bucket named by
 * COS_DIRECT_REAL_SECRET_ID, COS_DIRECT_REAL_SECRET_KEY, COS_DIRECT_REAL_BUCKET (name-appid) and
 * COS_DIRECT_REAL_REGION. The clients see the same virtual-hosted names either way.
 */
export interface Target {
  kind: 'emulator' | 'cos';
  bucket: string;
  region: string;
  appId: string;
  root: Credentials;
  /** `http:` to the emulator, `https:` to COS. */
  protocol: 'http:' | 'https:';
  /** The region endpoint clients are configured with (no bucket): `cos.<region>.<suffix>[:port]`. */
  endpointHost: string;
  /** Emulator only: a forward proxy on loopback that hands every request to the emulator, Host untouched. */
  proxy?: string;
  /** Emulator only: the emulator itself, for its request log. */
  emulator?: RunningEmulator;
  /** Emulator only: where the emulator listens, for clients that can be given an IP. */
  emulatorHost?: string;
  /** A temporary key from STS whose policy allows everything under `prefix` and nothing else. */
  scopedKey(prefix: string): Promise<Credentials>;
  /** Sends a request to a (presigned) URL the way a browser or curl would. */
  fetchUrl(url: string, init?: { method?: string; body?: Buffer }): Promise<{ status: number; body: Buffer }>;
  close(): Promise<void>;
}

// A name that never resolves: a client that ignored the proxy fails at once instead of reaching out.
const EMULATOR_SUFFIX = 'cos-emulator.invalid';

export function realCosSettings() {
  const env = process.env;
  const names = ['COS_DIRECT_REAL_SECRET_ID', 'COS_DIRECT_REAL_SECRET_KEY', 'COS_DIRECT_REAL_BUCKET', 'COS_DIRECT_REAL_REGION'];
  const set = names.filter((n) => env[n]);
  if (set.length === 0) return undefined;
  if (set.length < names.length) throw new Error(`set all of ${names.join(', ')} to run the client matrix against COS (missing some)`);
  return {
    secretId: env.COS_DIRECT_REAL_SECRET_ID!,
    secretKey: env.COS_DIRECT_REAL_SECRET_KEY!,
    bucket: env.COS_DIRECT_REAL_BUCKET!,
    region: env.COS_DIRECT_REAL_REGION!,
  };
}

function prefixPolicy(t: { region: string; appId: string; bucket: string }, prefix: string) {
  return {
    version: '2.0' as const,
    statement: [
      {
        effect: 'allow' as const,
        action: ['name/cos:*'],
        resource: [`qcs::cos:${t.region}:uid/${t.appId}:${t.bucket}/${prefix}*`],
      },
    ],
  };
}

async function stsKey(options: Record<string, unknown>): Promise<Credentials> {
  const result = (await STS.getCredential(options as never)) as {
    credentials: { tmpSecretId: string; tmpSecretKey: string; sessionToken: string };
  };
  const c = result.credentials;
  return { secretId: c.tmpSecretId, secretKey: c.tmpSecretKey, token: c.sessionToken };
}

async function fetchDirect(url: string, init: { method?: string; body?: Buffer } = {}) {
  const res = await fetch(url, { method: init.method ?? 'GET', ...(init.body ? { body: new Uint8Array(init.body) } : {}) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** Forwards absolute-form proxy requests (`GET http://host/path`) to the emulator, every header as sent. */
async function startProxy(emulatorPort: number): Promise<Server> {
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (!/^proxy-/i.test(req.rawHeaders[i]!)) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    }
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: emulatorPort,
        method: req.method,
        path: target.pathname + target.search,
        headers: headers.flat() as never,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export async function openTarget(): Promise<Target> {
  const real = realCosSettings();
  if (real) {
    const appId = /-(\d+)$/.exec(real.bucket)?.[1];
    if (!appId) throw new Error(`COS_DIRECT_REAL_BUCKET must be <name>-<appid>, not ${real.bucket}`);
    const t = { bucket: real.bucket, region: real.region, appId };
    return {
      kind: 'cos',
      ...t,
      root: { secretId: real.secretId, secretKey: real.secretKey },
      protocol: 'https:',
      endpointHost: `cos.${real.region}.myqcloud.com`,
      scopedKey: (prefix) =>
        stsKey({
          secretId: real.secretId,
          secretKey: real.secretKey,
          region: real.region,
          durationSeconds: 1800,
          policy: prefixPolicy(t, prefix),
        }),
      fetchUrl: fetchDirect,
      close: async () => undefined,
    };
  }
  const emu: RunningEmulator = await startEmulator({ caDir: process.env.COS_DIRECT_E2E_CA_DIR, httpPort: 0, httpsPort: 0 });
  const port = Number(new URL(emu.info.cos.http).port);
  const proxy = await startProxy(port);
  const t = { bucket: emu.info.buckets[0]!, region: emu.info.region, appId: emu.info.appId };
  return {
    kind: 'emulator',
    ...t,
    root: { ...emu.info.credentials },
    protocol: 'http:',
    endpointHost: `cos.${t.region}.${EMULATOR_SUFFIX}:${port}`,
    proxy: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    emulator: emu,
    emulatorHost: `127.0.0.1:${port}`,
    scopedKey: (prefix) =>
      stsKey({
        ...emu.info.credentials,
        host: emu.info.sts!.endpoint,
        region: t.region,
        durationSeconds: 1800,
        policy: prefixPolicy(t, prefix),
      }),
    // A presigned URL names the bucket's host; the request goes to the emulator with that Host.
    fetchUrl: (url, init = {}) =>
      new Promise((resolve, reject) => {
        const u = new URL(url);
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: init.method ?? 'GET',
            path: u.pathname + u.search,
            headers: { host: u.host, ...(init.body ? { 'content-length': init.body.length } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
        req.end(init.body);
      }),
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await emu.close();
    },
  };
}
