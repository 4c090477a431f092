import { defineConfig } from 'vitest/config';
import { coverage, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // src/main.ts is the page script: it runs in the browser (e2e/test/browser), never in this Node suite, which
    // checks the built bundle. So the report lists it at 0% and there is no floor to keep.
    coverage: coverage(undefined),
  },
});
