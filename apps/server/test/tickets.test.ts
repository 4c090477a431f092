import { signRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPut, stack, ticket, type Stack } from './harness.js';

let clock = Math.floor(Date.now() / 1000);

describe('tickets are good for exactly one upload', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ maxSize: 1024 }, () => clock);
  });
  afterAll(() => s.close());

  const put = (d: any, key: string, body: Buffer, extra: Record<string, string> = {}, auth = d.authorization) =>
    seedPut(
      `https://${d.cosHost}/${key}`,
      {
        'content-length': body.length,
        'content-type': 'application/octet-stream',
        authorization: auth,
        'x-cos-security-token': d.securityToken,
        host: d.cosHost,
        ...extra,
      },
      [body],
      s.emu.info.caCert!,
    );

  it('cannot be used for another key, a GET, or after it expires', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data;
    const otherKey = await put(d, d.cosKey.replace(/\.jpg$/, '-2.jpg'), Buffer.from('x'));
    expect(otherKey.status).toBe(403);
    expect(otherKey.text).toContain('SignatureDoesNotMatch');
    const get = await new Promise<number>((resolve, reject) => {
      import('node:https').then(({ request }) => {
        const u = new URL(`https://${d.cosHost}/${d.cosKey}`);
        request(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            headers: { host: d.cosHost, authorization: d.authorization, 'x-cos-security-token': d.securityToken },
            ca: s.emu.info.caCert,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        )
          .on('error', reject)
          .end();
      });
    });
    expect(get).toBe(403);
    clock += 3600;
    try {
      const late = await put(d, d.cosKey, Buffer.from('x'));
      expect(late.status).toBe(403);
    } finally {
      clock -= 3600;
    }
    expect((await put(d, d.cosKey, Buffer.from('in time'))).status).toBe(200);
  });

  it('has a key that COS itself confines to the ticket: no other key, no other bucket, no GET', async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=10')).json.data;
    const creds = { secretId: d.credentials.tmpSecretId, secretKey: d.credentials.tmpSecretKey };
    const sign = (method: string, key: string, host = d.cosHost) =>
      signRequest({ method, pathname: `/${key}`, headers: { host, 'content-length': 1 } }, { credentials: creds }).authorization;
    const other = await put(
      { ...d, securityToken: d.credentials.sessionToken },
      'images/other.jpg',
      Buffer.from('x'),
      {},
      sign('PUT', 'images/other.jpg'),
    );
    expect(other.status).toBe(403);
    expect(other.text).toContain('<Code>AccessDenied</Code>');
    // A second bucket in the same account: the key must not reach it either.
    const root = signRequest(
      { method: 'PUT', pathname: '/other-1250000000/', headers: { host: d.cosHost } },
      { credentials: s.emu.info.credentials },
    );
    const created = await seedPut(
      `https://${d.cosHost}/other-1250000000/`,
      { host: d.cosHost, authorization: root.authorization, 'content-length': 0 },
      [],
      s.emu.info.caCert!,
    );
    expect(created.status).toBe(200);
    const otherBucketKey = `other-1250000000/${d.cosKey}`;
    const otherBucket = await put(
      { ...d, securityToken: d.credentials.sessionToken },
      otherBucketKey,
      Buffer.from('x'),
      {},
      sign('PUT', otherBucketKey),
    );
    expect(otherBucket.status).toBe(403);
    expect(otherBucket.text).toContain('other-1250000000');
    const sameKey = await put({ ...d, securityToken: d.credentials.sessionToken }, d.cosKey, Buffer.from('x'), {}, sign('PUT', d.cosKey));
    expect(sameKey.status).toBe(200);
  });

  it('lets COS enforce the size limit through the policy', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data;
    const big = await put(d, d.cosKey, Buffer.alloc(2048));
    expect(big.status).toBe(403);
    expect(big.text).toContain('cos:content-length');
  });

  it('refuses multipart sizes over the limit and returns keys for the multipart actions', async () => {
    expect((await ticket(s.base, '/sts-multipart?ext=jpg&size=999999')).status).toBe(400);
    expect((await ticket(s.base, '/sts-multipart?ext=jpg&size=abc')).json.code).toBe('SRV_ERR_INVALID_SIZE');
    const ok = await ticket(s.base, '/sts-multipart?ext=jpg&size=1000');
    expect(ok.json.data.credentials.sessionToken).toBeTruthy();
    expect(ok.json.data.bucket).toBe('dev-1250000000');
  });

  it('issues POST policy fields that the emulator accepts', async () => {
    const { json } = await ticket(s.base, '/post-policy?ext=png');
    expect(json.data.fields.key).toBe(json.data.cosKey);
    const form = new FormData();
    for (const [k, v] of Object.entries(json.data.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob(['png bytes']), 'a.png');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const body = Buffer.from(await req.arrayBuffer());
    const { request } = await import('node:https');
    const u = new URL(json.data.url);
    const status = await new Promise<number>((resolve, reject) => {
      request(
        {
          host: u.hostname,
          port: u.port,
          path: '/',
          method: 'POST',
          ca: s.emu.info.caCert,
          headers: { host: json.data.cosHost, 'content-type': req.headers.get('content-type')!, 'content-length': body.length },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode!);
        },
      )
        .on('error', reject)
        .end(body);
    });
    expect(status).toBe(204);
  });
});

describe('opt-in content-type limit', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ enforceContentType: true });
  });
  afterAll(() => s.close());

  it('names the type in the ticket and refuses any other', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=png')).json.data;
    expect(d.contentType).toBe('image/png');
    const send = (type: string) =>
      seedPut(
        `https://${d.cosHost}/${d.cosKey}`,
        {
          'content-length': 1,
          'content-type': type,
          authorization: d.authorization,
          'x-cos-security-token': d.securityToken,
          host: d.cosHost,
        },
        [Buffer.from('x')],
        s.emu.info.caCert!,
      );
    const wrong = await send('application/octet-stream');
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('cos:content-type');
    expect((await send('image/png')).status).toBe(200);
  });
});

describe('opt-in download URL', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ downloadUrlSeconds: 600 });
  });
  afterAll(() => s.close());

  const get = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      import('node:https').then(({ request }) => {
        const u = new URL(url);
        request({ host: u.hostname, port: u.port, path: u.pathname + u.search, ca: s.emu.info.caCert }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        })
          .on('error', reject)
          .end();
      });
    });

  it('reads back exactly the uploaded object, and nothing else', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data;
    expect(d.downloadUrl).toMatch(new RegExp(`^https://${d.cosHost}/${d.cosKey}\\?q-sign-algorithm=sha1&`));
    expect((await get(d.downloadUrl)).status).toBe(404);
    const put = await seedPut(
      `https://${d.cosHost}/${d.cosKey}`,
      { 'content-length': 5, authorization: d.authorization, 'x-cos-security-token': d.securityToken, host: d.cosHost },
      [Buffer.from('hello')],
      s.emu.info.caCert!,
    );
    expect(put.status).toBe(200);
    expect(await get(d.downloadUrl)).toEqual({ status: 200, body: 'hello' });
    const elsewhere = await get(d.downloadUrl.replace(d.cosKey, d.cosKey.replace(/\.jpg$/, '-2.jpg')));
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toContain('SignatureDoesNotMatch');
    const multipart = (await ticket(s.base, '/sts-multipart?ext=png&size=10')).json.data;
    expect(multipart.downloadUrl).toContain(`/${multipart.cosKey}?q-sign-algorithm=sha1&`);
  });

  it('is absent unless configured', async () => {
    const plain = await stack();
    try {
      expect((await ticket(plain.base, '/sts-direct-sign?ext=jpg')).json.data).not.toHaveProperty('downloadUrl');
    } finally {
      await plain.close();
    }
  });
});
