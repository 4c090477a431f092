import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@cos-direct/emulator';

// The emulator's CA must exist before test workers start: qcloud-cos-sts (inside the server) only
// trusts CAs named by NODE_EXTRA_CA_CERTS, which Node reads at process start.
export default async function setup() {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-server-test-ca-'));
  const emu = await startEmulator({ caDir, httpPort: 0 });
  await emu.close();
  process.env.COS_DIRECT_SERVER_TEST_CA_DIR = caDir;
  process.env.NODE_EXTRA_CA_CERTS = emu.info.caCertPath;
}
