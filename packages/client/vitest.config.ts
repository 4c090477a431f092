import { defineConfig } from 'vitest/config';
import { coverage, LOOPBACK_SUITE, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    ...LOOPBACK_SUITE,
    // Branches: the browser-only failure probes (xhr.ts, network.ts) run in Chromium, not here.
    coverage: coverage({ lines: 95, functions: 93, branches: 89, statements: 94 }),
  },
});
