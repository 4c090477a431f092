import { defineConfig } from 'vitest/config';
import { warnIfBuildsAreStale } from '../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // End-to-end suites start servers and browsers: one file at a time keeps a 2-core machine responsive.
    fileParallelism: false,
  },
});
