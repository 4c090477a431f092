import COS from 'cos-nodejs-sdk-v5';
import { describe, expect, it } from 'vitest';
import setup, { cosEmulator, type EmulatorEndpoints } from '../src/vitest.js';

describe('the vitest globalSetup', () => {
  it('starts one emulator, provides its endpoints, and tears it down', async () => {
    const provided: Record<string, EmulatorEndpoints> = {};
    const teardown = await setup({ provide: (key, value) => (provided[key] = value) });
    try {
      const emulator = cosEmulator(provided.cosEmulator!);
      const cos = new COS(emulator.getCosSdkOptions());
      const params = { Bucket: emulator.getBuckets()[0]!, Region: emulator.getRegion(), Key: 'from-setup.txt' };
      await new Promise((ok, fail) => cos.putObject({ ...params, Body: 'provided' }, (e, d) => (e ? fail(e) : ok(d))));
      const got = await new Promise<COS.GetObjectResult>((ok, fail) => cos.getObject(params, (e, d) => (e ? fail(e) : ok(d))));
      expect(got.Body.toString()).toBe('provided');
    } finally {
      await teardown();
    }
    await expect(fetch(`${provided.cosEmulator!.http}//_emulator/health`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });
});
