import { defineConfig } from 'vitest/config';
import { coverage, LOOPBACK_SUITE, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    ...LOOPBACK_SUITE,
    coverage: coverage({ lines: 95, functions: 98, branches: 84, statements: 94 }),
  },
});
