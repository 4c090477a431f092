import { signRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCosDirect, ServerError } from '../src/index.js';
import { seedPut, stack, ticket, type Stack } from './harness.js';

// Issue 23: the app chooses the folder per user; the random name stays the server's, and a ticket of
// one user writes nothing under another's folder.
describe('keys in a folder the app chooses', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({
      keyPrefix: 'users/',
      authenticate: (req) => {
        const id = req.headers['x-user'];
        if (typeof id !== 'string' || !/^[a-z]+$/.test(id)) throw new ServerError('SRV_ERR_UNAUTHENTICATED');
        return { id };
      },
      keyFolder: ({ user }) => `${(user as { id: string }).id}/`,
    });
  });
  afterAll(() => s.close());

  const as = (user: string, path: string) => ticket(s.base, path, { headers: { 'x-user': user } });
  const put = (d: any, key: string, authorization: string, securityToken: string) =>
    seedPut(
      `https://${d.cosHost}/${key}`,
      {
        'content-length': 1,
        'content-type': 'application/octet-stream',
        authorization,
        'x-cos-security-token': securityToken,
        host: d.cosHost,
      },
      [Buffer.from('x')],
      s.emu.info.caCert!,
    );

  it("puts each user's keys under their folder, with the date folder and a random name", async () => {
    const a = (await as('alice', '/sts-direct-sign?ext=jpg')).json.data;
    expect(a.cosKey).toMatch(/^users\/alice\/\d{8}\/[A-Za-z0-9_-]{22}\.jpg$/);
    const b = (await as('bob', '/post-policy?ext=png')).json.data;
    expect(b.cosKey).toMatch(/^users\/bob\/\d{8}\/[A-Za-z0-9_-]{22}\.png$/);
  });

  it("refuses a direct upload with A's ticket to B's key", async () => {
    const a = (await as('alice', '/sts-direct-sign?ext=jpg')).json.data;
    const b = (await as('bob', '/sts-direct-sign?ext=jpg')).json.data;
    const stolen = await put(a, b.cosKey, a.authorization, a.securityToken);
    expect(stolen.status).toBe(403);
    expect((await put(a, a.cosKey, a.authorization, a.securityToken)).status).toBe(200);
  });

  it("refuses a write with A's multipart key to B's key or B's folder: the policy names A's key only", async () => {
    const a = (await as('alice', '/sts-multipart?ext=jpg&size=10')).json.data;
    const b = (await as('bob', '/sts-multipart?ext=jpg&size=10')).json.data;
    const creds = { secretId: a.credentials.tmpSecretId, secretKey: a.credentials.tmpSecretKey };
    for (const key of [b.cosKey, 'users/bob/mine.jpg']) {
      const signed = signRequest(
        { method: 'PUT', pathname: `/${key}`, headers: { host: a.cosHost, 'content-length': 1 } },
        { credentials: creds },
      );
      const res = await put(a, key, signed.authorization, a.credentials.sessionToken);
      expect(res.status).toBe(403);
      expect(res.text).toContain('<Code>AccessDenied</Code>');
    }
  });
});

describe('folders the app may not choose', () => {
  const base = {
    secretId: 'AKIDexample',
    secretKey: 'secret',
    bucket: 'examplebucket-1250000000',
    region: 'ap-guangzhou',
    ticketKeys: 'per-ticket' as const,
  };

  it.each([['../bob/'], ['/abs/'], ['a//b/'], ['no-slash'], ['./'], ['a/../'], ['ü/'], [42], ['x/'.repeat(500)]])(
    'refuses %j',
    async (folder) => {
      const core = createCosDirect({ ...base, keyFolder: () => folder as string });
      const e = await core.direct({ ext: 'jpg' }).catch((e: unknown) => e);
      expect(e).toBeInstanceOf(ServerError);
      expect((e as ServerError).code).toBe('SRV_ERR_INVALID_KEY_FOLDER');
      expect((e as ServerError).statusCode).toBe(500);
    },
  );

  it('checks the extension before it asks the app for a folder', async () => {
    let asked = 0;
    const core = createCosDirect({ ...base, keyFolder: () => `${++asked}/` });
    await expect(core.direct({ ext: 'exe' })).rejects.toMatchObject({ code: 'SRV_ERR_INVALID_EXTENSION' });
    expect(asked).toBe(0);
  });
});

describe('without the date folder', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ dateFolder: false });
  });
  afterAll(() => s.close());

  it('names the key <prefix><random>.<ext>; the seed default keeps its date folder', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data;
    expect(d.cosKey).toMatch(/^images\/[A-Za-z0-9_-]{22}\.jpg$/);
  });
});
