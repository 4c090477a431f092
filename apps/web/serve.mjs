// Serves the built page and /config.json (which sign server to use), so one build works anywhere.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};
const root = fileURLToPath(new URL('./dist/', import.meta.url));

/**
 * Starts the page server. `signUrl` is the sign server the page asks for tickets; `headers` go on every
 * answer (e.g. a Content-Security-Policy to try the page under).
 */
export async function serveWeb({ port = 5173, host = '127.0.0.1', signUrl, extraFiles = {}, headers = {} } = {}) {
  if (!signUrl) throw new Error('serveWeb needs signUrl');
  const config = JSON.stringify({ signUrl });
  const server = createServer(async (req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(config);
    }
    if (extraFiles[path]) {
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      return createReadStream(extraFiles[path]).pipe(res);
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) {
      res.writeHead(403);
      return res.end();
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const signUrl = process.env.SIGN_URL ?? 'http://127.0.0.1:3000';
  const web = await serveWeb({ port: Number(process.env.WEB_PORT ?? 5173), signUrl });
  process.stdout.write(`demo page on ${web.url} (sign server ${signUrl})\n`);
}
