import { readFileSync } from 'node:fs';
import { SERVER_ERROR_CODES } from '@cos-direct/protocol';
import { describe, expect, it } from 'vitest';
import { CONFIG_ISSUE_CODES, ServerError, ServerErrorCodes } from '../src/index.js';

describe('error catalog', () => {
  it('documents every code with its status, and nothing else', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = Object.fromEntries(
      [...readme.matchAll(/^\| `(SRV_ERR_[A-Z_]+)` *\| (\d{3}) *\|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const catalog = Object.fromEntries(Object.entries(ServerErrorCodes).map(([code, v]) => [code, v.status]));
    expect(documented).toEqual(catalog);
  });

  it('answers exactly the codes @cos-direct/protocol lists, where clients read them', () => {
    expect(Object.keys(ServerErrorCodes).sort()).toEqual([...SERVER_ERROR_CODES].sort());
  });

  it('documents every configuration issue code, and nothing else', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `(SRV_ERR_CONFIG_[A-Z_]+)` *\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...CONFIG_ISSUE_CODES].sort());
  });

  it('recognises errors from another copy of the package', () => {
    expect({ [Symbol.for('cos-direct.server.error')]: true } instanceof ServerError).toBe(true);
  });
});
