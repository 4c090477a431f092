#!/usr/bin/env node
// The README's commands: installs what the repository needs (pnpm included, without corepack),
// then hands the task to turbo. Usage: node scripts/task.mjs <setup|build|test|bench|typecheck|lint|start>
//
// Quiet by default: install and build logs are shown only when they fail. `test` also lints, and under
// CI=true (or COS_DIRECT_NODE_LINES=22,24) runs the unit suites again on those Node lines.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const task = process.argv[2] ?? 'test';
const known = new Set(['setup', 'build', 'test', 'bench', 'typecheck', 'lint', 'start']);
if (!known.has(task)) {
  console.error(`unknown task "${task}"; expected one of: ${[...known].join(', ')}`);
  process.exit(2);
}

// Workspaces whose tests need nothing but Node: these run again on every supported Node line.
const UNIT_WORKSPACES = [
  'packages/protocol',
  'packages/signer',
  'packages/emulator',
  'packages/client',
  'packages/cli',
  'packages/uppy',
  'apps/server',
];
const nodeLines = (process.env.COS_DIRECT_NODE_LINES ?? (process.env.CI ? '22,24' : ''))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const childEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

function run(cmd, args, { quiet = false, cwd = root } = {}) {
  const r = spawnSync(cmd, args, { cwd, env: childEnv, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  const status = r.status ?? 1;
  if (quiet && status !== 0) {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
  }
  return status;
}
const pnpm = (args, opts) => run('npx', ['-y', `pnpm@${pnpmVersion}`, ...args], opts);
const say = (line) => process.stderr.write(`cos-direct: ${line}\n`);

/**
 * A quiet pnpm step that says it is still going: the first install downloads a few hundred packages
 * and can take minutes, which a single line would leave unexplained. Its output is shown if it fails.
 */
async function withProgress(label, args) {
  const started = Date.now();
  const ticker = setInterval(() => say(`still ${label} (${Math.round((Date.now() - started) / 1000)} s)…`), 15_000);
  try {
    const { status, output } = await runAsync('npx', ['-y', `pnpm@${pnpmVersion}`, ...args], { buffer: true });
    if (status !== 0) process.stdout.write(output);
    else if (Date.now() - started > 15_000) say(`done ${label} in ${Math.round((Date.now() - started) / 1000)} s`);
    return status;
  } finally {
    clearInterval(ticker);
  }
}

// Install only when the lockfile or a manifest changed since the last successful install.
function installStamp() {
  const h = createHash('sha256');
  for (const f of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json']) {
    if (existsSync(join(root, f))) h.update(readFileSync(join(root, f)));
  }
  for (const dir of workspaceDirs()) {
    const manifest = join(root, dir, 'package.json');
    if (existsSync(manifest)) h.update(readFileSync(manifest));
  }
  return h.digest('hex');
}
function workspaceDirs() {
  const dirs = [];
  for (const parent of ['packages', 'apps']) {
    if (!existsSync(join(root, parent))) continue;
    for (const name of readdirSync(join(root, parent)).sort()) dirs.push(`${parent}/${name}`);
  }
  if (existsSync(join(root, 'e2e/package.json'))) dirs.push('e2e');
  return dirs;
}

const stampFile = join(root, 'node_modules', '.cos-direct-install');
const stamp = installStamp();
const installing = !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp;
if (installing) {
  say(task === 'start' ? 'installing dependencies and building…' : 'installing dependencies…');
  // CI installs exactly the lockfile; a developer's install may update it after a manifest edit.
  const frozen = process.env.CI && existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  const status = await withProgress('installing dependencies', ['install', ...frozen]);
  if (status !== 0) {
    say('install failed (output above)');
    process.exit(status);
  }
  writeFileSync(stampFile, stamp);
}
if (task === 'setup') process.exit(0);

// Silent when clean; its findings otherwise.
const biome = () => run(join(root, 'node_modules', '.bin', 'biome'), ['ci', '--colors=off', '--error-on-warnings', '.'], { quiet: true });

if (task === 'lint') process.exit(run(join(root, 'node_modules', '.bin', 'biome'), ['ci', '--error-on-warnings', '.']));
if (task === 'start') {
  if (!installing) say('building…');
  const status = await withProgress('building', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
  if (status !== 0) process.exit(status);
  // Ctrl-C reaches the whole process group: let the stack shut down and report its own exit status.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  process.exit(run(process.execPath, [join(root, 'scripts', 'start.mjs'), ...process.argv.slice(3)]));
}
if (task !== 'test') {
  const extra = task === 'bench' ? ['--concurrency=1'] : [];
  process.exit(pnpm(['exec', 'turbo', 'run', task, ...extra, ...process.argv.slice(3)]));
}

// test: lint, a build, then every workspace's suite on this Node while the unit suites run again on the
// other supported lines. The reruns only read the built dist, so they need nothing from the main run.
for (const f of resultFiles()) rmSync(f, { force: true });
const failures = [];
const started = Date.now();
if (biome() !== 0) failures.push('lint (biome ci: see above; `npx biome check --write .` fixes formatting)');
if (pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']) !== 0) {
  failures.push('the build (see above)');
  printTotals();
  process.exit(1);
}
// Two workspaces' suites at a time: most of their time is spent waiting on sockets, browsers and
// containers, not on the CPU. One failing workspace must not hide the results of the others.
const concurrency = process.env.COS_DIRECT_TEST_CONCURRENCY ?? '2';
const [turboStatus, ...lineStatuses] = await Promise.all([
  runAsync('npx', [
    '-y',
    `pnpm@${pnpmVersion}`,
    'exec',
    'turbo',
    'run',
    'test',
    `--concurrency=${concurrency}`,
    '--continue=dependencies-successful',
    ...process.argv.slice(3),
  ]),
  ...nodeLines.map((line) => rerunOnNodeLine(line)),
]);
if (turboStatus !== 0) failures.push('a build, type check or test task (see "Failed:" above)');
for (const failed of lineStatuses.flat()) failures.push(failed);
printTotals();
say(`test took ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(failures.length === 0 ? 0 : 1);

/** Like `run`, without blocking: the child's output goes straight to this terminal, or is kept until it ends. */
function runAsync(cmd, args, { cwd = root, buffer = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: childEnv, stdio: buffer ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const chunks = [];
    if (buffer) {
      child.stdout.on('data', (d) => chunks.push(d));
      child.stderr.on('data', (d) => chunks.push(d));
    }
    child.on('error', (error) => {
      chunks.push(Buffer.from(String(error)));
      resolve({ status: 1, output: Buffer.concat(chunks).toString() });
    });
    child.on('close', (code) => {
      const status = code ?? 1;
      resolve(buffer ? { status, output: Buffer.concat(chunks).toString() } : status);
    });
  });
}

// The unit suites on one Node line, a workspace after another; each one's report is printed whole when it
// ends, so that parallel runs do not interleave their lines.
async function rerunOnNodeLine(line) {
  const failed = [];
  for (const dir of UNIT_WORKSPACES) {
    const { status, output } = await runAsync(
      'npx',
      [
        '-y',
        '-p',
        `node@${line}`,
        'node',
        join(root, dir, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--coverage.enabled=false',
        '--reporter=dot',
        '--reporter=json',
        `--outputFile.json=.test-results.node${line}.json`,
      ],
      { cwd: join(root, dir), buffer: true },
    );
    say(`unit tests of ${dir} on Node ${line}: ${status === 0 ? 'passed' : 'FAILED'}`);
    if (status !== 0) {
      process.stdout.write(output);
      failed.push(`${dir} on Node ${line}`);
    }
  }
  return failed;
}

function resultFiles() {
  const out = [];
  for (const dir of workspaceDirs()) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs)) if (/^\.test-results(\.node\d+)?\.json$/.test(name)) out.push(join(abs, name));
  }
  return out;
}

// One closing line for the whole repository, summed from each vitest JSON report: a test counts once
// however deeply it is nested, and a file that failed to load counts as one failure.
function printTotals() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const f of resultFiles()) {
    let report;
    try {
      report = JSON.parse(readFileSync(f, 'utf8'));
    } catch {
      failed += 1;
      continue;
    }
    for (const file of report.testResults ?? []) {
      const tests = file.assertionResults ?? [];
      if (file.status === 'failed' && !tests.some((t) => t.status === 'failed')) failed += 1;
      for (const t of tests) {
        if (t.status === 'passed') passed += 1;
        else if (t.status === 'failed') failed += 1;
        else skipped += 1;
      }
    }
  }
  const lines = nodeLines.length ? ` (unit suites also on Node ${nodeLines.join(', ')})` : '';
  for (const f of failures) console.log(`failed: ${f}`);
  console.log(`\ntests: ${passed} passed, ${failed + (failed === 0 ? failures.length : 0)} failed, ${skipped} skipped${lines}`);
}
