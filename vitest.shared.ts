// Coverage settings shared by every workspace's vitest.config.ts: one place for the provider, the
// reports and the rule that floors judge whole runs only.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { CoverageOptions } from 'vitest/node';
import { staleBuilds } from './scripts/build-stamp.mjs';

/**
 * Workers for suites that mostly wait on sockets and child processes: one per core. (Vitest's default
 * leaves a core free, which on a 2-core machine means one file at a time.)
 */
export const IO_BOUND_WORKERS = availableParallelism();

/**
 * The test options of the suites that start the emulator and sign servers on loopback: their files, one worker
 * per core, the global setup that creates the emulator's CA before the workers start (so that they trust it
 * through NODE_EXTRA_CA_CERTS), and timeouts for servers starting on a busy machine.
 */
export const LOOPBACK_SUITE = {
  include: ['test/**/*.test.ts'],
  maxWorkers: IO_BOUND_WORKERS,
  globalSetup: ['test/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

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

/**
 * Tests reach sibling workspaces (and some their own CLI) through the built `dist`, which `npm test` builds
 * first. A suite run on its own after a `src` edit would test the old code: say so before it starts.
 */
export function warnIfBuildsAreStale(): void {
  // The config is bundled before it runs, so import.meta.url is no guide: the repository root is the
  // nearest folder up from the workspace with the pnpm workspace file.
  let root = process.cwd();
  while (!existsSync(join(root, 'pnpm-workspace.yaml')) && dirname(root) !== root) root = dirname(root);
  const stale = staleBuilds(root);
  if (stale.length > 0) {
    console.warn(
      `\n⚠ dist was built from other sources than src in ${stale.join(', ')}: tests that load it run the old code (npm run build)\n`,
    );
  }
}
