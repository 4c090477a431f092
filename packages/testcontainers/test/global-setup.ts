import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority } from '@cos-direct/emulator';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

export function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

// One CA for the run, created before the workers start so that they trust it (NODE_EXTRA_CA_CERTS);
// containers get it through withCaDirectory. The image is built here, offline, when Docker answers.
export default async function setup() {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-tc-ca-'));
  const ca = await createCertificateAuthority(caDir);
  process.env.COS_DIRECT_TC_CA_DIR = caDir;
  process.env.NODE_EXTRA_CA_CERTS = ca.caCertPath;
  // The Ryuk reaper image cannot be pulled without a registry; containers are stopped by the tests.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  if (dockerAvailable()) {
    execFileSync('bash', [join(repo, 'docker', 'build-emulator-image.sh')], { stdio: 'inherit', timeout: 600_000 });
    process.env.COS_DIRECT_DOCKER = '1';
  } else if (process.env.CI) {
    throw new Error('CI=true but no Docker engine answers: scripts/system-deps.sh installs and starts one');
  }
}
