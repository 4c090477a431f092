import { defineConfig } from 'vitest/config';
import { coverage, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    coverage: coverage({ lines: 100, functions: 100, branches: 100, statements: 100 }),
  },
});
