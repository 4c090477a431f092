import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClientErrorCodes, CosDirectError } from '../src/errors.js';
import { DEFAULT_RETRY_POLICY } from '../src/lib/retry-policy.js';

const root = new URL('..', import.meta.url).pathname;

function importGraph(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const m of text.matchAll(/from ['"](\.[^'"]+)['"]/g)) importGraph(join(entry, '..', m[1]!.replace(/\.js$/, '.ts')), seen);
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

  it('recognises errors from another copy of the package', () => {
    expect({ [Symbol.for('cos-direct.client.error')]: true } instanceof CosDirectError).toBe(true);
  });
});
