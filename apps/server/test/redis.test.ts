import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack, ticket, type Stack } from './harness.js';

const REDIS = '/usr/bin/redis-server';
const available = existsSync(REDIS);
if (!available) {
  if (process.env.CI) throw new Error(`CI=true but ${REDIS} is missing (scripts/system-deps.sh installs redis-server)`);
  console.warn(`shared rate-limit test skipped: no ${REDIS} (install Debian's redis-server)`);
}

describe.skipIf(!available)('rate limit shared through Redis', () => {
  let redis: ChildProcess;
  let a: Stack;
  let b: Stack;
  beforeAll(async () => {
    const port = await portFromOs();
    redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      redis.stdout!.on('data', (d) => String(d).includes('Ready to accept connections') && resolve());
      redis.once('exit', () => reject(new Error('redis-server exited')));
    });
    const shared = { redisUrl: `redis://127.0.0.1:${port}`, rateLimit: { max: 3, timeWindow: '1 minute' } };
    a = await stack(shared);
    b = await stack(shared);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    redis?.kill();
  });

  it('counts requests to every instance against one limit', async () => {
    const statuses = [];
    for (const s of [a, b, a, b]) statuses.push((await ticket(s.base, '/healthz')).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    const results = [];
    for (const s of [a, b, a, b]) results.push((await ticket(s.base, '/sts-direct-sign?ext=exe')).status);
    // Three requests pass the limit (refused for their extension), the fourth is over it.
    expect(results).toEqual([400, 400, 400, 429]);
  });
});

// redis-server takes no port 0 (it means "no TCP"), so the OS names a free one first.
async function portFromOs(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
