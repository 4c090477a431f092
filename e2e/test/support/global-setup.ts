import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@cos-direct/emulator';
// @ts-expect-error: a plain script shared with the other container suites
import { prepareContainerTests } from '../../../docker/test-setup.mjs';

// Every suite's emulators share one CA, created before the test workers start so that they inherit
// NODE_EXTRA_CA_CERTS (qcloud-cos-sts inside the sign server trusts nothing else).
export default async function setup() {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-e2e-ca-'));
  const emu = await startEmulator({ caDir, httpPort: 0 });
  await emu.close();
  process.env.COS_DIRECT_E2E_CA_DIR = caDir;
  process.env.NODE_EXTRA_CA_CERTS = emu.info.caCertPath;
  prepareContainerTests();
}
