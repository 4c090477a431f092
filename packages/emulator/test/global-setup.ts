import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTlsMaterial } from '../src/tls/certificates.js';

// Creates the emulator CA before test workers start, so they inherit NODE_EXTRA_CA_CERTS: the official
// qcloud-cos-sts SDK always calls https://<endpoint>/ and offers no way to pass a CA.
export default async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'cos-emulator-test-ca-'));
  const tls = await loadTlsMaterial(dir, ['localhost']);
  process.env.COS_EMULATOR_TEST_CA_DIR = dir;
  process.env.NODE_EXTRA_CA_CERTS = tls.caCertPath;
}
