import { defineConfig } from 'vitest/config';
import { coverage, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The uploads themselves run in Chromium (e2e/test/browser/uppy-page.test.ts): XMLHttpRequest is not in Node.
    coverage: coverage(undefined),
  },
});
