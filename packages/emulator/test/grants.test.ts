import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { call, emulator, postSignedForm, raw, REGION, sdk, signed, VHOST, xmlField } from './helpers.js';

const APPID = '1250000000';
const OWNER = `qcs::cam::uin/${APPID}:uin/${APPID}`;
const ALL_USERS = 'http://cam.qcloud.com/groups/global/AllUsers';
const PUBLIC = `uri="${ALL_USERS}"`;
const code = (text: string) => xmlField(text, 'Code');
const reason = (text: string) => xmlField(text, 'Reason') ?? '';

/** x-cos-grant-* on the writes that create an object or a bucket, stored as its ACL. */
describe('grant headers on uploads, copies and PUT Bucket', () => {
  let emu: RunningEmulator;
  let cos: ReturnType<typeof sdk>;
  /** An unsigned request to a bucket's virtual host. */
  const anonymous = (key: string, options: { method?: string; query?: string; body?: string; host?: string } = {}) =>
    raw(`${emu.info.cos.http}/${key}${options.query ?? ''}`, {
      method: options.method ?? 'GET',
      headers: { host: options.host ?? VHOST },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
  const grantsOf = (acl: { Grants: Array<{ Grantee: { ID?: string; URI?: string }; Permission: string }> }) =>
    acl.Grants.map((g) => `${g.Permission} ${g.Grantee.ID ?? g.Grantee.URI}`);

  beforeAll(async () => {
    emu = await emulator();
    cos = sdk(emu);
  });
  afterAll(() => emu.close());

  it('PUT Object stores the grants, GET ?acl returns them and anonymous reads honour them', async () => {
    await call(cos, 'putObject', {
      Key: 'grants/put.txt',
      Body: 'put',
      GrantRead: `id="100000000001",${PUBLIC}`,
      GrantFullControl: 'id="100000000002/100000000022"',
    });
    const acl = await call(cos, 'getObjectAcl', { Key: 'grants/put.txt' });
    // Exactly the grants the headers name: the owner gets none of its own (it keeps its rights as the owner).
    expect(grantsOf(acl)).toEqual([
      'READ qcs::cam::uin/100000000001:uin/100000000001',
      `READ ${ALL_USERS}`,
      'FULL_CONTROL qcs::cam::uin/100000000002:uin/100000000022',
    ]);
    // A public READ grant amounts to public-read, in the bucket's private default.
    expect(acl.ACL).toBe('default');
    const read = await anonymous('grants/put.txt');
    expect([read.status, read.text]).toEqual([200, 'put']);
    // READ is not READ_ACP.
    expect((await anonymous('grants/put.txt', { query: '?acl' })).status).toBe(403);
    // A PUT without grants replaces them with the new object.
    await call(cos, 'putObject', { Key: 'grants/put.txt', Body: 'again' });
    expect(grantsOf(await call(cos, 'getObjectAcl', { Key: 'grants/put.txt' }))).toEqual([`FULL_CONTROL ${OWNER}`]);
    expect((await anonymous('grants/put.txt')).status).toBe(403);
  });

  it('PUT Object combines x-cos-acl with the grant headers; READ_ACP to everyone opens GET ?acl only', async () => {
    const put = await signed(emu, 'PUT', 'grants/acp.txt', {
      body: 'acp',
      headers: { 'x-cos-acl': 'private', 'x-cos-grant-read-acp': PUBLIC, 'x-cos-grant-write-acp': 'id="100000000003"' },
    });
    expect(put.status).toBe(200);
    const acl = await anonymous('grants/acp.txt', { query: '?acl' });
    expect(acl.status).toBe(200);
    expect(acl.headers['x-cos-acl']).toBe('private');
    expect(acl.text.replace(/\s+/g, '')).toContain(`<URI>${ALL_USERS}</URI></Grantee><Permission>READ_ACP</Permission>`);
    expect(acl.text).toContain('<ID>qcs::cam::uin/100000000003:uin/100000000003</ID>');
    expect((await anonymous('grants/acp.txt')).status).toBe(403);
  });

  it('POST Object takes them as form fields', async () => {
    const res = await postSignedForm(emu, 'grants/post.txt', 'posted', { 'x-cos-grant-read': PUBLIC, acl: 'private' });
    expect(res.status).toBe(204);
    const acl = await call(cos, 'getObjectAcl', { Key: 'grants/post.txt' });
    expect(grantsOf(acl)).toEqual([`READ ${ALL_USERS}`]);
    expect(acl.ACL).toBe('private');
    expect((await anonymous('grants/post.txt')).text).toBe('posted');
  });

  it('Initiate Multipart Upload keeps them for the object Complete makes', async () => {
    const init = await call(cos, 'multipartInit', { Key: 'grants/mp.bin', GrantRead: PUBLIC, GrantReadAcp: 'id="100000000004"' });
    const part = await call(cos, 'multipartUpload', { Key: 'grants/mp.bin', UploadId: init.UploadId, PartNumber: 1, Body: 'parts' });
    // Not yet: before Complete there is no object, and the private bucket lets nobody ask.
    expect((await anonymous('grants/mp.bin')).status).toBe(403);
    await call(cos, 'multipartComplete', { Key: 'grants/mp.bin', UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
    const acl = await call(cos, 'getObjectAcl', { Key: 'grants/mp.bin' });
    expect(grantsOf(acl)).toEqual([`READ ${ALL_USERS}`, 'READ_ACP qcs::cam::uin/100000000004:uin/100000000004']);
    expect((await anonymous('grants/mp.bin')).text).toBe('parts');
  });

  it("PUT Object - Copy gives the copy the request's grants, never the source's", async () => {
    await call(cos, 'putObject', { Key: 'grants/src.txt', Body: 'src', GrantRead: PUBLIC });
    const source = `${VHOST}/grants/src.txt`;
    await call(cos, 'putObjectCopy', { Key: 'grants/plain-copy.txt', CopySource: source });
    expect(grantsOf(await call(cos, 'getObjectAcl', { Key: 'grants/plain-copy.txt' }))).toEqual([`FULL_CONTROL ${OWNER}`]);
    expect((await anonymous('grants/plain-copy.txt')).status).toBe(403);
    await call(cos, 'putObjectCopy', { Key: 'grants/copy.txt', CopySource: source, GrantFullControl: 'id="100000000005"' });
    expect(grantsOf(await call(cos, 'getObjectAcl', { Key: 'grants/copy.txt' }))).toEqual([
      'FULL_CONTROL qcs::cam::uin/100000000005:uin/100000000005',
    ]);
  });

  it('PUT Bucket takes all five, x-cos-grant-write included, and anonymous requests are held to them', async () => {
    const bucket = `grants-${APPID}`;
    const host = `${bucket}.cos.${REGION}.myqcloud.com`;
    await call(cos, 'putBucket', { Bucket: bucket, GrantRead: PUBLIC, GrantWrite: PUBLIC, GrantWriteAcp: 'id="100000000006"' });
    const acl = await call(cos, 'getBucketAcl', { Bucket: bucket });
    expect(grantsOf(acl)).toEqual([`READ ${ALL_USERS}`, `WRITE ${ALL_USERS}`, 'WRITE_ACP qcs::cam::uin/100000000006:uin/100000000006']);
    expect(acl.ACL).toBe('private');
    expect((await anonymous('', { host })).status).toBe(200);
    expect((await anonymous('open.txt', { host, method: 'PUT', body: 'anyone' })).status).toBe(200);
    expect((await anonymous('open.txt', { host })).text).toBe('anyone');
    // Without grants a new bucket is private.
    await call(cos, 'putBucket', { Bucket: `plain-${APPID}` });
    expect(grantsOf(await call(cos, 'getBucketAcl', { Bucket: `plain-${APPID}` }))).toEqual([`FULL_CONTROL ${OWNER}`]);
    expect((await anonymous('', { host: `plain-${APPID}.cos.${REGION}.myqcloud.com` })).status).toBe(403);
  });

  describe('refusals', () => {
    it('a grantee COS does not know is InvalidArgument before anything is stored', async () => {
      const put = await signed(emu, 'PUT', 'grants/bad.txt', { body: 'bad', headers: { 'x-cos-grant-read': 'email="a@b.c"' } });
      expect([put.status, code(put.text)]).toEqual([400, 'InvalidArgument']);
      expect(reason(put.text)).toContain('x-cos-grant-read');
      expect((await signed(emu, 'HEAD', 'grants/bad.txt')).status).toBe(404);

      const group = await signed(emu, 'PUT', 'grants/bad.txt', {
        body: 'bad',
        headers: { 'x-cos-grant-full-control': 'uri="http://cam.qcloud.com/groups/global/Nobody"' },
      });
      expect([group.status, code(group.text)]).toEqual([400, 'InvalidArgument']);

      const init = await signed(emu, 'POST', 'grants/bad.bin', { query: { uploads: '' }, headers: { 'x-cos-grant-read': '100000000001' } });
      expect([init.status, code(init.text)]).toEqual([400, 'InvalidArgument']);
      const uploads = await signed(emu, 'GET', '', { query: { uploads: '', prefix: 'grants/bad.bin' } });
      expect(uploads.text).not.toContain('<Upload>');

      const form = await postSignedForm(emu, 'grants/bad-post.txt', 'x', { 'x-cos-grant-read-acp': 'id=1' });
      expect([form.status, code(form.text)]).toEqual([400, 'InvalidArgument']);
      expect((await signed(emu, 'HEAD', 'grants/bad-post.txt')).status).toBe(404);

      const bucket = await signed(emu, 'PUT', '', {
        host: `badgrant-${APPID}.cos.${REGION}.myqcloud.com`,
        headers: { 'x-cos-grant-write': 'id="x"' },
      });
      expect([bucket.status, code(bucket.text)]).toEqual([400, 'InvalidArgument']);
      expect((await signed(emu, 'HEAD', '', { host: `badgrant-${APPID}.cos.${REGION}.myqcloud.com` })).status).toBe(404);
    });

    it('x-cos-grant-write, which COS documents for buckets only, is refused on object writes with the reason', async () => {
      const put = await signed(emu, 'PUT', 'grants/w.txt', { body: 'w', headers: { 'x-cos-grant-write': PUBLIC } });
      expect([put.status, code(put.text)]).toEqual([501, 'NotImplemented']);
      expect(reason(put.text)).toContain('PUT Bucket and PUT ?acl only');
      const copy = await signed(emu, 'PUT', 'grants/w-copy.txt', {
        headers: { 'x-cos-copy-source': `${VHOST}/grants/put.txt`, 'x-cos-grant-write': PUBLIC },
      });
      expect(copy.status).toBe(501);
      const init = await signed(emu, 'POST', 'grants/w.bin', { query: { uploads: '' }, headers: { 'x-cos-grant-write': PUBLIC } });
      expect(init.status).toBe(501);
      const form = await postSignedForm(emu, 'grants/w-post.txt', 'w', { 'x-cos-grant-write': PUBLIC });
      expect([form.status, code(form.text)]).toEqual([501, 'NotImplemented']);
      for (const key of ['grants/w.txt', 'grants/w-copy.txt', 'grants/w-post.txt'])
        expect((await signed(emu, 'HEAD', key)).status).toBe(404);
    });

    it('with --loose an object write ignores x-cos-grant-write and keeps the grants it implements', async () => {
      const loose = await emulator({ httpPort: 0, httpsPort: false, loose: true });
      try {
        const put = await signed(loose, 'PUT', 'loose.txt', {
          body: 'l',
          headers: { 'x-cos-grant-write': PUBLIC, 'x-cos-grant-read': PUBLIC },
        });
        expect(put.status).toBe(200);
        const acl = await signed(loose, 'GET', 'loose.txt', { query: { acl: '' } });
        expect(acl.text).toContain('<Permission>READ</Permission>');
        expect(acl.text).not.toContain('<Permission>WRITE</Permission>');
      } finally {
        await loose.close();
      }
    });
  });
});
