import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfirmedUpload, DirectTicket, MultipartTicket } from '../src/index.js';
import { withTicketKey } from './cos-requests.js';
import { putWithTicket, stack, ticket, type Stack } from './harness.js';

// A confirmToken belongs to the user its ticket was issued to: another signed-in user who gets hold of it
// can neither learn what it stored nor have the app record that object as theirs.
describe('confirmations of the user the ticket was issued to', () => {
  let s: Stack;
  const recorded: { upload: ConfirmedUpload; user: unknown }[] = [];
  beforeAll(async () => {
    s = await stack({
      multipartCompletion: 'server',
      // x-user names the caller; x-anonymous signs in without an id (a shared service token).
      authenticate: (request: { headers: Record<string, string | undefined> }) =>
        request.headers['x-anonymous'] ? { kind: 'service' } : request.headers['x-user'],
      keyPrefix: 'users/',
      keyFolder: ({ user }) => `${typeof user === 'string' ? user : 'shared'}/`,
      onUploadConfirmed: (upload, _request, user) => {
        recorded.push({ upload, user });
      },
    });
  });
  afterAll(() => s.close());

  const as = (who: Record<string, string>) => ({ headers: who });
  const post = (path: string, body: unknown, who: Record<string, string>) =>
    ticket(s.base, path, { method: 'POST', headers: { 'content-type': 'application/json', ...who }, body: JSON.stringify(body) });
  const seedUpload = (d: DirectTicket) => putWithTicket(s, d, 'hello');

  it("refuses another user's confirmToken on /confirm, before looking at the object, and confirms for its owner", async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg', as({ 'x-user': 'alice' }))).json.data as DirectTicket;
    expect(d.cosKey).toMatch(/^users\/alice\//);
    expect((await seedUpload(d)).status).toBe(200);
    for (const who of [{ 'x-user': 'bob' }, { 'x-anonymous': '1' }] as Record<string, string>[]) {
      const refused = await post('/confirm', { confirmToken: d.confirmToken }, who);
      expect(refused.status).toBe(403);
      expect(refused.json).toEqual({ code: 'SRV_ERR_FORBIDDEN', message: 'the confirmToken was issued to another user' });
    }
    expect(recorded).toEqual([]);
    const own = await post('/confirm', { confirmToken: d.confirmToken }, { 'x-user': 'alice' });
    expect(own.status).toBe(200);
    expect(recorded).toEqual([{ upload: own.json.data, user: 'alice' }]);
  });

  it("refuses another user's confirmToken on /complete-multipart, and leaves the upload to its owner", async () => {
    const d = (await ticket(s.base, '/sts-multipart?ext=jpg&size=2000', as({ 'x-user': 'alice' }))).json.data as MultipartTicket;
    const init = await withTicketKey(s, d, 'POST', { uploads: '' });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]!;
    expect((await withTicketKey(s, d, 'PUT', { partNumber: '1', uploadId }, Buffer.alloc(2000, 7))).status).toBe(200);
    const refused = await post('/complete-multipart', { confirmToken: d.confirmToken, uploadId }, { 'x-user': 'bob' });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('SRV_ERR_FORBIDDEN');
    // Nothing was aborted or completed on Bob's behalf: Alice completes it.
    const own = await post('/complete-multipart', { confirmToken: d.confirmToken, uploadId }, { 'x-user': 'alice' });
    expect(own.status).toBe(200);
    expect(own.json.data).toMatchObject({ key: d.cosKey, size: 2000, kind: 'multipart' });
  });

  it('lets any caller confirm a ticket issued without a user id, as before', async () => {
    const d = (await ticket(s.base, '/sts-direct-sign?ext=jpg', as({ 'x-anonymous': '1' }))).json.data as DirectTicket;
    expect(d.cosKey).toMatch(/^users\/shared\//);
    expect((await seedUpload(d)).status).toBe(200);
    const res = await post('/confirm', { confirmToken: d.confirmToken }, { 'x-user': 'carol' });
    expect(res.status).toBe(200);
  });
});
