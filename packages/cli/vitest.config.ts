import { defineConfig } from 'vitest/config';
import { coverage, IO_BOUND_WORKERS, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    maxWorkers: IO_BOUND_WORKERS,
    // Creates the emulator's CA before the workers start, so that they trust it (NODE_EXTRA_CA_CERTS).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: coverage({ lines: 95, functions: 98, branches: 84, statements: 94 }),
  },
});
