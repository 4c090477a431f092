import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfirmedUpload, DirectTicket, MultipartTicket } from '../src/index.js';
import { post, withTicketKey } from './cos-requests.js';
import { putWithTicket, stack, ticket, type Stack } from './harness.js';

describe('confirmed uploads', () => {
  let s: Stack;
  const recorded: ConfirmedUpload[] = [];
  beforeAll(async () => {
    s = await stack({
      maxSize: 1024 * 1024,
      multipartCompletion: 'server',
      onUploadConfirmed: (upload) => {
        recorded.push(upload);
      },
    });
  });
  afterAll(() => s.close());

  it('confirms a single PUT: key, size, ETag, CRC-64 and type, and tells the hook', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    const before = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(before.status).toBe(404);
    expect(before.json.code).toBe('SRV_ERR_NOT_UPLOADED');
    const put = await putWithTicket(s, d, 'hello');
    expect(put.status).toBe(200);
    const { status, json } = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(status).toBe(200);
    expect(json.data).toEqual({
      key: d.cosKey,
      size: 5,
      etag: put.headers.etag,
      crc64: put.headers['x-cos-hash-crc64ecma'],
      contentType: 'application/octet-stream',
      kind: 'direct',
      replaceableUntil: d.expiredTime,
    });
    expect(recorded.at(-1)).toEqual(json.data);
  });

  it('refuses tokens it did not issue, and tokens of the wrong kind', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    const [body, mac] = d.confirmToken.split('.');
    const other = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), k: 'images/other.jpg' }),
    ).toString('base64url');
    for (const confirmToken of [undefined, 'x', `${other}.${mac}`]) {
      const res = await post(s, '/confirm', { confirmToken });
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('SRV_ERR_INVALID_CONFIRM_TOKEN');
    }
    const wrongKind = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId: 'x' });
    expect(wrongKind.json.code).toBe('SRV_ERR_INVALID_CONFIRM_TOKEN');
    expect((await fetch(`${s.base}/confirm`)).status).toBe(405);
  });

  it('holds the size limit for multipart: parts over the ticket size are aborted, never completed', async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=1048576')).json.data as MultipartTicket;
    expect(d.completion).toBe('server');
    const init = await withTicketKey(s, d, 'POST', { uploads: '' });
    expect(init.status).toBe(200);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
    for (const n of [1, 2, 3]) {
      const part = await withTicketKey(s, d, 'PUT', { partNumber: String(n), uploadId }, Buffer.alloc(1024 * 1024, n));
      expect(part.status).toBe(200);
    }
    // The ticket's own key may not complete.
    const own = await withTicketKey(s, d, 'POST', { uploadId }, '<CompleteMultipartUpload></CompleteMultipartUpload>');
    expect(own.status).toBe(403);
    const res = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId });
    expect(res.status).toBe(413);
    expect(res.json.code).toBe('SRV_ERR_UPLOAD_TOO_LARGE');
    const listed = await withTicketKey(s, d, 'GET', { uploadId });
    expect(listed.status).toBe(404);
    expect(listed.text).toContain('NoSuchUpload');
    expect((await post(s, '/confirm', { confirmToken: d.confirmToken })).json.code).toBe('SRV_ERR_INVALID_CONFIRM_TOKEN');
  });

  it('completes an upload within the limit with its own key and answers the confirmed object', async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=2000')).json.data as MultipartTicket;
    const init = await withTicketKey(s, d, 'POST', { uploads: '' });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
    expect((await withTicketKey(s, d, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(2000, 7))).status).toBe(200);
    const res = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId });
    expect(res.status).toBe(200);
    // Initiated without a Content-Type: COS stores the key extension's type.
    expect(res.json.data).toMatchObject({ key: d.cosKey, size: 2000, kind: 'multipart', contentType: 'image/jpeg' });
    expect(res.json.data.etag).toMatch(/-1"$/);
    expect(res.json.data.crc64).toMatch(/^\d+$/);
    expect(recorded.at(-1)).toEqual(res.json.data);
    // A client whose answer was lost asks again: the upload is gone, the object is the confirmation.
    const again = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId });
    expect(again.status).toBe(200);
    expect(again.json.data).toEqual(res.json.data);
  });

  it('refuses to complete an upload that never existed, when nothing is at the key', async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=2000')).json.data as MultipartTicket;
    const res = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId: 'no-such-upload' });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: 'SRV_ERR_NOT_UPLOADED' });
    expect(res.json.message).toContain('no object at its key');
  });
});

describe("multipart completion 'client' (for clients that complete with the ticket key, like the official SDKs)", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ multipartCompletion: 'client' });
  });
  afterAll(() => s.close());

  it('still lets the ticket key complete', async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=100')).json.data as MultipartTicket;
    expect(d.completion).toBe('client');
    const init = await withTicketKey(s, d, 'POST', { uploads: '' });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
    const part = await withTicketKey(s, d, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(100));
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag}</ETag></Part></CompleteMultipartUpload>`;
    expect((await withTicketKey(s, d, 'POST', { uploadId }, body)).status).toBe(200);
  });
});

describe('what tickets state by default', () => {
  let s: Stack;
  let limited: Stack;
  beforeAll(async () => {
    s = await stack();
    limited = await stack({ maxSize: 5000, enforceContentType: true });
  });
  afterAll(async () => {
    await s.close();
    await limited.close();
  });

  it("multipart tickets say completion 'server', and state their size as maxSize and the types they allow", async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=100')).json.data as MultipartTicket;
    expect(d).toMatchObject({ completion: 'server', maxSize: 100, contentTypes: ['application/octet-stream', 'image/jpeg'] });
    expect(d.contentType).toBeUndefined();
    // The ticket's own key may not complete.
    const init = await withTicketKey(s, d, 'POST', { uploads: '' });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
    const part = await withTicketKey(s, d, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(100));
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag}</ETag></Part></CompleteMultipartUpload>`;
    expect((await withTicketKey(s, d, 'POST', { uploadId }, body)).status).toBe(403);
    expect((await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId })).json.data).toMatchObject({ size: 100 });
  });

  it('direct and POST tickets state maxSize only when the server has MAX_SIZE', async () => {
    const open = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    expect(open.maxSize).toBeUndefined();
    expect(open.contentTypes).toEqual(['application/octet-stream', 'image/jpeg']);
    const d = (await ticket(limited.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    expect(d).toMatchObject({ maxSize: 5000, contentType: 'image/jpeg', contentTypes: ['image/jpeg'] });
    expect((await ticket(limited.base, '/post-policy?ext=jpg')).json.data).toMatchObject({ maxSize: 5000 });
    expect((await ticket(s.base, '/post-policy?ext=jpg')).json.data.maxSize).toBeUndefined();
  });
});
