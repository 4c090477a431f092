import { defineConfig } from 'vitest/config';
import { coverage, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    coverage: coverage({ lines: 98, functions: 91, branches: 91, statements: 96 }),
  },
});
