import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import COS from 'cos-nodejs-sdk-v5';
import { afterEach } from 'vitest';
import STS from 'qcloud-cos-sts';
import { createPostPolicy, signPostPolicy, signRequest, type CamPolicy } from '@cos-direct/signer';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import type { EmulatorOptions } from '../src/config.js';

export const BUCKET = 'dev-1250000000';
export const REGION = 'ap-guangzhou';
export const VHOST = `${BUCKET}.cos.${REGION}.myqcloud.com`;

export async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ caDir: process.env.COS_EMULATOR_TEST_CA_DIR, ...options });
}

/**
 * Emulators on one kind of store for the tests of a describe block, closed after each test: `start`
 * (a data directory of its own, or the one given, to restart on), and `stop` before a restart.
 */
export function storeEmulators(kind: 'memory' | 'filesystem', tmpPrefix: string) {
  const running = new Set<RunningEmulator>();
  afterEach(async () => {
    await Promise.all([...running].map((e) => e.close()));
    running.clear();
  });
  return {
    async start(dataDir?: string, https = false): Promise<RunningEmulator> {
      const emu = await emulator({
        httpPort: 0,
        httpsPort: https ? 0 : false,
        dataDir: kind === 'filesystem' ? (dataDir ?? (await mkdtemp(join(tmpdir(), tmpPrefix)))) : undefined,
      });
      running.add(emu);
      return emu;
    },
    async stop(emu: RunningEmulator): Promise<void> {
      running.delete(emu);
      await emu.close();
    },
  };
}

/** The official Node SDK pointed at the emulator with its own `Ip` option: virtual-hosted Host, loopback socket. */
export function sdk(emu: RunningEmulator, credentials?: { SecretId: string; SecretKey: string; SecurityToken?: string }): COS {
  return new COS({
    SecretId: credentials?.SecretId ?? emu.info.credentials.secretId,
    SecretKey: credentials?.SecretKey ?? emu.info.credentials.secretKey,
    ...(credentials?.SecurityToken ? { SecurityToken: credentials.SecurityToken } : {}),
    Protocol: 'http:',
    Ip: new URL(emu.info.cos.http).host,
    // No retries: a refusal must surface as the emulator sent it.
    AutoSwitchHost: false,
  } as never);
}

export function call<T = any>(cos: COS, method: string, params: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    (cos as any)[method]({ Bucket: BUCKET, Region: REGION, ...params }, (err: unknown, data: T) => (err ? reject(err) : resolve(data)));
  });
}

/** A temporary key from the emulator's STS, through the unmodified qcloud-cos-sts SDK. */
export async function temporaryKey(emu: RunningEmulator, policy: CamPolicy, durationSeconds = 1800) {
  const result = await STS.getCredential({
    secretId: emu.info.credentials.secretId,
    secretKey: emu.info.credentials.secretKey,
    host: emu.info.sts!.endpoint,
    region: REGION,
    durationSeconds,
    policy,
  } as never);
  return (result as any).credentials as { tmpSecretId: string; tmpSecretKey: string; sessionToken: string };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Header names and values as they came off the wire, names in the server's case. */
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

/** A raw HTTP(S) request to the emulator with exactly the given headers. */
export function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string; ca?: string; path?: string } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  // `path` is sent verbatim: URL parsing would resolve "..", which is exactly what some tests must send.
  const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = fn(
      {
        host: u.hostname,
        port: u.port,
        path: options.path ?? u.pathname + u.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Signs and sends a request to the virtual-hosted bucket address, as an SDK would. */
export function signed(
  emu: RunningEmulator,
  method: string,
  key: string,
  options: {
    headers?: Record<string, string | number>;
    query?: Record<string, string>;
    body?: Buffer | string;
    credentials?: { secretId: string; secretKey: string; securityToken?: string };
    keyTime?: string;
    host?: string;
  } = {},
): Promise<RawResponse> {
  const host = options.host ?? VHOST;
  const credentials: { secretId: string; secretKey: string; securityToken?: string } = options.credentials ?? emu.info.credentials;
  const headers: Record<string, string | number> = { host, ...options.headers };
  if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
  const sig = signRequest({ method, pathname: `/${key}`, query: options.query, headers }, { credentials, keyTime: options.keyTime });
  if (credentials.securityToken) headers['x-cos-security-token'] = credentials.securityToken;
  headers.authorization = sig.authorization;
  const search = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
  const path = `/${key.split('/').map(encodeURIComponent).join('/')}`;
  return raw(emu.info.cos.http, { method, headers, body: options.body, path: path + search });
}

export function xmlField(text: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1];
}

/** A POST Object of `body` to `key` with the root key's signed form (policy for that key) and `fields`. */
export async function postSignedForm(
  emu: RunningEmulator,
  key: string,
  body: string,
  fields: Record<string, string> = {},
): Promise<RawResponse> {
  const now = Math.floor(Date.now() / 1000);
  const keyTime = `${now - 1};${now + 600}`;
  const policy = createPostPolicy({
    bucket: BUCKET,
    key,
    expiration: new Date((now + 600) * 1000),
    credentials: emu.info.credentials,
    keyTime,
  });
  const form = new FormData();
  for (const [k, v] of Object.entries({ key, ...fields, ...signPostPolicy(policy, { credentials: emu.info.credentials, keyTime }) }))
    form.append(k, v);
  form.append('file', new Blob([body]), 'f.txt');
  const req = new Request('http://placeholder/', { method: 'POST', body: form });
  const formBody = Buffer.from(await req.arrayBuffer());
  return raw(`${emu.info.cos.http}/`, {
    method: 'POST',
    headers: { host: VHOST, 'content-type': req.headers.get('content-type')!, 'content-length': formBody.length },
    body: formBody,
  });
}
