import { defineConfig } from 'vitest/config';
import { coverage, warnIfBuildsAreStale } from '../../vitest.shared.js';
// @ts-expect-error: a plain script shared with the other container suites
import { dockerAvailable } from '../../docker/test-setup.mjs';

// Without a Docker engine the container tests skip (test/global-setup.ts), and only the in-process code is
// measured: the floors follow what each case measures, so a run without Docker does not fail on them.
const thresholds = dockerAvailable()
  ? { lines: 87, functions: 85, branches: 71, statements: 82 }
  : { lines: 39, functions: 49, branches: 33, statements: 35 };

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    coverage: coverage(thresholds),
  },
});
