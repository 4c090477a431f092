// Packing the publishable workspaces as they would be published (`pnpm pack`: workspace: and catalog:
// ranges rewritten) and installing the tarballs into a fresh project with npm: what a user gets.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repo = fileURLToPath(new URL('../../..', import.meta.url));
const pnpmVersion = (JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { packageManager: string }).packageManager.split(
  '@',
)[1];

const execFileAsync = promisify(execFile);
// The pnpm running this suite when there is one (turbo under `npm test`), else the repository's version
// through npx, which costs a resolution per call.
const pnpmCommand = process.env.npm_execpath?.includes('pnpm')
  ? [process.execPath, process.env.npm_execpath]
  : ['npx', '-y', `pnpm@${pnpmVersion}`];

// pnpm hands its scripts npm_config_* variables that npm does not know (catalog, verify-deps-before-run…),
// and npm or npx started with them warns once per variable. Keep only settings npm itself reads.
const NPM_SETTINGS = new Set([
  'registry',
  'cache',
  'userconfig',
  'globalconfig',
  'proxy',
  'https_proxy',
  'noproxy',
  'cafile',
  'strict_ssl',
]);
export const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^npm_config_/i.test(k) || NPM_SETTINGS.has(k.slice('npm_config_'.length).toLowerCase().replaceAll('-', '_')),
  ),
);

export interface Workspace {
  dir: string;
  name: string;
}

/** Every publishable workspace: not private, under packages/ or apps/, with a built dist. */
export async function publishableWorkspaces(): Promise<Workspace[]> {
  const found: Workspace[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const entry of await readdir(join(repo, parent), { withFileTypes: true })) {
      const dir = join(repo, parent, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'package.json'))) continue;
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean };
      if (manifest.private || !existsSync(join(dir, 'dist'))) continue;
      found.push({ dir, name: manifest.name });
    }
  }
  return found;
}

export interface Packed {
  /** Package name → tarball path. */
  tarballs: Map<string, string>;
  /** Package name → the tarball's file list. */
  listings: Map<string, string[]>;
}

/** Packs the workspaces side by side under `into`, each into a folder of its own so its tarball is the only file there. */
export async function packWorkspaces(workspaces: Workspace[], into: string): Promise<Packed> {
  const tarballs = new Map<string, string>();
  const listings = new Map<string, string[]>();
  await Promise.all(
    workspaces.map(async (w, i) => {
      const dir = join(into, String(i));
      await mkdir(dir);
      await execFileAsync(pnpmCommand[0]!, [...pnpmCommand.slice(1), 'pack', '--pack-destination', dir], { cwd: w.dir, env: npmEnv });
      const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
      if (!tarball) throw new Error(`pnpm pack produced no tarball for ${w.name}`);
      tarballs.set(w.name, join(dir, tarball));
      const listing = execFileSync('tar', ['-tzf', join(dir, tarball)], { encoding: 'utf8' });
      listings.set(w.name, listing.split('\n').filter(Boolean));
    }),
  );
  return { tarballs, listings };
}

/** npm install of tarballs and registry packages into a project. Its output is in the error when it fails. */
export function npmInstall(project: string, specs: string[]): void {
  // Packages already in npm's cache are not fetched again.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs], {
    cwd: project,
    stdio: 'pipe',
    env: npmEnv,
    timeout: 600_000,
  });
}
