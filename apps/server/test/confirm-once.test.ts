import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfirmedUpload, createCosDirect, createServer, type DirectTicket, type MultipartTicket } from '../src/index.js';
import { post, withTicketKey } from './cos-requests.js';
import { putWithTicket, stack, ticket, type Stack } from './harness.js';

// Issue 24: a confirmed object stays the object that was confirmed. A ticket is still valid after its
// upload, so its holder can write again; the server must not confirm (or complete) a second object.

async function multipartUpload(s: Stack, d: MultipartTicket, fill: number): Promise<string> {
  const init = await withTicketKey(s, d, 'POST', { uploads: '' });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
  expect((await withTicketKey(s, d, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(100, fill))).status).toBe(200);
  return uploadId;
}

describe('a confirmed upload cannot be replaced', () => {
  let s: Stack;
  const recorded: ConfirmedUpload[] = [];
  beforeAll(async () => {
    s = await stack({ onUploadConfirmed: (upload) => void recorded.push(upload) });
  });
  afterAll(() => s.close());

  it('confirms a direct upload once: a repeat answers the first confirmation, a replacement is refused', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
    const first = await putWithTicket(s, d, 'the first bytes');
    const confirmed = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.data.etag).toBe(first.headers.etag);
    // The seed's signature can write the key again until it expires: the answer says until when.
    expect(confirmed.json.data.replaceableUntil).toBe(d.expiredTime);
    const again = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(again.json.data).toEqual(confirmed.json.data);
    expect(recorded.filter((u) => u.key === d.cosKey)).toHaveLength(1);

    // The app's own check of what its hook recorded, without the confirmToken.
    const core = createCosDirect({ ...s.emulatorOptions, rateLimit: false });
    expect(await core.checkConfirmed(confirmed.json.data)).toEqual(confirmed.json.data);

    // The seed's client cannot send x-cos-forbid-overwrite, so COS takes the second PUT while the
    // signature lives; the server never reports it as the confirmed object.
    const second = await putWithTicket(s, d, 'other bytes, replaced');
    expect(second.headers.etag).not.toBe(first.headers.etag);
    const changed = await post(s, '/confirm', { confirmToken: d.confirmToken });
    expect(changed.status).toBe(409);
    expect(changed.json.code).toBe('SRV_ERR_OBJECT_CHANGED');
    expect(changed.json.message).toContain(String(first.headers.etag));
    await expect(core.checkConfirmed(confirmed.json.data)).rejects.toMatchObject({ code: 'SRV_ERR_OBJECT_CHANGED' });
    await core.close();
    expect(recorded.filter((u) => u.key === d.cosKey)).toEqual([confirmed.json.data]);
  });

  it('completes a multipart ticket once: a second upload of its key is aborted and refused', async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=100')).json.data as MultipartTicket;
    const firstId = await multipartUpload(s, d, 1);
    const done = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId: firstId });
    expect(done.status).toBe(200);
    // The ticket's key, or one renewed until the completion, could still write the key: at the least until
    // the ticket's key expires, at most one key's life after the completion.
    expect(done.json.data.replaceableUntil).toBeGreaterThanOrEqual(d.expiredTime);
    expect(done.json.data.replaceableUntil).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1800);
    // The same call again (its answer was lost) answers the same object, and the app hears of it once.
    const retry = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId: firstId });
    expect(retry.json.data).toEqual(done.json.data);

    const secondId = await multipartUpload(s, d, 2);
    const twice = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId: secondId });
    expect(twice.status).toBe(409);
    expect(twice.json.code).toBe('SRV_ERR_ALREADY_COMPLETED');
    // Its parts are not stranded, and the object is still the first one.
    expect((await withTicketKey(s, d, 'GET', { uploadId: secondId })).status).toBe(404);
    expect((await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId: firstId })).json.data).toEqual(done.json.data);
    expect(recorded.filter((u) => u.key === d.cosKey)).toEqual([done.json.data]);
  });

  it('completes with x-cos-forbid-overwrite, so COS refuses a second completion an instance without the record tries', async () => {
    const other = await createServer({ ...s.emulatorOptions, rateLimit: false });
    try {
      const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=100')).json.data as MultipartTicket;
      const done = await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId: await multipartUpload(s, d, 1) });
      expect(done.status).toBe(200);
      const secondId = await multipartUpload(s, d, 2);
      const res = await other.inject({
        method: 'POST',
        url: '/complete-multipart',
        payload: { confirmToken: d.confirmToken, uploadId: secondId },
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('SRV_ERR_ALREADY_COMPLETED');
      expect((await post(s, '/complete-multipart', { confirmToken: d.confirmToken, uploadId: secondId })).json.code).toBe(
        'SRV_ERR_ALREADY_COMPLETED',
      );
      expect((await post(s, '/confirm', { confirmToken: d.confirmToken })).status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it("runs the app's hook again on a retry when it failed the first time", async () => {
    let fail = true;
    const calls: string[] = [];
    const flaky = await stack({
      onUploadConfirmed: (upload) => {
        calls.push(upload.etag);
        if (fail) throw new Error('database down');
      },
    });
    try {
      const d = (await ticket(flaky.base, '/sts-direct-sign?ext=jpg')).json.data as DirectTicket;
      await putWithTicket(flaky, d, 'bytes');
      expect((await post(flaky, '/confirm', { confirmToken: d.confirmToken })).status).toBe(500);
      fail = false;
      expect((await post(flaky, '/confirm', { confirmToken: d.confirmToken })).status).toBe(200);
      expect((await post(flaky, '/confirm', { confirmToken: d.confirmToken })).status).toBe(200);
      expect(calls).toHaveLength(2);
    } finally {
      await flaky.close();
    }
  });
});
