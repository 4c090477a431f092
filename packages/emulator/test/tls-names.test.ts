import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, REGION } from './helpers.js';

/** A GET over TLS to the emulator as `hostname`: the certificate is checked against that name. */
function getAs(emu: RunningEmulator, hostname: string): Promise<{ status: number; requestId: string | undefined }> {
  const { port } = new URL(emu.info.cos.https!);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', servername: hostname, ca: emu.info.caCert, headers: { host: hostname } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: res.headers['x-cos-request-id'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe("the emulator's certificate", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  for (const hostname of [`${BUCKET}.cos.${REGION}.myqcloud.com`, `cos.${REGION}.myqcloud.com`, 'service.cos.myqcloud.com']) {
    it(`is valid for ${hostname}, where the official SDKs send requests`, async () => {
      const res = await getAs(emu, hostname);
      expect(res.requestId).toBeTruthy();
    });
  }

  it('is not valid for a name it was not issued for', async () => {
    await expect(getAs(emu, 'cos.example.com')).rejects.toThrow(/altnames|Hostname/i);
  });
});

describe('the emulator CA', () => {
  it('may sign server certificates only: pathLen 0, so no CA made under it is trusted', async () => {
    const { X509Certificate } = await import('node:crypto');
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createCertificateAuthority } = await import('../src/index.js');
    const { caCert } = await createCertificateAuthority(await mkdtemp(join(tmpdir(), 'cos-ca-pathlen-')));
    const forge = (await import('node-forge')).default;
    const constraints = forge.pki.certificateFromPem(caCert).getExtension('basicConstraints') as {
      cA: boolean;
      pathLenConstraint?: number;
    };
    expect(constraints).toMatchObject({ cA: true, pathLenConstraint: 0 });
    expect(new X509Certificate(caCert).ca).toBe(true);
  });
});
