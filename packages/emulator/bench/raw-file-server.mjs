// The baseline server of put.bench.mjs: PUT streams the body to a new file, GET streams the first one back.
import { createReadStream, createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const dir = process.argv[2];
let fileNo = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    createReadStream(join(dir, 'raw-0')).pipe(res);
    return;
  }
  const out = createWriteStream(join(dir, `raw-${fileNo++}`));
  req.pipe(out);
  out.on('finish', () => res.end());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
