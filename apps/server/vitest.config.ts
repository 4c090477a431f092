import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { coverage, LOOPBACK_SUITE, warnIfBuildsAreStale } from '../../vitest.shared.js';

warnIfBuildsAreStale();

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  // The README's examples import the package by name; in tests they get the sources, not a build.
  resolve: {
    alias: [
      { find: /^@cos-direct\/server$/, replacement: src('index.ts') },
      { find: /^@cos-direct\/server\/core$/, replacement: src('core.ts') },
      { find: /^@cos-direct\/server\/fastify$/, replacement: src('plugin.ts') },
      { find: /^@cos-direct\/server\/express$/, replacement: src('adapters/node.ts') },
      { find: /^@cos-direct\/server\/fetch$/, replacement: src('adapters/fetch.ts') },
    ],
  },
  test: {
    ...LOOPBACK_SUITE,
    coverage: coverage({ lines: 86, functions: 84, branches: 75, statements: 83 }),
  },
});
