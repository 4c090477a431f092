import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { upload } from '@cos-direct/client/node';
import { createServer } from '@cos-direct/server';
import { signRequest } from '@cos-direct/signer';
import { CosEmulatorContainer, type StartedCosEmulatorContainer } from '@cos-direct/testcontainers';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/stack.js';

const docker = process.env.COS_DIRECT_DOCKER === '1';
if (!docker) console.warn('container e2e skipped: no Docker engine answers (with CI=true this is a failure)');

describe.skipIf(!docker)('the seed flow with the emulator in a container', () => {
  let emulator: StartedCosEmulatorContainer;
  let server: Awaited<ReturnType<typeof createServer>>;
  let signUrl: string;
  let dispatcher: Agent;
  beforeAll(async () => {
    emulator = await new CosEmulatorContainer().withBuckets('app').withCaDirectory(process.env.COS_DIRECT_E2E_CA_DIR!).start();
    server = await createServer({ ...emulator.getSignServerOptions(), rateLimit: false });
    await server.listen({ port: 0, host: '127.0.0.1' });
    signUrl = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
    dispatcher = new Agent(emulator.getUndiciOptions());
  });
  afterAll(async () => {
    await server?.close();
    await dispatcher?.close();
    await emulator?.stop();
  });

  it('sign server → containerised emulator → client upload, byte-identical', async () => {
    const data = randomBytes(300_000);
    const file = join(await tempDir('cos-e2e-container-'), 'photo.jpg');
    await writeFile(file, data);
    const result = await upload(file, { signUrl, dispatcher });
    expect(result.key).toMatch(/^images\/\d{8}\/[\w-]+\.jpg$/);
    const host = new URL(emulator.getCosHttpsEndpoint()).host;
    const auth = signRequest(
      { method: 'GET', pathname: `/${result.key}`, headers: { host } },
      { credentials: { secretId: emulator.getSecretId(), secretKey: emulator.getSecretKey() } },
    );
    const res = await request(`https://${host}/${result.key}`, { headers: { authorization: auth.authorization }, dispatcher });
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(200);
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });
});
