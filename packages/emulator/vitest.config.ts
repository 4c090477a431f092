import { defineConfig } from 'vitest/config';
import { coverage, LOOPBACK_SUITE, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    ...LOOPBACK_SUITE,
    coverage: coverage({ lines: 86, functions: 86, branches: 68, statements: 82 }),
  },
});
