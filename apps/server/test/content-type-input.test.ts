import { signRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectTicket, MultipartTicket, PostPolicyTicket } from '../src/index.js';
import { createCosDirect, ServerError } from '../src/index.js';
import { send, withTicketKey } from './cos-requests.js';
import { stack, ticket, type Stack } from './harness.js';

// The client may say what type its file is: the server checks it against the types the extension's
// tickets allow, and the ticket then allows (and signs) that one type only.
describe('a content type named by the client', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ allowedExtensions: ['jpg', 'png', 'svg'] });
  });
  afterAll(() => s.close());

  const put = (d: DirectTicket, contentType: string) =>
    send(
      s,
      `https://${d.cosHost}/${d.cosKey}`,
      'PUT',
      {
        host: d.cosHost,
        'content-length': 5,
        'content-type': contentType,
        authorization: d.authorization,
        'x-cos-security-token': d.securityToken,
      },
      'hello',
    );

  it('narrows a direct ticket to that type: COS stores it, and refuses any other', async () => {
    const res = await ticket(s.base, `/sts-direct-sign?ext=jpg&contentType=${encodeURIComponent('image/JPEG')}`);
    expect(res.status).toBe(200);
    const d = res.json.data as DirectTicket;
    expect(d.contentType).toBe('image/jpeg');
    expect(d.contentTypes).toEqual(['image/jpeg']);
    // The seed's octet-stream is one of the extension's types, but not the one this ticket was asked for.
    const other = await put(d, 'application/octet-stream');
    expect(other.status, other.text).toBe(403);
    const own = await put(d, 'image/jpeg');
    expect(own.status, own.text).toBe(200);
    const head = await storedType(d.cosKey);
    expect(head).toBe('image/jpeg');
  });

  it('leaves a ticket without one as it was', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    expect(d.contentType).toBeUndefined();
    expect(d.contentTypes).toEqual(['application/octet-stream', 'image/jpeg']);
    expect((await put(d, 'application/octet-stream')).status).toBe(200);
  });

  it('refuses a type the extension does not allow, naming the ones it does', async () => {
    for (const [ext, type] of [
      ['jpg', 'text/html'],
      ['png', 'image/jpeg'],
      // An active type is never stored under its own type unless ALLOW_ACTIVE_CONTENT is on.
      ['svg', 'image/svg+xml'],
    ]) {
      const res = await ticket(s.base, `/sts-direct-sign?ext=${ext}&contentType=${encodeURIComponent(type!)}`);
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('SRV_ERR_INVALID_CONTENT_TYPE');
      expect(res.json.message).toContain(`not allowed for .${ext}; allowed: application/octet-stream`);
    }
    const svg = await ticket(s.base, `/sts-direct-sign?ext=svg&contentType=application/octet-stream`);
    expect(svg.json.data.contentTypes).toEqual(['application/octet-stream']);
  });

  it('narrows multipart and POST tickets the same way', async () => {
    const m = (await ticket(s.base, '/sts-multipart?ext=png&size=100&contentType=image/png')).json.data as MultipartTicket;
    expect(m.contentTypes).toEqual(['image/png']);
    // The multipart key's policy holds Initiate to the type.
    const wrong = await withTicketKey(s, m, 'POST', { uploads: '' });
    expect(wrong.status, wrong.text).toBe(403);
    const p = (
      await ticket(s.base, '/post-policy', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ext: 'png', contentType: 'image/png' }),
      })
    ).json.data as PostPolicyTicket;
    expect(p.fields['Content-Type']).toBe('image/png');
  });

  it('is an input of the core too', async () => {
    const cos = createCosDirect(s.emulatorOptions);
    const d = await cos.direct({ ext: 'png', contentType: 'image/png' });
    expect(d.contentTypes).toEqual(['image/png']);
    const e = await cos.direct({ ext: 'png', contentType: 42 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).code).toBe('SRV_ERR_INVALID_CONTENT_TYPE');
    await cos.close();
  });

  /** The stored object's Content-Type, read with the emulator's root key. */
  async function storedType(key: string): Promise<string | undefined> {
    const host = s.emulatorOptions.cosHost!;
    const auth = signRequest({ method: 'HEAD', pathname: `/${key}`, headers: { host } }, { credentials: s.emu.info.credentials });
    const r = await send(s, `https://${host}/${key}`, 'HEAD', { host, authorization: auth.authorization });
    return r.headers['content-type'] as string | undefined;
  }
});
