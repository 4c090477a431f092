import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@cos-direct/emulator';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

// Every suite's emulators share one CA, created before the test workers start so that they inherit
// NODE_EXTRA_CA_CERTS (qcloud-cos-sts inside the sign server trusts nothing else).
export default async function setup() {
  const caDir = await mkdtemp(join(tmpdir(), 'cos-e2e-ca-'));
  const emu = await startEmulator({ caDir, httpPort: 0 });
  await emu.close();
  process.env.COS_DIRECT_E2E_CA_DIR = caDir;
  process.env.NODE_EXTRA_CA_CERTS = emu.info.caCertPath;
  // Container suites: the image is built offline here; without Docker they say why they skip, and in CI fail.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  if (dockerAvailable()) {
    execFileSync('bash', [join(repo, 'docker', 'build-emulator-image.sh')], { stdio: 'inherit', timeout: 600_000 });
    process.env.COS_DIRECT_DOCKER = '1';
  } else if (process.env.CI) {
    throw new Error('CI=true but no Docker engine answers: scripts/system-deps.sh installs and starts one');
  }
}
