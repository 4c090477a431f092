#!/usr/bin/env node
// The README's commands: installs what the repository needs (pnpm included, without corepack),
// then hands the task to turbo. Usage: node scripts/task.mjs <setup|build|test|bench|typecheck|start>
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const task = process.argv[2] ?? 'test';
const known = new Set(['setup', 'build', 'test', 'bench', 'typecheck', 'start']);
if (!known.has(task)) {
  console.error(`unknown task "${task}"; expected one of: ${[...known].join(', ')}`);
  process.exit(2);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
function pnpm(args, opts) {
  return run('npx', ['-y', `pnpm@${pnpmVersion}`, ...args], opts);
}

// Install only when the lockfile or a manifest changed since the last successful install.
function installStamp() {
  const h = createHash('sha256');
  for (const f of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json']) {
    if (existsSync(join(root, f))) h.update(readFileSync(join(root, f)));
  }
  for (const dir of ['packages', 'apps']) {
    if (!existsSync(join(root, dir))) continue;
    for (const name of readdirSync(join(root, dir)).sort()) {
      const manifest = join(root, dir, name, 'package.json');
      if (existsSync(manifest)) h.update(readFileSync(manifest));
    }
  }
  if (existsSync(join(root, 'e2e/package.json'))) h.update(readFileSync(join(root, 'e2e/package.json')));
  return h.digest('hex');
}
const stampFile = join(root, 'node_modules', '.cos-direct-install');
const stamp = installStamp();
if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
  // CI installs exactly the lockfile; a developer's install may update it after a manifest edit.
  const frozen = process.env.CI && existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  const status = pnpm(['install', ...frozen]);
  if (status !== 0) process.exit(status);
  writeFileSync(stampFile, stamp);
}
if (task === 'setup') process.exit(0);

const turboArgs = ['exec', 'turbo', 'run', task];
if (task === 'test') {
  for (const f of findResultFiles()) rmSync(f, { force: true });
  // One failing workspace must not hide the results of the others.
  turboArgs.push('--concurrency=1', '--continue=dependencies-successful');
}
if (task === 'bench') turboArgs.push('--concurrency=1');
if (task === 'start') {
  const status = pnpm(['exec', 'turbo', 'run', 'build']);
  if (status !== 0) process.exit(status);
  // Ctrl-C reaches the whole process group: let the stack shut down and report its own exit status.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  process.exit(run(process.execPath, [join(root, 'scripts', 'start.mjs'), ...process.argv.slice(3)]));
}
const status = pnpm([...turboArgs, ...process.argv.slice(3)]);
if (task === 'test') printTotals(status);
process.exit(status);

function findResultFiles() {
  const out = [];
  for (const dir of ['packages', 'apps']) {
    if (!existsSync(join(root, dir))) continue;
    for (const name of readdirSync(join(root, dir))) out.push(join(root, dir, name, '.test-results.json'));
  }
  out.push(join(root, 'e2e', '.test-results.json'));
  return out.filter((f) => existsSync(f));
}

// One closing line for the whole repository, summed from each workspace's vitest JSON report.
function printTotals(status) {
  let passed = 0,
    failed = 0,
    skipped = 0;
  for (const f of findResultFiles()) {
    try {
      const r = JSON.parse(readFileSync(f, 'utf8'));
      passed += r.numPassedTests ?? 0;
      // A suite that fails to load has no failed tests of its own: count it once.
      failed += Math.max(r.numFailedTests ?? 0, r.numFailedTestSuites ?? 0);
      skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    } catch {
      failed += 1;
    }
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  // A failed build or type check runs no tests of its own: say so rather than end on a clean count.
  if (status !== 0 && failed === 0) console.log('tests: a build, type check or test task failed (see "Failed:" above)');
}
