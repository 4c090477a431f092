import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

// The commands the root README documents for a checkout: linked at install into the root's
// node_modules/.bin (what `pnpm exec` runs), from committed bin files that load the build.
const CLIS = [
  { name: 'cos-emulator', dir: 'packages/emulator', help: /^cos-emulator: an offline Tencent Cloud COS \+ STS emulator/ },
  { name: 'cos-direct-server', dir: 'apps/server', help: /^cos-direct-server: / },
  { name: 'cos-direct', dir: 'packages/cli', help: /^cos-direct: / },
];

describe('the CLIs from a checkout', () => {
  for (const cli of CLIS) {
    it(`${cli.name} --help answers from the repository root`, () => {
      const r = spawnSync(join(repo, 'node_modules', '.bin', cli.name), ['--help'], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(cli.help);
    });

    it(`${cli.name} says to build first when the build is missing`, () => {
      // The same bin file in a package folder without dist/.
      const dir = mkdtempSync(join(tmpdir(), 'cos-bin-'));
      try {
        mkdirSync(join(dir, 'bin'));
        copyFileSync(join(repo, cli.dir, 'bin', `${cli.name}.js`), join(dir, 'bin', `${cli.name}.js`));
        const r = spawnSync(process.execPath, [join(dir, 'bin', `${cli.name}.js`), '--help'], { encoding: 'utf8', timeout: 30_000 });
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(`${cli.name}: this checkout is not built yet; run \`npm run build\` at the repository root first\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
