// Shared by the container test suites' global setups: builds the emulator image offline when a Docker
// engine answers; without one, the suites skip and say why, except with CI=true, where it is a failure.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./build-emulator-image.sh', import.meta.url));

export function dockerAvailable() {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Sets COS_DIRECT_DOCKER=1 for the workers when container tests can run. */
export function prepareContainerTests() {
  // The Ryuk reaper image cannot be pulled without a registry; the tests stop their containers.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  if (dockerAvailable()) {
    execFileSync('bash', [script], { stdio: 'inherit', timeout: 600_000 });
    process.env.COS_DIRECT_DOCKER = '1';
  } else if (process.env.CI) {
    throw new Error('CI=true but no Docker engine answers: scripts/system-deps.sh installs and starts one');
  }
}
