import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The core runs in browsers and workers: Node built-ins only behind the #crypto condition
// (src/crypto/node.ts), and the wall clock only as the default of key-time.ts.
const root = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.[cm]?[jt]s$/.test(name) ? [path] : [];
  });
}

/** The code without comments and string contents, so prose cannot trip or hide a match. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, (s) => (/^['"]node:/.test(s) ? s : "''"));
}

const files = sourceFiles(join(root, 'src')).map((path) => ({
  rel: relative(root, path).split(sep).join('/'),
  text: readFileSync(path, 'utf8'),
}));

describe('isomorphic core', () => {
  it('finds the sources', () => {
    expect(files.map((f) => f.rel)).toEqual(
      expect.arrayContaining(['src/index.ts', 'src/crypto/node.ts', 'src/cos/key-time.ts', 'src/cos/sign.ts']),
    );
  });

  it.each(files.filter((f) => f.rel !== 'src/crypto/node.ts').map((f) => [f.rel, f.text]))(
    '%s uses no node: module and no Buffer',
    (_rel, text) => {
      expect(text).not.toMatch(/\bfrom\s+['"]node:/);
      expect(text).not.toMatch(/\bimport\s*\(\s*['"]node:/);
      expect(text).not.toMatch(/\brequire\s*\(\s*['"]node:/);
      // Bare built-in names too (crypto, fs, buffer …), which bundlers for the browser cannot resolve.
      expect(text).not.toMatch(/\bfrom\s+['"](crypto|fs|path|buffer|http|https|url|util|stream|os)['"]/);
      expect(codeOnly(text)).not.toMatch(/\bBuffer\b/);
      expect(codeOnly(text)).not.toMatch(/\bprocess\.(env|hrtime|versions)\b/);
    },
  );

  it.each(files.filter((f) => f.rel !== 'src/cos/key-time.ts').map((f) => [f.rel, f.text]))('%s does not read the clock', (_rel, text) => {
    expect(codeOnly(text)).not.toMatch(/Date\.now\(/);
    expect(codeOnly(text)).not.toMatch(/new Date\(\s*\)/);
    expect(codeOnly(text)).not.toMatch(/performance\.now\(/);
  });

  it('imports only declared dependencies, through subpaths their exports maps publish', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const specifiers = files.flatMap((f) => [...f.text.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!));
    const bare = [...new Set(specifiers.filter((s) => !/^(\.|#|node:)/.test(s)))];
    expect(bare.length).toBeGreaterThan(0);
    for (const specifier of bare) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      expect(Object.keys(pkg.dependencies ?? {}), specifier).toContain(name);
      const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
        exports?: string | Record<string, unknown>;
      };
      // Without an exports map (or with a string for one), a package publishes its root alone.
      const published = typeof manifest.exports === 'object' ? Object.keys(manifest.exports) : ['.'];
      expect(published, specifier).toContain(`.${specifier.slice(name.length)}`);
    }
  });

  it('keeps node:crypto in src/crypto/node.ts, reached only through the #crypto import', () => {
    const node = files.find((f) => f.rel === 'src/crypto/node.ts')!;
    expect(node.text).toMatch(/from ['"]node:crypto['"]/);
    for (const f of files) {
      if (f.rel === 'src/crypto/node.ts') continue;
      expect(f.text, f.rel).not.toMatch(/from ['"][./]+crypto\/node(\.js)?['"]/);
      expect(f.text, f.rel).not.toMatch(/from ['"]\.\/node(\.js)?['"]/);
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports: Record<string, Record<string, string>> };
    expect(pkg.imports['#crypto']).toMatchObject({ node: './dist/crypto/node.js', default: './dist/crypto/pure.js' });
  });
});
