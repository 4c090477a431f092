// The load generator of tickets.bench.mjs, run as a process of its own (pinned to its own CPU where the
// bench can): CONCURRENCY closed-loop keep-alive connections for DURATION ms, each sending its next GET as
// soon as the last answer is complete. It writes one pre-built request and parses only the status line,
// the framing (Content-Length or chunked) and the JSON body's `code`, so that the generator costs the CPU
// as little as it can (as wrk or autocannon do) and the numbers describe the server.
// Usage: node load-generator.mjs <origin> <path> <concurrency> <duration ms>; prints one JSON line.
import { connect } from 'node:net';

const [origin, path, concurrencyText, durationText] = process.argv.slice(2);
const { hostname, port } = new URL(origin);
const concurrency = Number(concurrencyText);
const duration = Number(durationText);
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: application/json\r\n\r\n`);
const latencies = [];
let failures = 0;
const end = performance.now() + duration;

/** A complete response at the start of `buf`: its status, body and length, or undefined if more is needed. */
function parse(buf) {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.subarray(0, headEnd).toString('latin1');
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length) {
    const total = headEnd + 4 + Number(length[1]);
    return buf.length < total ? undefined : { status, body: buf.subarray(headEnd + 4, total), total };
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return { status, body: Buffer.alloc(0), total: headEnd + 4 };
  const chunks = [];
  let at = headEnd + 4;
  for (;;) {
    const sizeEnd = buf.indexOf('\r\n', at);
    if (sizeEnd < 0) return undefined;
    const size = Number.parseInt(buf.subarray(at, sizeEnd).toString('latin1'), 16);
    if (buf.length < sizeEnd + 2 + size + 2) return undefined;
    if (size === 0) return { status, body: Buffer.concat(chunks), total: sizeEnd + 4 };
    chunks.push(buf.subarray(sizeEnd + 2, sizeEnd + 2 + size));
    at = sizeEnd + 2 + size + 2;
  }
}

function ok(response) {
  if (response.status !== 200) return false;
  try {
    const { code } = JSON.parse(response.body.toString('utf8'));
    return code === undefined || code === 0;
  } catch {
    return false;
  }
}

function connection() {
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let start = 0;
    const next = () => {
      if (performance.now() >= end) {
        socket.end();
        resolve();
        return;
      }
      start = performance.now();
      socket.write(request);
    };
    socket.on('connect', next);
    socket.on('data', (data) => {
      buf = buf.length ? Buffer.concat([buf, data]) : data;
      for (let response = parse(buf); response; response = parse(buf)) {
        latencies.push(performance.now() - start);
        if (!ok(response)) failures++;
        buf = buf.subarray(response.total);
        next();
      }
    });
    socket.on('error', () => {
      failures++;
      resolve();
    });
  });
}

await Promise.all(Array.from({ length: concurrency }, connection));
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
process.stdout.write(`${JSON.stringify({ requests: latencies.length, failures, p50: q(0.5), p99: q(0.99) })}\n`);
