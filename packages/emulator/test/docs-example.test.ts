import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The first ```ts block after `heading` in docs/architecture.md, as it stands. */
function example(heading: string): string {
  const doc = readFileSync(join(packageDir, '../../docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf(heading));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`no ts block after ${heading}`);
  return block[1]!;
}

describe('docs/architecture.md', () => {
  it("runs the emulator's library example as written", () => {
    const code = example('## Emulator');
    expect(code).toContain("from '@cos-direct/emulator'");
    // The block is TypeScript without types; written into the package, it imports the package by name.
    const file = join(packageDir, 'dist', `.docs-example-${process.pid}.mjs`);
    const home = mkdtempSync(join(tmpdir(), 'cos-docs-example-'));
    writeFileSync(file, `${code}\nconsole.log(JSON.stringify(emulator.info.buckets));\n`);
    try {
      const run = spawnSync(process.execPath, [file], { env: { ...process.env, HOME: home }, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(['dev-1250000000']);
    } finally {
      rmSync(file, { force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
