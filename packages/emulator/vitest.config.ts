import { defineConfig } from 'vitest/config';

// The floors hold for whole runs only: a run of some files or tests (`vitest run test/x.test.ts`, `-t name`,
// `--shard`) measures part of src and is reported, not judged.
const args = process.argv.slice(2).filter((a) => a !== 'run');
const wholeRun = !args.some(
  (a, i) => /^(-t|--testNamePattern|--shard)\b/.test(a) || (!a.startsWith('-') && !/^-[^=]*$/.test(args[i - 1] ?? '')),
);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Coverage is part of every run: coverage/coverage-summary.json for tools, one summary line per metric here.
    // The floors sit a little under what the suite measures; a run that drops below them fails.
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['src/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: wholeRun ? { lines: 86, functions: 86, branches: 68, statements: 82 } : undefined,
    },
  },
});
