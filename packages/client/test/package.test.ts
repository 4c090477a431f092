import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClientErrorCodes, CosDirectError } from '../src/errors.js';
import { DEFAULT_RETRY_POLICY } from '../src/lib/retry-policy.js';

const root = new URL('..', import.meta.url).pathname;

/** The relative imports reachable from a file, following `.js` specifiers to `ext` files (sources or built). */
function importGraph(entry: string, seen = new Set<string>(), ext = '.ts'): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const m of text.matchAll(/from ['"](\.[^'"]+)['"]/g)) importGraph(join(entry, '..', m[1]!.replace(/\.js$/, ext)), seen, ext);
  return seen;
}

describe('package rules', () => {
  it('documents every error code in the README table', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `(CLIENT_ERR_[A-Z0-9_]+)` +\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ClientErrorCodes).sort());
  });

  it('documents the default retry policy: every status and code it retries', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Retries'), readme.indexOf('## How a request is made'));
    for (const code of [...DEFAULT_RETRY_POLICY.codes, ...DEFAULT_RETRY_POLICY.permanent]) expect(section, code).toContain(`\`${code}\``);
    expect(section).toContain(DEFAULT_RETRY_POLICY.statuses.join(', '));
  });

  it('keeps node: modules and undici out of the browser build', () => {
    for (const file of importGraph(join(root, 'src', 'browser.ts'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from ['"](node:|undici)/);
    }
  });

  it('keeps React out of every entry but /react, in the sources and the built files', () => {
    for (const entry of ['index', 'browser', 'node']) {
      for (const file of importGraph(join(root, 'src', `${entry}.ts`))) {
        expect(readFileSync(file, 'utf8'), file).not.toMatch(/from ['"]react['"/]/);
        expect(file).not.toMatch(/react\.ts$/);
      }
      for (const file of importGraph(join(root, 'dist', `${entry}.js`), new Set(), '.js')) {
        expect(readFileSync(file, 'utf8'), file).not.toMatch(/from ['"]react['"/]|require\(['"]react/);
      }
    }
    // The check can see React where it is: the hook's module imports it.
    expect(readFileSync(join(root, 'src', 'react.ts'), 'utf8')).toMatch(/from 'react'/);
    expect(readFileSync(join(root, 'dist', 'react.js'), 'utf8')).toMatch(/from 'react'/);
  });

  it('recognises errors from another copy of the package', () => {
    expect({ [Symbol.for('cos-direct.client.error')]: true } instanceof CosDirectError).toBe(true);
  });
});
