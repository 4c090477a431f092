import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type ServerOptions } from '../src/index.js';

// An STS that accepts connections and never answers, recording every socket it is handed.
async function hangingSts() {
  const sockets: Socket[] = [];
  const closed: Array<Promise<void>> = [];
  const server: Server = createNetServer((socket) => {
    sockets.push(socket);
    closed.push(new Promise((r) => socket.once('close', () => r())));
    socket.on('error', () => undefined);
    // Read what arrives (a TLS hello), so that the client's close is seen.
    socket.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, sockets, closed, endpoint: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

const base = { secretId: 'AKIDx', secretKey: 'secret-key-x', bucket: 'dev-1250000000', region: 'ap-guangzhou', rateLimit: false } as const;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function serverOn(endpoint: string, extra: Partial<ServerOptions>) {
  const app = await createServer({ ...base, stsEndpoint: endpoint, ...extra });
  cleanup.push(() => app.close());
  return app;
}

describe('STS calls', () => {
  it('abort at the deadline: the socket is closed, not left open', async () => {
    const sts = await hangingSts();
    cleanup.push(async () => void sts.server.close());
    const app = await serverOn(sts.endpoint, { stsTimeoutMs: 200 });
    const res = await app.inject({ method: 'GET', url: '/sts-direct-sign?ext=jpg' });
    expect(res.statusCode).toBe(502);
    expect(res.json().code).toBe('SRV_ERR_STS_TIMEOUT');
    expect(sts.sockets).toHaveLength(1);
    await Promise.all(sts.closed);
    expect(sts.sockets[0]!.destroyed).toBe(true);
  });

  it('wait in a bounded queue; a full queue answers 503 with Retry-After at once', async () => {
    const sts = await hangingSts();
    cleanup.push(async () => void sts.server.close());
    const app = await serverOn(sts.endpoint, { stsTimeoutMs: 500, stsConcurrency: 1, stsQueueLimit: 1 });
    // One call holds the one slot, one waits, and whichever comes third finds the queue full.
    const answers = await Promise.all(
      ['/sts-direct-sign?ext=jpg', '/post-policy?ext=jpg', '/sts-multipart?ext=jpg&size=10'].map((url) =>
        app.inject({ method: 'GET', url }),
      ),
    );
    const refused = answers.filter((a) => a.statusCode === 503);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.headers['retry-after']).toBe('1');
    expect(refused[0]!.json().code).toBe('SRV_ERR_BUSY');
    const timedOut = answers.filter((a) => a.statusCode === 502).map((a) => a.json().code);
    expect(timedOut).toEqual(['SRV_ERR_STS_TIMEOUT', 'SRV_ERR_STS_TIMEOUT']);
    // The queued call timed out while waiting: it never opened a socket of its own.
    expect(sts.sockets.length).toBeLessThanOrEqual(2);
    await Promise.all(sts.closed);
  });
});
