import type { Refusal } from '@cos-direct/emulator';

/** What a test needs from a running emulator, whether it runs in a container or in this process. */
export interface CosEmulatorHandle {
  /** COS over plain HTTP, e.g. http://127.0.0.1:32768 */
  getCosEndpoint(): string;
  /** COS over HTTPS. */
  getCosHttpsEndpoint(): string;
  /** host:port of the STS API: qcloud-cos-sts's `host` option, the sign server's STS_ENDPOINT. */
  getStsEndpoint(): string;
  getSecretId(): string;
  getSecretKey(): string;
  getAppId(): string;
  getRegion(): string;
  /** Long bucket names; the first is the default bucket of the bare address. */
  getBuckets(): string[];
  /** PEM of the CA that signed the HTTPS certificate. */
  getCaCertificate(): string;
  /** Options for `new COS(...)` of cos-nodejs-sdk-v5: virtual-hosted requests sent to the emulator. */
  getCosSdkOptions(): { SecretId: string; SecretKey: string; Protocol: 'http:'; Ip: string };
  /** Options for qcloud-cos-sts's getCredential (add `policy`). The process must trust the CA (NODE_EXTRA_CA_CERTS). */
  getStsOptions(): { secretId: string; secretKey: string; host: string; region: string };
  /** Options for @cos-direct/server's createServer, with tickets naming the emulator's HTTPS address. */
  getSignServerOptions(): { secretId: string; secretKey: string; bucket: string; region: string; stsEndpoint: string; cosHost: string };
  /** undici Agent options that trust the emulator, for @cos-direct/client's `dispatcher`. */
  getUndiciOptions(): { connect: { ca: string } };
  /** The emulator's most recent refusals, newest first: why a request in a test got 403. */
  getRefusals(limit?: number): Promise<Refusal[]>;
}

export interface EmulatorEndpoints {
  http: string;
  https: string;
  secretId: string;
  secretKey: string;
  appId: string;
  region: string;
  buckets: string[];
  caCert: string;
}

/** The getters of a handle, from plain endpoint data (shared by the container and in-process handles). */
export function handleOf(e: EmulatorEndpoints): CosEmulatorHandle {
  const httpsHost = new URL(e.https).host;
  return {
    getCosEndpoint: () => e.http,
    getCosHttpsEndpoint: () => e.https,
    getStsEndpoint: () => httpsHost,
    getSecretId: () => e.secretId,
    getSecretKey: () => e.secretKey,
    getAppId: () => e.appId,
    getRegion: () => e.region,
    getBuckets: () => [...e.buckets],
    getCaCertificate: () => e.caCert,
    getCosSdkOptions: () => ({ SecretId: e.secretId, SecretKey: e.secretKey, Protocol: 'http:', Ip: new URL(e.http).host }),
    getStsOptions: () => ({ secretId: e.secretId, secretKey: e.secretKey, host: httpsHost, region: e.region }),
    getSignServerOptions: () => ({
      secretId: e.secretId,
      secretKey: e.secretKey,
      bucket: e.buckets[0]!,
      region: e.region,
      stsEndpoint: httpsHost,
      cosHost: httpsHost,
    }),
    getUndiciOptions: () => ({ connect: { ca: e.caCert } }),
    getRefusals: async (limit = 50) => {
      const res = await fetch(`${e.http}//_emulator/refusals?limit=${limit}`);
      if (!res.ok) throw new Error(`the emulator did not list its refusals (HTTP ${res.status})`);
      return ((await res.json()) as { refusals: Refusal[] }).refusals;
    },
  };
}
