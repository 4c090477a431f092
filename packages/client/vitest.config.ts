import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Creates the emulator's CA before the workers start, so that they trust it (NODE_EXTRA_CA_CERTS).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Coverage is part of every run: coverage/coverage-summary.json for tools, one summary line per metric here.
    // The floors sit a little under what the suite measures; a run that drops below them fails.
    // Running a single file? Add --coverage.enabled=false.
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['src/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 95, functions: 93, branches: 90, statements: 94 },
    },
  },
});
