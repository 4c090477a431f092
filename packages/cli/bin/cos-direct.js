#!/usr/bin/env node
// Committed so that installing a checkout links this command before anything is built; the published
// package runs the same file.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('cos-direct: this checkout is not built yet; run `npm run build` at the repository root first\n');
  process.exit(1);
}
await import(cli.href);
