import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// The page ships @cos-direct/client's browser build and the signer's pure crypto core (with the
// CRC-64 WebAssembly kernel's bytes, about 1 KiB); this budget catches a Node-only dependency or a
// polyfill sneaking into it, which would cost tens of KiB. The client's describeError carries a sentence
// per error code in English and Chinese, about 2 KiB gzipped of the total; multipart key renewal, the
// resume list and confirmation with its thumbnail about 1.5 KiB more.
const BUDGET_GZIP_BYTES = 24 * 1024;

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

// The Uppy page (/uppy.html) carries Uppy's core, Dashboard (Preact) and Golden Retriever: a budget of its
// own, so that Uppy never counts against the main page and a new Uppy dependency shows up here.
const UPPY_JS_BUDGET_GZIP_BYTES = 100 * 1024;
const UPPY_CSS_BUDGET_GZIP_BYTES = 14 * 1024;

describe('the Uppy page bundle', () => {
  const js = readFileSync(new URL('../dist/uppy.js', import.meta.url));
  const css = readFileSync(new URL('../dist/uppy.css', import.meta.url));

  it(`stays under ${UPPY_JS_BUDGET_GZIP_BYTES / 1024} KiB of script and ${UPPY_CSS_BUDGET_GZIP_BYTES / 1024} KiB of CSS gzipped`, () => {
    expect(gzipSync(js).length).toBeLessThan(UPPY_JS_BUDGET_GZIP_BYTES);
    expect(gzipSync(css).length).toBeLessThan(UPPY_CSS_BUDGET_GZIP_BYTES);
  });

  it('contains no Node built-ins or undici, and the plugin is in it', () => {
    const text = js.toString();
    expect(text).not.toMatch(/from\s*["']node:|require\(["']node:|undici/);
    expect(text).toContain('CosDirect');
  });
});
