import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority } from '@cos-direct/emulator';
import { signRequest } from '@cos-direct/signer';
import { CosEmulatorContainer, type StartedCosEmulatorContainer } from '@cos-direct/testcontainers';
import { GenericContainer, Network, type StartedNetwork, type StartedTestContainer, Wait } from 'testcontainers';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The sign server's image (docker/build-server-image.sh) beside the emulator's, on a network of their own:
// the server asks the emulator's STS for keys by its network name, and the tickets it hands out name the
// emulator as the host sees it, where this test uploads with them as the seed's Flutter client does.

const docker = process.env.COS_DIRECT_DOCKER === '1';
if (!docker) console.warn('sign server container e2e skipped: no Docker engine answers (with CI=true this is a failure)');

const TOKEN = 'a-long-random-token-for-the-container';
const script = fileURLToPath(new URL('../../../docker/build-server-image.sh', import.meta.url));

describe.skipIf(!docker)('the sign server image against the emulator image', () => {
  let network: StartedNetwork;
  let emulator: StartedCosEmulatorContainer;
  let server: StartedTestContainer;
  let base: string;
  let dispatcher: Agent;
  let caDir = '';
  beforeAll(async () => {
    execFileSync('bash', [script], { stdio: 'inherit', timeout: 600_000 });
    // A CA that may also certify the emulator's name on the network (the suite's CA may not).
    caDir = await mkdtemp(join(tmpdir(), 'cos-e2e-server-ca-'));
    await createCertificateAuthority(caDir, { hostnames: ['cos-emulator'] });
    network = await new Network().start();
    emulator = await new CosEmulatorContainer()
      .withBuckets('app')
      .withCaDirectory(caDir)
      .withNetwork(network)
      .withNetworkAliases('cos-emulator')
      .withHostnames('cos-emulator')
      .start();
    const o = emulator.getSignServerOptions();
    server = await new GenericContainer('cos-direct/server:local')
      .withNetwork(network)
      .withEnvironment({
        COS_SECRET_ID: o.secretId,
        COS_SECRET_KEY: o.secretKey,
        PERSIST_BUCKET: o.bucket,
        PERSIST_BUCKET_REGION: o.region,
        STS_ENDPOINT: 'cos-emulator:9443',
        // What tickets name: the emulator as this test reaches it.
        COS_HOST: o.cosHost!,
        NODE_EXTRA_CA_CERTS: '/etc/cos-direct/ca.pem',
        AUTH_TOKENS: TOKEN,
      })
      .withCopyContentToContainer([{ content: emulator.getCaCertificate(), target: '/etc/cos-direct/ca.pem', mode: 0o644 }])
      .withExposedPorts(3000)
      .withWaitStrategy(Wait.forHttp('/livez', 3000))
      .withStartupTimeout(60_000)
      .start();
    base = `http://${server.getHost()}:${server.getMappedPort(3000)}`;
    dispatcher = new Agent(emulator.getUndiciOptions());
  }, 900_000);
  afterAll(async () => {
    await dispatcher?.close();
    await server?.stop();
    await emulator?.stop();
    await network?.stop();
    if (caDir) await rm(caDir, { recursive: true, force: true });
  });

  it("issues a ticket that the seed's request sequence uploads with", async () => {
    expect((await fetch(`${base}/sts-direct-sign?ext=jpg`)).status).toBe(401);
    const res = await fetch(`${base}/sts-direct-sign?ext=jpg`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as { code: number; data: Record<string, string> };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const { cosHost, cosKey, authorization, securityToken } = body.data;
    expect(cosKey).toMatch(/^images\/\d{8}\/[A-Za-z0-9_-]{22}\.jpg$/);
    const bytes = randomBytes(32 * 1024);
    const put = await request(`https://${cosHost}/${cosKey}`, {
      method: 'PUT',
      headers: {
        'Content-Length': String(bytes.length),
        'Content-Type': 'application/octet-stream',
        Authorization: authorization!,
        'x-cos-security-token': securityToken!,
        Host: cosHost!,
      },
      body: bytes,
      dispatcher,
    });
    expect(put.statusCode, await put.body.text()).toBe(200);
    const host = new URL(emulator.getCosHttpsEndpoint()).host;
    const auth = signRequest(
      { method: 'GET', pathname: `/${cosKey}`, headers: { host } },
      { credentials: { secretId: emulator.getSecretId(), secretKey: emulator.getSecretKey() } },
    );
    const got = await request(`https://${host}/${cosKey}`, { headers: { authorization: auth.authorization }, dispatcher });
    const stored = Buffer.from(await got.body.arrayBuffer());
    expect(got.statusCode).toBe(200);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
