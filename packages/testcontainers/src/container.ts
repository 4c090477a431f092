import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { AbstractStartedContainer, GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import {
  checkEmulatorOptions,
  DEFAULT_CREDENTIALS,
  DEFAULT_REGION,
  type EmulatorOptions,
  fullBucketName,
  FaultRuleError,
  type FaultRuleInput,
  validateFaultRules,
} from '@cos-direct/emulator/config';
import { handleOf, type CosEmulatorHandle, type EmulatorEndpoints } from './handle.js';

export const COS_EMULATOR_IMAGE = 'cos-direct/emulator:local';
const HTTP_PORT = 9000;
const HTTPS_PORT = 9443;

export class CosEmulatorContainerError extends Error {
  override readonly name = 'CosEmulatorContainerError';
  readonly code = 'TC_ERR_INVALID_OPTION';
}

// The emulator's own validators, so that a setting the container would refuse at start fails here, with
// the emulator's message, before anything is pulled or started.
function check(options: EmulatorOptions): void {
  const issues = checkEmulatorOptions(options);
  if (issues.length > 0) throw new CosEmulatorContainerError(issues.map((i) => i.message).join('; '));
}

/** The cos-direct emulator as a Testcontainers module, in the style of @testcontainers/localstack and minio. */
export class CosEmulatorContainer extends GenericContainer {
  // A key of this container's own: its ports are mapped on every interface of the host, where the
  // published default key would let anyone on the network in (the emulator refuses it there too).
  #secretId = `AKID${randomBytes(16).toString('hex')}`;
  #secretKey = randomBytes(24).toString('base64url');
  #appId: string = DEFAULT_CREDENTIALS.appId;
  #region: string = DEFAULT_REGION;
  #buckets: string[] = ['dev'];
  #hostnames: string[] = [];
  #caDirectory?: string;
  #certificate?: { cert: string; key: string; ca: string };
  #createdId?: string;

  constructor(image = COS_EMULATOR_IMAGE) {
    super(image);
    this.withExposedPorts(HTTP_PORT, HTTPS_PORT)
      .withWaitStrategy(Wait.forLogMessage(/"event":"ready"/))
      .withStartupTimeout(60_000);
  }

  withCredentials(secretId: string, secretKey: string): this {
    check({ secretId, secretKey });
    this.#secretId = secretId;
    this.#secretKey = secretKey;
    return this;
  }

  withAppId(appId: string): this {
    check({ appId });
    this.#appId = appId;
    return this;
  }

  withRegion(region: string): this {
    check({ region });
    this.#region = region;
    return this;
  }

  /** Buckets to create (short names, or long names ending in -<appId>); the first is the default bucket. */
  withBuckets(...buckets: string[]): this {
    if (buckets.length === 0) throw new CosEmulatorContainerError('withBuckets needs at least one bucket');
    check({ buckets, appId: this.#appId });
    this.#buckets = buckets;
    return this;
  }

  /** Extra names for the HTTPS certificate (it always covers localhost, 127.0.0.1, ::1 and the host Testcontainers connects to). */
  withHostnames(...hostnames: string[]): this {
    check({ hostnames });
    this.#hostnames = hostnames;
    return this;
  }

  /**
   * Use the CA in this directory (ca.pem, ca-key.pem; created by createCertificateAuthority from
   * @cos-direct/emulator) instead of one made at start, so a test process can trust it in advance.
   */
  withCaDirectory(dir: string): this {
    if (this.#certificate) throw new CosEmulatorContainerError('withCertificate and withCaDirectory exclude each other');
    this.#caDirectory = dir;
    return this;
  }

  /**
   * Serve HTTPS with this certificate and key (PEM text) instead of one from the emulator's CA; `ca` is
   * the PEM that clients trust for it, which getCaCertificate() then returns.
   */
  withCertificate(certificate: { cert: string; key: string; ca: string }): this {
    for (const name of ['cert', 'key', 'ca'] as const) {
      if (typeof certificate?.[name] !== 'string' || !certificate[name].includes('-----BEGIN ')) {
        throw new CosEmulatorContainerError(`withCertificate needs ${name} as PEM text`);
      }
    }
    if (this.#caDirectory) throw new CosEmulatorContainerError('withCertificate and withCaDirectory exclude each other');
    this.#certificate = { ...certificate };
    return this;
  }

  /**
   * Fault rules in force from the start (the emulator's `faults` option, passed as COS_EMULATOR_FAULTS),
   * e.g. `[{ operation: 'PutObject', status: 503, code: 'SlowDown', count: 2 }]`; validated here, so a
   * misspelled operation fails before any container starts. Change them later at getFaultsUrl().
   */
  withFaults(rules: FaultRuleInput[]): this {
    try {
      validateFaultRules(rules);
    } catch (error) {
      if (error instanceof FaultRuleError) throw new CosEmulatorContainerError(`withFaults: ${error.problems.join('; ')}`);
      throw error;
    }
    this.withEnvironment({ COS_EMULATOR_FAULTS: JSON.stringify(rules) });
    return this;
  }

  override async start(): Promise<StartedCosEmulatorContainer> {
    const appId = this.#appId;
    // Once more, together: withAppId may have come after withBuckets.
    check({ secretId: this.#secretId, secretKey: this.#secretKey, appId, region: this.#region, buckets: this.#buckets });
    const buckets = this.#buckets.map((b) => fullBucketName(b, appId));
    // Inside a container (a CI job, a dev container) Testcontainers reaches mapped ports through the
    // bridge gateway, e.g. 172.17.0.1, or TESTCONTAINERS_HOST_OVERRIDE: the certificate must name it.
    const runtimeHost = (await getContainerRuntimeClient()).info.containerRuntime.host;
    const hostnames = [...new Set([...this.#hostnames, runtimeHost])];
    this.withEnvironment({
      COS_EMULATOR_SECRET_ID: this.#secretId,
      COS_EMULATOR_SECRET_KEY: this.#secretKey,
      COS_EMULATOR_APP_ID: appId,
      COS_EMULATOR_REGION: this.#region,
      COS_EMULATOR_BUCKETS: buckets.join(','),
      COS_EMULATOR_HOSTNAMES: hostnames.join(','),
    });
    if (this.#certificate) {
      this.withEnvironment({ COS_EMULATOR_TLS_CERT: '/data/own-tls/cert.pem', COS_EMULATOR_TLS_KEY: '/data/own-tls/key.pem' });
      this.withCopyContentToContainer([
        { content: this.#certificate.cert, target: '/data/own-tls/cert.pem', mode: 0o644 },
        { content: this.#certificate.key, target: '/data/own-tls/key.pem', mode: 0o644 },
      ]);
    } else if (this.#caDirectory) {
      this.withCopyFilesToContainer([
        { source: join(this.#caDirectory, 'ca.pem'), target: '/data/tls/ca.pem', mode: 0o644 },
        { source: join(this.#caDirectory, 'ca-key.pem'), target: '/data/tls/ca-key.pem', mode: 0o644 },
      ]);
    }
    const started = await this.#startOrRemove();
    const host = isIP(started.getHost()) === 6 ? `[${started.getHost()}]` : started.getHost();
    const http = `http://${host}:${started.getMappedPort(HTTP_PORT)}`;
    let caCert = this.#certificate?.ca;
    if (!caCert) {
      try {
        const ca = await fetch(`${http}//_emulator/ca.pem`);
        if (!ca.ok) throw new Error(`the emulator did not serve its CA certificate (HTTP ${ca.status})`);
        caCert = await ca.text();
      } catch (error) {
        await started.stop();
        throw error;
      }
    }
    return new StartedCosEmulatorContainer(started, {
      http,
      https: `https://${host}:${started.getMappedPort(HTTPS_PORT)}`,
      secretId: this.#secretId,
      secretKey: this.#secretKey,
      appId,
      region: this.#region,
      buckets,
      caCert,
    });
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.#createdId = containerId;
  }

  // Testcontainers leaves a container running when its start fails after creation (a port it cannot map,
  // a wait strategy that times out), and without Ryuk nothing reaps it: remove it here.
  async #startOrRemove(): Promise<StartedTestContainer> {
    this.#createdId = undefined;
    try {
      return await super.start();
    } catch (error) {
      const id = this.#createdId;
      if (id) {
        const client = await getContainerRuntimeClient();
        await client.container
          .getById(id)
          .remove({ force: true, v: true })
          .catch(() => {});
      }
      throw error;
    }
  }
}

/** A running emulator container: getters for endpoints, credentials and ready-made client options. */
export class StartedCosEmulatorContainer extends AbstractStartedContainer implements CosEmulatorHandle {
  readonly #handle: CosEmulatorHandle;

  constructor(started: StartedTestContainer, endpoints: EmulatorEndpoints) {
    super(started);
    this.#handle = handleOf(endpoints);
  }

  getCosEndpoint = () => this.#handle.getCosEndpoint();
  getCosHttpsEndpoint = () => this.#handle.getCosHttpsEndpoint();
  getStsEndpoint = () => this.#handle.getStsEndpoint();
  getSecretId = () => this.#handle.getSecretId();
  getSecretKey = () => this.#handle.getSecretKey();
  getAppId = () => this.#handle.getAppId();
  getRegion = () => this.#handle.getRegion();
  getBuckets = () => this.#handle.getBuckets();
  getCaCertificate = () => this.#handle.getCaCertificate();
  getCosSdkOptions = () => this.#handle.getCosSdkOptions();
  getStsOptions = () => this.#handle.getStsOptions();
  getSignServerOptions = () => this.#handle.getSignServerOptions();
  getUndiciOptions = () => this.#handle.getUndiciOptions();
  getRefusals = (limit?: number) => this.#handle.getRefusals(limit);
  /** The fault rules endpoint (GET lists, PUT {"rules":[...]} replaces, DELETE clears); from outside the container it takes the root key as HTTP Basic credentials. */
  getFaultsUrl = () => `${this.#handle.getCosEndpoint()}//_emulator/faults`;
  /** The emulator's console page (HTTP Basic with the root key from outside the container). */
  getConsoleUrl = () => `${this.#handle.getCosEndpoint()}//_emulator/console`;
}
