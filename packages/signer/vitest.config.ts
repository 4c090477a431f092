import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Coverage is part of every run: coverage/coverage-summary.json for tools, one summary line per metric here.
    // The floors sit a little under what the suite measures; a run that drops below them fails.
    // Running a single file? Add --coverage.enabled=false.
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['src/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 97, functions: 91, branches: 90, statements: 96 },
    },
  },
});
