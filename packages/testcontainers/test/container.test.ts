import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import COS from 'cos-nodejs-sdk-v5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketNameProblem } from '@cos-direct/emulator/config';
import { CosEmulatorContainer, CosEmulatorContainerError, startInProcessCosEmulator, type CosEmulatorHandle } from '../src/index.js';
import STS from 'qcloud-cos-sts';
import { getContainerRuntimeClient } from 'testcontainers';

const docker = process.env.COS_DIRECT_DOCKER === '1';
if (!docker) console.warn('container tests skipped: no Docker engine answers (install Docker, or run with CI=true to make this a failure)');

async function putAndGet(emulator: CosEmulatorHandle) {
  const cos = new COS(emulator.getCosSdkOptions());
  const Bucket = emulator.getBuckets()[0]!;
  const Region = emulator.getRegion();
  await new Promise((resolve, reject) =>
    cos.putObject({ Bucket, Region, Key: 'hello.txt', Body: 'hello container' }, (e, d) => (e ? reject(e) : resolve(d))),
  );
  const got = await new Promise<COS.GetObjectResult>((resolve, reject) =>
    cos.getObject({ Bucket, Region, Key: 'hello.txt' }, (e, d) => (e ? reject(e) : resolve(d))),
  );
  return got.Body.toString();
}

async function expectRefusalListed(emulator: CosEmulatorHandle) {
  const cos = new COS({ ...emulator.getCosSdkOptions(), SecretKey: 'not-the-secret-key' });
  const Bucket = emulator.getBuckets()[0]!;
  const error = await new Promise<COS.CosError | null>((resolve) =>
    cos.headObject({ Bucket, Region: emulator.getRegion(), Key: 'hello.txt' }, (e) => resolve(e)),
  );
  expect(error?.statusCode).toBe(403);
  const [latest] = await emulator.getRefusals(1);
  expect(latest).toMatchObject({ code: 'SignatureDoesNotMatch', method: 'HEAD', operation: 'HeadObject' });
}

// The host's address on Docker's default bridge: what a job in a container on that bridge connects to.
// Debian's docker.io leaves the network's IPAM Gateway empty; Docker then gives the bridge the subnet's
// first address, as it does by default.
function bridgeGateway(): string {
  const config = execFileSync('docker', ['network', 'inspect', 'bridge', '--format', '{{json .IPAM.Config}}'], { encoding: 'utf8' });
  const ipv4 = (JSON.parse(config) as { Subnet?: string; Gateway?: string }[]).find((c) => isIP(c.Subnet?.split('/')[0] ?? '') === 4);
  if (!ipv4?.Subnet) throw new Error(`Docker's bridge network has no IPv4 subnet: ${config}`);
  if (ipv4.Gateway) return ipv4.Gateway;
  const [network] = ipv4.Subnet.split('/');
  const octets = network!.split('.').map(Number);
  octets[3]! += 1;
  return octets.join('.');
}

describe('CosEmulatorContainer options', () => {
  it('refuses bad settings before starting anything', () => {
    expect(() => new CosEmulatorContainer().withRegion('Not A Region')).toThrow(CosEmulatorContainerError);
    expect(() => new CosEmulatorContainer().withCredentials('AKID x', 'secret-key')).toThrow(/printable/);
    expect(() => new CosEmulatorContainer().withBuckets()).toThrow(/at least one/);
    expect(() => new CosEmulatorContainer().withAppId('12a')).toThrow(/digits/);
    // The emulator's own rule and message: a bucket it would refuse at start fails here.
    expect(() => new CosEmulatorContainer().withBuckets('dev-')).toThrow(bucketNameProblem('dev-')!);
    expect(() => new CosEmulatorContainer().withBuckets('photos', 'Photos')).toThrow(bucketNameProblem('Photos')!);
    expect(() => new CosEmulatorContainer().withBuckets('dev', 'docs-1250000000')).not.toThrow();
    expect(() => new CosEmulatorContainer().withCertificate({ cert: 'x', key: 'y', ca: 'z' })).toThrow(/PEM/);
    expect(() => new CosEmulatorContainer().withFaults([{ operation: 'PutObjekt', status: 503 }])).toThrow(
      /withFaults: rule 1: operation "PutObjekt"/,
    );
  });

  it('passes fault rules to the emulator through COS_EMULATOR_FAULTS', () => {
    const rules = [{ operation: 'PutObject', status: 503, code: 'SlowDown', count: 2 }];
    const container = new CosEmulatorContainer().withFaults(rules);
    expect(JSON.parse((container as unknown as { environment: Record<string, string> }).environment.COS_EMULATOR_FAULTS!)).toEqual(rules);
  });
});

describe('in-process handle', () => {
  it('offers the same getters and works with the official SDK', async () => {
    const emulator = await startInProcessCosEmulator({ caDir: process.env.COS_DIRECT_TC_CA_DIR });
    try {
      expect(await putAndGet(emulator)).toBe('hello container');
      expect(emulator.getCaCertificate()).toContain('BEGIN CERTIFICATE');
      expect(emulator.getSignServerOptions().stsEndpoint).toBe(emulator.getStsEndpoint());
      await expectRefusalListed(emulator);
    } finally {
      await emulator.stop();
    }
  });
});

describe.skipIf(!docker)('in a container', () => {
  let started: Awaited<ReturnType<CosEmulatorContainer['start']>>;
  beforeAll(async () => {
    started = await new CosEmulatorContainer()
      .withCredentials('AKIDcontainerTest', 'container-secret-key')
      .withRegion('ap-shanghai')
      .withBuckets('photos', 'docs')
      .withCaDirectory(process.env.COS_DIRECT_TC_CA_DIR!)
      .withFaults([{ name: 'acl-once', operation: 'GetBucketAcl', status: 503, code: 'SlowDown', count: 1 }])
      .start();
  });
  afterAll(async () => {
    await started?.stop();
  });

  it('exposes endpoints, credentials and buckets', () => {
    expect(started.getCosEndpoint()).toMatch(/^http:\/\/[^/]+:\d+$/);
    expect(started.getCosHttpsEndpoint()).toMatch(/^https:\/\//);
    expect(started.getSecretId()).toBe('AKIDcontainerTest');
    expect(started.getRegion()).toBe('ap-shanghai');
    expect(started.getBuckets()).toEqual(['photos-1250000000', 'docs-1250000000']);
    expect(started.getCaCertificate()).toContain('BEGIN CERTIFICATE');
  });

  it('starts with the fault rules given; the SDK retries through them', async () => {
    const cos = new COS(started.getCosSdkOptions());
    await new Promise((resolve, reject) =>
      cos.getBucketAcl({ Bucket: started.getBuckets()[0]!, Region: started.getRegion() }, (e, d) => (e ? reject(e) : resolve(d))),
    );
    const basic = Buffer.from(`${started.getSecretId()}:${started.getSecretKey()}`).toString('base64');
    const listed = await (await fetch(started.getFaultsUrl(), { headers: { authorization: `Basic ${basic}` } })).json();
    expect(listed.rules).toMatchObject([{ name: 'acl-once', hits: 1, remaining: 0 }]);
  });

  it('serves the official SDK with the ready-made options', async () => {
    expect(await putAndGet(started)).toBe('hello container');
    await expectRefusalListed(started);
  });

  it('issues temporary keys over HTTPS with the CA it was given', async () => {
    const res = await STS.getCredential({
      ...started.getStsOptions(),
      policy: { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:PutObject'], resource: ['*'] }] },
    } as never);
    expect(res.credentials.tmpSecretId).toMatch(/^AKID/);
  });

  // A test process inside a container (a CI job, a dev container) reaches published ports through the
  // bridge gateway rather than localhost; the certificate must name that address too.
  it('serves HTTPS at the address Testcontainers uses from inside a container', async () => {
    // Where Testcontainers already connects through another address, that address is the one to test.
    const runtimeHost = (await getContainerRuntimeClient()).info.containerRuntime.host;
    const gateway = ['localhost', '127.0.0.1', '::1'].includes(runtimeHost) ? bridgeGateway() : runtimeHost;
    expect(gateway).not.toMatch(/^(localhost|127\.0\.0\.1|::1)$/);
    const script = `
      import { CosEmulatorContainer } from '@cos-direct/testcontainers';
      const started = await new CosEmulatorContainer().withCaDirectory(process.env.COS_DIRECT_TC_CA_DIR).start();
      try {
        const res = await fetch(started.getCosHttpsEndpoint() + '//_emulator/health');
        console.log(JSON.stringify({ host: new URL(started.getCosHttpsEndpoint()).hostname, status: res.status }));
      } finally {
        await started.stop();
      }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, TESTCONTAINERS_HOST_OVERRIDE: gateway },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ host: isIP(gateway) === 6 ? `[${gateway}]` : gateway, status: 200 });
  });

  it('removes a container whose start fails after it was created', async () => {
    const label = `start-failure-${process.pid}-${Date.now()}`;
    // Any failure between creating and handing back the container (here: a hook that throws, as a port
    // Testcontainers cannot map does) must not leave it running, since nothing reaps it without Ryuk.
    class FailingStart extends CosEmulatorContainer {
      protected override async containerStarting(): Promise<void> {
        throw new Error('start interrupted');
      }
    }
    const failing = new FailingStart().withLabels({ 'org.cos-direct.test': label }).withCaDirectory(process.env.COS_DIRECT_TC_CA_DIR!);
    await expect(failing.start()).rejects.toThrow('start interrupted');
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=org.cos-direct.test=${label}`], { encoding: 'utf8' }).trim();
    expect(left).toBe('');
  });

  it('serves HTTPS with a certificate of your own', async () => {
    const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
    const dir = mkdtempSync(join(tmpdir(), 'cos-tc-own-cert-'));
    const names = [...new Set(['localhost', '127.0.0.1', host])].map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=own test certificate',
        '-addext',
        `subjectAltName=${names}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const own = await new CosEmulatorContainer()
      .withCertificate({ cert, key: readFileSync(join(dir, 'key.pem'), 'utf8'), ca: cert })
      .start();
    try {
      expect(own.getCaCertificate()).toBe(cert);
      const status = await new Promise<number>((resolve, reject) => {
        request(`${own.getCosHttpsEndpoint()}//_emulator/health`, { ca: own.getUndiciOptions().connect.ca }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
    } finally {
      await own.stop();
    }
  });
});
