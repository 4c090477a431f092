import { defineConfig } from 'vitest/config';
// @ts-expect-error: a plain script shared with the other container suites
import { dockerAvailable } from '../../docker/test-setup.mjs';

// The floors hold for whole runs only: a run of some files or tests (`vitest run test/x.test.ts`, `-t name`,
// `--shard`) measures part of src and is reported, not judged.
const args = process.argv.slice(2).filter((a) => a !== 'run');
const wholeRun = !args.some(
  (a, i) => /^(-t|--testNamePattern|--shard)\b/.test(a) || (!a.startsWith('-') && !/^-[^=]*$/.test(args[i - 1] ?? '')),
);

// Without a Docker engine the container tests skip (test/global-setup.ts), and only the in-process code is
// measured: the floors follow what each case measures, so a run without Docker does not fail on them.
const thresholds = dockerAvailable()
  ? { lines: 87, functions: 85, branches: 71, statements: 82 }
  : { lines: 39, functions: 49, branches: 33, statements: 35 };

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Coverage is part of every run: coverage/coverage-summary.json for tools, one summary line per metric here.
    // The floors (above) sit a little under what the suite measures; a run that drops below them fails.
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['src/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: wholeRun ? thresholds : undefined,
    },
  },
});
