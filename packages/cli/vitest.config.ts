import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { coverage, LOOPBACK_SUITE, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

export default defineConfig({
  test: {
    ...LOOPBACK_SUITE,
    // The tests share the client's stack helper, which loads the client's sources: those are the client
    // suite's to measure, so only this package's own sources count here.
    coverage: coverage({ lines: 95, functions: 98, branches: 84, statements: 94 }, [fileURLToPath(new URL('src/**', import.meta.url))]),
  },
});
