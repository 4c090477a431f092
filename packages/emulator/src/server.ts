import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { resolveConfig, type EmulatorConfig, type EmulatorOptions } from './config.js';
import { RefusalLog, type Refusal } from './diagnostics/refusals.js';
import { rootKeyFor } from './root-key.js';
import { RequestLog } from './diagnostics/request-log.js';
import { FaultInjector, type FaultRuleInput, type FaultRuleStatus } from './faults/rules.js';
import { openStores } from './persistence/index.js';
import { DEV_CORS_RULE } from './bucket-config/dev-cors.js';
import { armCrashPoint } from './persistence/crash-points.js';
import { createStsService } from './sts/index.js';
import { loadTlsMaterial, readOwnTlsMaterial } from './tls/certificates.js';

/** What a started emulator offers; the CLI prints the same object as its ready line. */
export interface EmulatorInfo {
  event: 'ready';
  cos: { http: string; https?: string };
  sts?: { endpoint: string; url: string };
  region: string;
  appId: string;
  buckets: string[];
  credentials: { secretId: string; secretKey: string };
  dataDir?: string;
  caCertPath?: string;
  caCert?: string;
  /** Full URLs of the emulator's own endpoints on the plain HTTP address. */
  admin: { console: string; faults: string; refusals: string; requests: string; health: string };
}

/** The fault rules in force, in-process (the same as //_emulator/faults). */
export interface FaultControl {
  /** Replaces the rules; throws FaultRuleError (code EMU_ERR_FAULT_RULE) listing every problem, changing nothing. */
  set(rules: FaultRuleInput[]): FaultRuleStatus[];
  /** The rules with their hit counts. */
  list(): FaultRuleStatus[];
  clear(): void;
}

export interface RunningEmulator {
  info: EmulatorInfo;
  config: EmulatorConfig;
  close(): Promise<void>;
  /** The most recent refusals, newest first (also served at /_emulator/refusals). */
  refusals(limit?: number): Refusal[];
  /** Fault injection for testing clients' retries and error handling. */
  faults: FaultControl;
  /** Every answered request: recent ones, and a subscription to the next (what the CLI prints and the console shows). */
  requests: RequestLog;
}

async function loadTokenKey(dataDir: string | undefined): Promise<Uint8Array> {
  if (!dataDir) return randomBytes(32);
  const path = join(dataDir, 'sts-token.key');
  try {
    const key = await readFile(path);
    if (key.length === 32) return key;
  } catch {
    // created below
  }
  const key = randomBytes(32);
  await writeFile(`${path}.tmp`, key, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
  return key;
}

function urlHost(host: string) {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the emulator in this process: COS over HTTP and HTTPS, STS over HTTPS. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveConfig(options);
  if (resolved.dataDir) await mkdir(resolved.dataDir, { recursive: true });
  const { generated, ...credentials } = await rootKeyFor(resolved, options);
  const config: EmulatorConfig = generated ? Object.freeze({ ...resolved, credentials: Object.freeze(credentials) }) : resolved;
  const stores = await openStores(config.dataDir, { fsync: config.fsync });
  const sts = createStsService({
    root: { ...config.credentials, appId: config.appId },
    tokenKey: await loadTokenKey(config.dataDir),
    region: config.region,
    now: config.now,
  });
  for (const name of config.buckets) {
    if (!stores.metadata.getBucket(name)) {
      await stores.metadata.putBucket({
        name,
        region: config.region,
        created: config.now() * 1000,
        acl: 'private',
        ...(config.devCors ? { cors: [DEV_CORS_RULE] } : {}),
      });
    }
  }

  const apps: FastifyInstance[] = [];
  const refusals = new RefusalLog();
  const requests = new RequestLog();
  const faults = new FaultInjector(config.appId);
  faults.load(config.faults);
  const close = async () => {
    await Promise.all(apps.map((a) => a.close()));
    await stores.metadata.close();
    await stores.blobs.close();
  };
  try {
    const tls =
      config.httpsPort === false
        ? undefined
        : config.tls
          ? await readOwnTlsMaterial(config.tls)
          : await loadTlsMaterial(config.caDir, config.hostnames);
    const httpApp = buildApp({ config, stores, sts, caCert: tls?.caCert, refusals, requests, faults }, 'http');
    apps.push(httpApp);
    await httpApp.listen({ host: config.host, port: config.httpPort });
    const httpPort = (httpApp.server.address() as AddressInfo).port;
    const host = urlHost(config.host);
    const adminBase = `http://${host}:${httpPort}//_emulator/`;
    const info: EmulatorInfo = {
      event: 'ready',
      cos: { http: `http://${host}:${httpPort}` },
      admin: {
        console: `${adminBase}console`,
        faults: `${adminBase}faults`,
        refusals: `${adminBase}refusals`,
        requests: `${adminBase}requests`,
        health: `${adminBase}health`,
      },
      region: config.region,
      appId: config.appId,
      buckets: [...config.buckets],
      credentials: { ...config.credentials },
      ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    };
    if (tls) {
      const httpsApp = buildApp({ config, stores, sts, caCert: tls.caCert, refusals, requests, faults }, 'https', {
        key: tls.key,
        cert: tls.cert,
      });
      apps.push(httpsApp);
      await httpsApp.listen({ host: config.host, port: config.httpsPort as number });
      const httpsPort = (httpsApp.server.address() as AddressInfo).port;
      info.cos.https = `https://${host}:${httpsPort}`;
      info.sts = { endpoint: `${host}:${httpsPort}`, url: `https://${host}:${httpsPort}/` };
      if (tls.caCertPath) info.caCertPath = tls.caCertPath;
      if (tls.caCert) info.caCert = tls.caCert;
    }
    const faultControl: FaultControl = {
      set: (rules) => faults.set(rules),
      list: () => faults.list(),
      clear: () => faults.clear(),
    };
    armCrashPoint();
    return { info, config, close, refusals: (limit?: number) => refusals.list(limit), faults: faultControl, requests };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}
