import { signRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectTicket, MultipartTicket, PostPolicyTicket } from '../src/index.js';
import { type Res, send } from './cos-requests.js';
import { putWithTicket, seedPut, stack, ticket, type Stack } from './harness.js';

// Regression tests for "a ticket can publish its upload as a web page": whatever headers or form
// fields the holder adds, the emulator (enforcing the temporary key's policy and the POST policy the
// way COS does) refuses an ACL, a grant, or a type the ticket did not allow.

/** An anonymous GET, as a browser following a link would send it. */
const anonymousGet = (s: Stack, host: string, key: string) => send(s, `https://${host}/${key}`, 'GET', { host });

function putWith(s: Stack, d: DirectTicket, extra: Record<string, string>, body = Buffer.from('<script>alert(1)</script>')) {
  return putWithTicket(s, d, body, extra);
}

async function postForm(s: Stack, t: PostPolicyTicket, fields: Array<[string, string]>): Promise<Res> {
  const form = new FormData();
  for (const [k, v] of fields) form.append(k, v);
  form.append('file', new Blob(['<html><script>alert(1)</script></html>']), 'a.html');
  const req = new Request('http://x/', { method: 'POST', body: form });
  const body = Buffer.from(await req.arrayBuffer());
  return send(s, t.url, 'POST', { host: t.cosHost, 'content-type': req.headers.get('content-type')!, 'content-length': body.length }, body);
}

describe('a direct-sign ticket writes one private object of an allowed type', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ allowedExtensions: ['jpg', 'svg', 'html'] });
  });
  afterAll(() => s.close());

  it.each([
    ['x-cos-acl: public-read', { 'x-cos-acl': 'public-read' }, 'cos:x-cos-acl'],
    ['x-cos-acl: private', { 'x-cos-acl': 'private' }, 'cos:x-cos-acl'],
    ['x-cos-grant-read', { 'x-cos-grant-read': 'uri="http://cam.qcloud.com/groups/global/AllUsers"' }, 'cos:x-cos-grant-read'],
    ['x-cos-grant-full-control', { 'x-cos-grant-full-control': 'id="100000000001"' }, 'cos:x-cos-grant-full-control'],
    ['Content-Type: text/html', { 'content-type': 'text/html' }, 'cos:content-type'],
    ['Content-Type: image/svg+xml', { 'content-type': 'image/svg+xml' }, 'cos:content-type'],
    ['Content-Type: text/html with public-read', { 'content-type': 'text/html', 'x-cos-acl': 'public-read' }, 'cos:'],
  ])('refuses a PUT with %s', async (_name, extra, clause) => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data;
    const res = await putWith(s, d, extra);
    expect(res.status).toBe(403);
    expect(res.text).toContain('<Code>AccessDenied</Code>');
    expect(res.text).toContain(clause);
    expect((await anonymousGet(s, d.cosHost, d.cosKey)).status).toBe(403);
  });

  it("accepts the seed's octet-stream, the extension's own type, no type, and x-cos-acl: default", async () => {
    for (const extra of [{}, { 'content-type': 'image/jpeg' }, { 'x-cos-acl': 'default' }] as Array<Record<string, string>>) {
      const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data;
      expect((await putWith(s, d, extra)).status).toBe(200);
      expect((await anonymousGet(s, d.cosHost, d.cosKey)).status).toBe(403);
    }
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data;
    const bare = await seedPut(
      `https://${d.cosHost}/${d.cosKey}`,
      { 'content-length': 1, authorization: d.authorization, 'x-cos-security-token': d.securityToken, host: d.cosHost },
      [Buffer.from('x')],
      s.emu.info.caCert!,
    );
    expect(bare.status).toBe(200);
  });

  it('stores active types (SVG, HTML) only as application/octet-stream, and insists on saying so', async () => {
    for (const ext of ['svg', 'html']) {
      const d = (await ticket(s.base, `/sts-direct-sign?ext=${ext}`)).json.data;
      const own = await putWith(s, d, { 'content-type': ext === 'svg' ? 'image/svg+xml' : 'text/html' });
      expect(own.status).toBe(403);
      const none = await seedPut(
        `https://${d.cosHost}/${d.cosKey}`,
        { 'content-length': 1, authorization: d.authorization, 'x-cos-security-token': d.securityToken, host: d.cosHost },
        [Buffer.from('x')],
        s.emu.info.caCert!,
      );
      expect(none.status).toBe(403);
      expect(none.text).toContain('cos:content-type');
      expect((await putWith(s, d, {})).status).toBe(200);
    }
  });
});

describe('a direct-sign ticket with the type limit and active content configured', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ allowedExtensions: ['svg'], enforceContentType: true, allowActiveContent: true });
  });
  afterAll(() => s.close());

  it('names the active type and accepts only it', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=svg')).json.data;
    expect(d.contentType).toBe('image/svg+xml');
    expect((await putWith(s, d, {})).status).toBe(403);
    expect((await putWith(s, d, { 'content-type': 'image/svg+xml', 'x-cos-acl': 'public-read' })).status).toBe(403);
    expect((await putWith(s, d, { 'content-type': 'image/svg+xml' })).status).toBe(200);
  });
});

describe('a post-policy ticket writes one private object of an allowed type', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack();
  });
  afterAll(() => s.close());

  const fieldsOf = (t: PostPolicyTicket) => Object.entries(t.fields);

  it('pins acl in the policy and the form', async () => {
    const t = (await ticket(s.base, '/post-policy?ext=png')).json.data;
    expect(t.fields.acl).toBe('default');
    const policy = JSON.parse(Buffer.from(t.fields.policy, 'base64').toString());
    expect(policy.conditions).toContainEqual({ acl: 'default' });
  });

  it.each([
    ['an acl field', [['acl', 'public-read']], 'acl'],
    ['a grant field', [['x-cos-grant-read', 'uri="http://cam.qcloud.com/groups/global/AllUsers"']], 'cos:x-cos-grant-read'],
    ['Content-Type: text/html', [['Content-Type', 'text/html']], 'cos:content-type'],
    [
      'content-type: text/html beside Content-Type: image/png',
      [
        ['Content-Type', 'image/png'],
        ['content-type', 'text/html'],
      ],
      'cos:content-type',
    ],
  ] as Array<[string, Array<[string, string]>, string]>)('refuses a form with %s', async (_name, extra, clause) => {
    const t = (await ticket(s.base, '/post-policy?ext=png')).json.data;
    const res = await postForm(s, t, [...fieldsOf(t), ...extra]);
    expect(res.status).toBe(403);
    expect(res.text).toContain(clause);
    expect((await anonymousGet(s, t.cosHost, t.cosKey)).status).toBe(403);
  });

  it('refuses a success_action_redirect: the form cannot send the browser to another site (issue 24)', async () => {
    const t = (await ticket(s.base, '/post-policy?ext=png')).json.data as PostPolicyTicket;
    const fields = fieldsOf(t).filter(([name]) => name !== 'success_action_redirect');
    const res = await postForm(s, t, [...fields, ['success_action_redirect', 'https://elsewhere.example/landing']]);
    expect(res.headers.location).toBeUndefined();
    expect(res.status).toBe(403);
    expect(res.text).toContain('success_action_redirect');
    const policy = JSON.parse(Buffer.from(t.fields.policy!, 'base64').toString());
    expect(policy.conditions).toContainEqual({ success_action_redirect: '' });
  });

  it('refuses a second form to the same key: the first object stays (issue 24)', async () => {
    const t = (await ticket(s.base, '/post-policy?ext=png')).json.data as PostPolicyTicket;
    expect((await postForm(s, t, fieldsOf(t))).status).toBe(204);
    const again = await postForm(s, t, fieldsOf(t));
    expect(again.status).toBe(409);
    expect(again.text).toContain('FileAlreadyExists');
    expect(t.fields['x-cos-forbid-overwrite']).toBe('true');
    const dropped = fieldsOf(t).filter(([name]) => name !== 'x-cos-forbid-overwrite');
    expect((await postForm(s, t, dropped)).status).toBe(403);
  });

  it('stores an object that an added x-cos-acl field does not make public', async () => {
    // The form's own acl=default is what COS reads; the added field is either refused or ignored.
    const t = (await ticket(s.base, '/post-policy?ext=png')).json.data;
    const res = await postForm(s, t, [...fieldsOf(t), ['x-cos-acl', 'public-read']]);
    expect([204, 403]).toContain(res.status);
    expect((await anonymousGet(s, t.cosHost, t.cosKey)).status).toBe(403);
  });

  it('accepts the form as issued and with the allowed types', async () => {
    for (const extra of [[], [['Content-Type', 'image/png']], [['Content-Type', 'application/octet-stream']]] as Array<
      Array<[string, string]>
    >) {
      const t = (await ticket(s.base, '/post-policy?ext=png')).json.data;
      expect((await postForm(s, t, [...fieldsOf(t), ...extra])).status).toBe(204);
    }
  });
});

describe('a multipart ticket starts one private upload of an allowed type', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack();
  });
  afterAll(() => s.close());

  const initiate = (d: MultipartTicket, extra: Record<string, string>) => {
    const headers = { host: d.cosHost, 'content-length': '0', ...extra };
    const auth = signRequest(
      { method: 'POST', pathname: `/${d.cosKey}`, query: { uploads: '' }, headers },
      { credentials: { secretId: d.credentials.tmpSecretId, secretKey: d.credentials.tmpSecretKey } },
    ).authorization;
    return send(s, `https://${d.cosHost}/${d.cosKey}?uploads`, 'POST', {
      ...headers,
      authorization: auth,
      'x-cos-security-token': d.credentials.sessionToken,
    });
  };

  it.each([
    ['x-cos-acl: public-read', { 'x-cos-acl': 'public-read' }],
    ['x-cos-grant-read', { 'x-cos-grant-read': 'uri="http://cam.qcloud.com/groups/global/AllUsers"' }],
    ['Content-Type: text/html', { 'content-type': 'text/html' }],
  ])('refuses an Initiate with %s', async (_name, extra) => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=100')).json.data;
    const res = await initiate(d, extra);
    expect(res.status).toBe(403);
    expect(res.text).toContain('<Code>AccessDenied</Code>');
  });

  it('accepts an Initiate of an allowed type', async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=100')).json.data;
    expect((await initiate(d, { 'content-type': 'image/jpeg' })).status).toBe(200);
  });
});

describe('downloadUrl reads one object as stored', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ downloadUrlSeconds: 600 });
  });
  afterAll(() => s.close());

  it('is signed with a temporary key over every parameter it carries, and refuses a type override', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data;
    expect((await putWith(s, d, {}, Buffer.from('<html>hi</html>'))).status).toBe(200);
    const url = new URL(d.downloadUrl);
    expect(url.searchParams.get('q-ak')).not.toBe(s.emu.info.credentials.secretId);
    expect(url.searchParams.get('q-url-param-list')).toBe('x-cos-security-token');
    const plain = await send(s, d.downloadUrl, 'GET', { host: d.cosHost });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('application/octet-stream');
    const page = await send(s, `${d.downloadUrl}&response-content-type=text%2Fhtml`, 'GET', { host: d.cosHost });
    expect(page.status).toBe(403);
    expect(page.text).toContain('cos:response-content-type');
    const other = await send(s, d.downloadUrl.replace(d.cosKey, d.cosKey.replace(/\.jpg$/, '-2.jpg')), 'GET', { host: d.cosHost });
    expect(other.status).toBe(403);
  });
});
