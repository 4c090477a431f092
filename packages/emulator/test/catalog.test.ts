import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUBRESOURCES } from '../src/bucket-config/subresources.js';
import { CosErrors } from '../src/errors/index.js';

describe('error catalog', () => {
  it('lists every COS error the emulator can answer in the README, with its status', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = new Map([...readme.matchAll(/^\| `([A-Za-z0-9]+)` +\| (\d{3}) +\|/gm)].map((m) => [m[1]!, Number(m[2])]));
    const produced = new Map<string, number>();
    for (const [name, factory] of Object.entries(CosErrors)) {
      if (name === 'noSuchConfiguration') {
        // One factory for the 404 of each bucket configuration, with that sub-resource's code.
        for (const spec of SUBRESOURCES) if ('code' in spec.absent) produced.set(spec.absent.code, 404);
        continue;
      }
      const error = (factory as (...args: unknown[]) => { code: string; statusCode: number })('x', {}, 1);
      produced.set(error.code, error.statusCode);
    }
    produced.set('InvalidRange', 416);
    expect([...documented.keys()].sort()).toEqual([...produced.keys()].sort());
    for (const [code, status] of produced) expect(documented.get(code), code).toBe(status);
  });

  it('lists every STS error code the emulator can answer in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('| STS code |'));
    const documented = [...section.matchAll(/^\| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]!);
    const source = readFileSync(new URL('../src/sts/service.ts', import.meta.url), 'utf8');
    const produced = new Set([...source.matchAll(/new StsFailure\(\s*'([A-Za-z.]+)'/g)].map((m) => m[1]!));
    expect([...new Set(documented)].sort()).toEqual([...produced].sort());
  });
});
