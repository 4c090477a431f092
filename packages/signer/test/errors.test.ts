import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKeyTime, SignerError, SignerErrorCodes, signPostPolicy, signRequest } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Rows of the README's error table: | `SIGN_ERR_…` | meaning |. */
function documentedCodes(): Array<{ code: string; meaning: string }> {
  const header = readme.indexOf('| code | meaning |');
  expect(header, 'README.md has a "| code | meaning |" table').toBeGreaterThan(-1);
  const rows: Array<{ code: string; meaning: string }> = [];
  for (const line of readme.slice(header).split('\n').slice(2)) {
    const m = /^\|\s*`?([A-Z0-9_]+)`?\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
    if (!m) break;
    rows.push({ code: m[1]!, meaning: m[2]! });
  }
  return rows;
}

describe('error codes', () => {
  const rows = documentedCodes();
  const codes = Object.keys(SignerErrorCodes);

  it.each(codes)('%s is documented in the README error table', (code) => {
    const row = rows.find((r) => r.code === code);
    expect(row, code).toBeDefined();
    expect(row!.meaning.length).toBeGreaterThan(10);
  });

  it('the README table lists nothing else, once each', () => {
    expect(rows.map((r) => r.code).sort()).toEqual([...codes].sort());
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
  });

  it('every code starts with SIGN_ERR_ and has a description', () => {
    for (const [code, description] of Object.entries(SignerErrorCodes)) {
      expect(code).toMatch(/^SIGN_ERR_[A-Z0-9_]+$/);
      expect(description.length).toBeGreaterThan(10);
    }
  });
});

describe('SignerError', () => {
  it('is an Error with a stable code, name and brand', () => {
    const e = new SignerError('SIGN_ERR_KEY_TIME', 'bad');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(SignerError);
    expect(e.name).toBe('SignerError');
    expect(e.code).toBe('SIGN_ERR_KEY_TIME');
    expect(e.message).toBe('bad');
    expect((e as unknown as Record<symbol, unknown>)[Symbol.for('cos-direct.signer.error')]).toBe(true);
  });

  it('recognises errors of another copy of the package by the Symbol.for brand', () => {
    const foreign = { code: 'SIGN_ERR_KEY_TIME', message: 'x', [Symbol.for('cos-direct.signer.error')]: true };
    expect(foreign instanceof SignerError).toBe(true);
    class OtherCopyError extends Error {
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, Symbol.for('cos-direct.signer.error'), { value: true });
      }
    }
    expect(new OtherCopyError('x') instanceof SignerError).toBe(true);
  });

  it('does not recognise look-alikes', () => {
    expect(new Error('x') instanceof SignerError).toBe(false);
    expect({ code: 'SIGN_ERR_KEY_TIME' } instanceof SignerError).toBe(false);
    expect({ [Symbol('cos-direct.signer.error')]: true } instanceof SignerError).toBe(false);
    expect({ [Symbol.for('cos-direct.signer.error')]: 'yes' } instanceof SignerError).toBe(false);
    expect((null as unknown) instanceof SignerError).toBe(false);
    expect(('SIGN_ERR_KEY_TIME' as unknown) instanceof SignerError).toBe(false);
  });

  it('is what the API throws', () => {
    expect(() => parseKeyTime('1;0')).toThrow(SignerError);
    expect(() => parseKeyTime('now')).toThrow(expect.objectContaining({ code: 'SIGN_ERR_KEY_TIME' }));
    const creds = { secretId: 'id', secretKey: 'key' };
    expect(() => signRequest({ method: '', pathname: '/' }, { credentials: creds })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => signRequest({ method: 'GET', pathname: 'no-slash' }, { credentials: creds })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => signRequest({ method: 'GET', pathname: '/' }, { credentials: { secretId: 'id', secretKey: '' } })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => signRequest({ method: 'GET', pathname: '/' }, { credentials: creds, keyTime: '5;1' })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_KEY_TIME' }),
    );
    expect(() => signRequest({ method: 'GET', pathname: '/' }, { credentials: creds, expiresIn: 0, startTime: 1 })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => signPostPolicy('{}', { credentials: { secretId: 'id', secretKey: '' }, keyTime: '1;2' })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => signPostPolicy(null as never, { credentials: creds, keyTime: '1;2' })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }),
    );
  });
});
