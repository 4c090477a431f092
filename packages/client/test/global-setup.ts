import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority } from '@cos-direct/emulator';

// The sign server inside the wire tests gets its temporary keys from the emulator's STS through
// qcloud-cos-sts, which trusts only the CAs named by NODE_EXTRA_CA_CERTS, read when a worker starts:
// the CA must exist before the workers do.
export default async function setup() {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-direct-test-ca-'));
  const ca = await createCertificateAuthority(caDir);
  process.env.COS_DIRECT_TEST_CA_DIR = caDir;
  process.env.NODE_EXTRA_CA_CERTS = ca.caCertPath;
  return () => rm(caDir, { recursive: true, force: true });
}
