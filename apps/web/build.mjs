// Bundles the page with the browser build of @cos-direct/client (its `/browser` entry).
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

await mkdir('dist', { recursive: true });
await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  minify: true,
  outfile: 'dist/app.js',
  logLevel: 'warning',
});
await copyFile('public/index.html', 'dist/index.html');
await copyFile('public/style.css', 'dist/style.css');
await copyFile('public/favicon.svg', 'dist/favicon.svg');
