import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as crc64 from '../src/crc64.js';
import * as signer from '../src/index.js';

// Every ```js example of the README runs here against the sources, with the package's import
// specifiers mapped to them; the console output is checked where the example states it.
const modules: Record<string, unknown> = { '@cos-direct/signer': signer, '@cos-direct/signer/crc64': crc64 };
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

interface Example {
  heading: string;
  code: string;
}

function examples(): Example[] {
  const out: Example[] = [];
  let heading = '';
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('## ')) heading = lines[i]!.slice(3).trim();
    if (lines[i] === '```js') {
      const end = lines.indexOf('```', i + 1);
      out.push({ heading, code: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return out;
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;

async function run(code: string): Promise<string[]> {
  const logs: string[] = [];
  const body = code.replace(/import\s*\{([^}]*)\}\s*from\s*'([^']+)';/g, (_m, names: string, specifier: string) => {
    if (!(specifier in modules)) throw new Error(`README imports unknown module ${specifier}`);
    return `const {${names}} = __modules[${JSON.stringify(specifier)}];`;
  });
  expect(body).not.toMatch(/^\s*import\s/m);
  await new AsyncFunction('__modules', 'console', body)(modules, { log: (...args: unknown[]) => logs.push(format(...args)) });
  return logs;
}

/** Lines each example must print (substrings), keyed by the section heading. */
const expectedOutput: Record<string, string[]> = {
  'Sign a PUT': ['https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/images/2026/a%20photo%20%281%29.jpg'],
  'Presign a GET URL': [
    '?q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&',
    '&x-cos-security-token=EXAMPLEtoken&response-content-disposition=attachment',
  ],
  'Verify on a server': ['true'],
  'POST Object policy (browser form upload)': ['true true', "SIGN_ERR_POLICY_CONDITION [ 'content-length-range', 1, 10485760 ]"],
  'STS API v1 (what `qcloud-cos-sts` sends)': ['true'],
  'STS API 3.0 (TC3-HMAC-SHA256)': ['true'],
  'CAM policy for temporary keys': [
    '"effect":"deny"',
    'qcs::cos:ap-guangzhou:uid/1250000000:prefix//1250000000/examplebucket/a.jpg',
    'qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/u1/*',
  ],
  'Crypto injection': ['2'],
  'CRC-64': ['11051210869376104954', '11051210869376104954'],
  'CRC-64 under a Content-Security-Policy': ['11051210869376104954'],
};

describe('README examples', () => {
  const all = examples();

  it('has the examples the package promises', () => {
    expect(all.map((e) => e.heading)).toEqual(Object.keys(expectedOutput));
  });

  it.each(all.map((e) => [e.heading, e.code]))('%s runs', async (heading, code) => {
    const output = (await run(code)).join('\n');
    let from = 0;
    for (const fragment of expectedOutput[heading] ?? []) {
      const at = output.indexOf(fragment, from);
      expect(at, `${heading} prints ${fragment}`).toBeGreaterThan(-1);
      from = at + fragment.length;
    }
  });
});
