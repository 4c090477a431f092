import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startInProcessCosEmulator, type InProcessCosEmulator } from '@cos-direct/testcontainers/in-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// COS can fail Complete Multipart Upload after answering 200, with the error in the body; cos-nodejs-sdk-v5
// 3.x retries such an answer. A fault rule makes the emulator answer so, for an app to see how it copes.
const require = createRequire(import.meta.url);
type Sdk = Record<string, (params: Record<string, unknown>, cb: (err: unknown, data: unknown) => void) => void>;

describe('an <Error> in a 200 answer to Complete Multipart Upload', () => {
  let emulator: InProcessCosEmulator;
  let file: string;
  beforeAll(async () => {
    emulator = await startInProcessCosEmulator({ caDir: process.env.COS_DIRECT_E2E_CA_DIR });
    file = join(await mkdtemp(join(tmpdir(), 'cos-error-200-')), 'big.bin');
    await writeFile(file, randomBytes(2 * 1024 * 1024 + 7));
  });
  afterAll(() => emulator?.stop());

  const slice = (module: string, Key: string) => {
    const COS = require(module) as new (options: Record<string, unknown>) => Sdk;
    const cos = new COS({ ...emulator.getCosSdkOptions(), AutoSwitchHost: false });
    return new Promise<{ err: unknown; data: unknown }>((resolve) =>
      cos.sliceUploadFile!(
        { Bucket: emulator.getBuckets()[0], Region: emulator.getRegion(), Key, FilePath: file, ChunkSize: 1024 * 1024 },
        (err, data) => resolve({ err, data }),
      ),
    );
  };

  it('is retried by cos-nodejs-sdk-v5 3.x, whose second Complete succeeds', async () => {
    emulator.emulator.faults.set([{ operation: 'CompleteMultipartUpload', status: 200, code: 'InternalError', count: 1 }]);
    const { err } = await slice('cos-nodejs-sdk-v5-3', 'v3/big.bin');
    expect(err).toBeNull();
    expect(emulator.emulator.faults.list()[0]).toMatchObject({ hits: 1, remaining: 0 });
    const completes = emulator.emulator.requests.list().filter((e) => e.operation === 'CompleteMultipartUpload');
    expect(completes.map((e) => [e.status, e.fault?.code])).toEqual([
      [200, 'InternalError'],
      [200, undefined],
    ]);
  });
});
