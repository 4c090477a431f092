import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { signRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPut, stack, ticket, type Stack } from './harness.js';

function getObject(s: Stack, host: string, key: string): Promise<Buffer> {
  const auth = signRequest(
    { method: 'GET', pathname: `/${key}`, headers: { host } },
    { credentials: s.emu.info.credentials },
  ).authorization;
  const u = new URL(`https://${host}/${key}`);
  return new Promise((resolve, reject) => {
    httpsRequest(
      { host: u.hostname, port: u.port, path: u.pathname, headers: { host, authorization: auth }, ca: s.emu.info.caCert },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${res.statusCode}`))));
      },
    )
      .on('error', reject)
      .end();
  });
}

describe("the seed's Flutter client against the sign server and the emulator", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack();
  });
  afterAll(() => s.close());

  it('Dio: one header set, the file streamed', async () => {
    const { status, json } = await ticket(s.base, '/sts-direct-sign?ext=jpg');
    expect(status).toBe(200);
    expect(json.code).toBe(0);
    const d = json.data;
    expect(Object.keys(d)).toEqual(expect.arrayContaining(['cosHost', 'cosKey', 'authorization', 'securityToken']));
    expect(d.cosKey).toMatch(/^images\/\d{8}\/[A-Za-z0-9_-]{22}\.jpg$/);
    const file = randomBytes(300 * 1024);
    const chunks = Array.from({ length: Math.ceil(file.length / 65536) }, (_, i) => file.subarray(i * 65536, (i + 1) * 65536));
    const res = await seedPut(
      `https://${d.cosHost}/${d.cosKey}`,
      {
        'Content-Length': file.length,
        'Content-Type': 'application/octet-stream',
        Authorization: d.authorization,
        'x-cos-security-token': d.securityToken,
        Host: d.cosHost,
      },
      chunks,
      s.emu.info.caCert!,
    );
    expect(res.status).toBe(200);
    expect((await getObject(s, d.cosHost, d.cosKey)).equals(file)).toBe(true);
  });

  it('HttpClient: headers set one by one, chunks added with a content length', async () => {
    const { json } = await ticket(s.base, '/sts-direct-sign?ext=png');
    const d = json.data;
    const file = randomBytes(100_000);
    const res = await seedPut(
      `https://${d.cosHost}/${d.cosKey}`,
      {
        'content-type': 'application/octet-stream',
        'content-length': String(file.length),
        authorization: d.authorization,
        'x-cos-security-token': d.securityToken,
        host: d.cosHost,
      },
      [file.subarray(0, 1000), file.subarray(1000, 50_000), file.subarray(50_000)],
      s.emu.info.caCert!,
    );
    expect(res.status).toBe(200);
    expect((await getObject(s, d.cosHost, d.cosKey)).equals(file)).toBe(true);
  });

  it('issues a different, unguessable key every time', async () => {
    const keys = await Promise.all(
      Array.from({ length: 20 }, () => ticket(s.base, '/sts-direct-sign?ext=JPG').then((t) => t.json.data.cosKey)),
    );
    expect(new Set(keys).size).toBe(20);
    for (const k of keys) expect(k).toMatch(/\.jpg$/);
  });

  it('never logs a secret key, a token or an authorization', async () => {
    const { json } = await ticket(s.base, '/sts-direct-sign?ext=gif');
    const logs = s.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [s.emu.info.credentials.secretKey, json.data.securityToken, json.data.authorization]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain('q-signature=');
  });
});
