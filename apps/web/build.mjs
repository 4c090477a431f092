// Bundles the page with the browser build of @cos-direct/client (its `/browser` entry), and the Uppy page.
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
// The Uppy page has a bundle of its own (with Uppy's CSS next to it), so the main page stays small.
await build({
  entryPoints: ['src/uppy.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  minify: true,
  outfile: 'dist/uppy.js',
  logLevel: 'warning',
});
await copyFile('public/index.html', 'dist/index.html');
await copyFile('public/uppy.html', 'dist/uppy.html');
await copyFile('public/style.css', 'dist/style.css');
await copyFile('public/favicon.svg', 'dist/favicon.svg');
