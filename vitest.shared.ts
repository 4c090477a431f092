// Coverage settings shared by every workspace's vitest.config.ts: one place for the provider, the
// reports and the rule that floors judge whole runs only.
import type { CoverageOptions } from 'vitest/node';

export type CoverageFloors = { lines: number; functions: number; branches: number; statements: number };

// A run of some files or tests (`vitest run test/x.test.ts`, `-t name`, `--shard`) measures part of src:
// it is reported, not judged.
function isWholeRun(argv: string[]): boolean {
  const args = argv.filter((a) => a !== 'run');
  return !args.some((a, i) => /^(-t|--testNamePattern|--shard)\b/.test(a) || (!a.startsWith('-') && !/^-[^=]*$/.test(args[i - 1] ?? '')));
}

/**
 * Coverage of `include` in every run (coverage/coverage-summary.json for tools, one summary line per metric
 * on the console). The floors sit a little under what the suite measures; a whole run below them fails.
 */
export function coverage(floors: CoverageFloors | undefined, include: string[] = ['src/**']): CoverageOptions {
  return {
    enabled: true,
    provider: 'v8',
    include,
    reporter: ['text-summary', 'json-summary'],
    reportsDirectory: 'coverage',
    thresholds: floors && isWholeRun(process.argv.slice(2)) ? floors : undefined,
  };
}
