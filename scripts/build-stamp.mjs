#!/usr/bin/env node
// Run by each workspace's build, in the workspace: records a digest of the sources the build was made
// from in dist/.src-digest, so that a test run can tell a stale dist from a current one by content
// (a build replayed from turbo's cache keeps old file times).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAMP = '.src-digest';

/** A digest of every file under `<workspace>/src`, by relative path and content. */
export function sourceDigest(workspace) {
  const hash = createHash('sha256');
  const src = join(workspace, 'src');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(relative(src, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  if (existsSync(src)) walk(src);
  return hash.digest('hex');
}

/** The workspaces under packages/ and apps/ whose dist was built from other sources than theirs now. */
export function staleBuilds(root) {
  const stale = [];
  for (const parent of ['packages', 'apps']) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const stamp = join(dir, name, 'dist', STAMP);
      if (!existsSync(stamp)) continue;
      if (readFileSync(stamp, 'utf8') !== sourceDigest(join(dir, name))) stale.push(`${parent}/${name}`);
    }
  }
  return stale;
}

/** Whether each workspace's dist was built from its sources as they are now. */
export function builtFromCurrentSources(workspace) {
  const stamp = join(workspace, 'dist', STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === sourceDigest(workspace);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `--current <workspace>…`: exit 0 when every one is built from its current sources (a script that would
  // rebuild them, while tests read their dist, can then leave them be).
  if (process.argv[2] === '--current') process.exit(process.argv.slice(3).every(builtFromCurrentSources) ? 0 : 1);
  writeFileSync(join(process.cwd(), 'dist', STAMP), sourceDigest(process.cwd()));
}
