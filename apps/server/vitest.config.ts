import { defineConfig } from 'vitest/config';
import { coverage, IO_BOUND_WORKERS, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    maxWorkers: IO_BOUND_WORKERS,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: coverage({ lines: 86, functions: 84, branches: 75, statements: 83 }),
  },
});
