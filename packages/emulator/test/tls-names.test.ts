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
