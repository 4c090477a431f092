import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority } from '@cos-direct/emulator';
// @ts-expect-error: a plain script shared with the other container suites
import { prepareContainerTests } from '../../../docker/test-setup.mjs';

// One CA for the run, created before the workers start so that they trust it (NODE_EXTRA_CA_CERTS);
// containers get it through withCaDirectory. The image is built here, offline, when Docker answers.
export default async function setup() {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-tc-ca-'));
  const ca = await createCertificateAuthority(caDir);
  process.env.COS_DIRECT_TC_CA_DIR = caDir;
  process.env.NODE_EXTRA_CA_CERTS = ca.caCertPath;
  prepareContainerTests();
}
