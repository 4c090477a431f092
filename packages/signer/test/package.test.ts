import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignerError, SignerErrorCodes } from '../src/index.js';

const root = new URL('..', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('package rules', () => {
  it('documents every error code in the README table, and nothing else', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `(SIGN_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(SignerErrorCodes).sort());
  });

  it('recognises errors from another copy of the package by their brand', () => {
    const foreign = { code: 'SIGN_ERR_KEY_TIME', [Symbol.for('cos-direct.signer.error')]: true };
    expect(foreign instanceof SignerError).toBe(true);
    expect(new Error('x') instanceof SignerError).toBe(false);
  });

  it('keeps Node APIs and the wall clock out of the isomorphic core', () => {
    for (const file of files(join(root, 'src'))) {
      const rel = file.slice(root.length);
      const text = readFileSync(file, 'utf8');
      if (rel === 'src/crypto/node.ts') continue;
      expect(text, rel).not.toMatch(/from ['"]node:/);
      expect(text, rel).not.toMatch(/\bBuffer\b/);
      if (rel !== 'src/cos/key-time.ts') expect(text, rel).not.toMatch(/Date\.now\(/);
    }
  });
});
