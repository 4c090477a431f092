// The load generator of tickets.bench.mjs, in a worker thread of its own, so that its event loop does not
// queue behind the server's (or the other way round): CONCURRENCY closed-loop connections for DURATION ms.
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

const { origin, path, concurrency, duration } = workerData;
const pool = new Pool(origin, { connections: concurrency });
const latencies = [];
const end = performance.now() + duration;
let failures = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const start = performance.now();
      const res = await pool.request({ path, method: 'GET' });
      const body = await res.body.json();
      if (res.statusCode !== 200 || (body.code !== undefined && body.code !== 0)) failures++;
      latencies.push(performance.now() - start);
    }
  }),
);
await pool.close();
parentPort.postMessage({ latencies, failures });
