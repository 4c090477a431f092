import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// The page ships @cos-direct/client's browser build and the signer's pure crypto core; this budget
// catches a Node-only dependency or a polyfill sneaking into it.
const BUDGET_GZIP_BYTES = 16 * 1024;

describe('the demo bundle', () => {
  const bundle = readFileSync(new URL('../dist/app.js', import.meta.url));

  it(`stays under ${BUDGET_GZIP_BYTES / 1024} KiB gzipped`, () => {
    expect(gzipSync(bundle).length).toBeLessThan(BUDGET_GZIP_BYTES);
  });

  it('contains no Node built-ins or undici', () => {
    const text = bundle.toString();
    expect(text).not.toMatch(/from\s*["']node:|require\(["']node:|undici/);
  });
});
