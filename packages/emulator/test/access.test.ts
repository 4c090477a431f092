import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, raw, REGION, sdk, signed, temporaryKey, VHOST, xmlField } from './helpers.js';

const APPID = '1250000000';
const ALL_USERS = 'http://cam.qcloud.com/groups/global/AllUsers';
const code = (text: string) => xmlField(text, 'Code');
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { statusCode?: number; error?: { Code?: string; Reason?: string } };
  }
  throw new Error('the call succeeded');
};

describe('bucket policies, referer rules and ACL grants decide access', () => {
  let emu: RunningEmulator;
  let cos: ReturnType<typeof sdk>;
  /** An unsigned request to the bucket's virtual host, as a browser sends it. */
  const anonymous = (key: string, headers: Record<string, string> = {}, method = 'GET', body?: string) =>
    raw(`${emu.info.cos.http}/${key}`, { method, headers: { host: VHOST, ...headers }, ...(body === undefined ? {} : { body }) });
  const objectResource = (key: string) => `qcs::cos:${REGION}:uid/${APPID}:${BUCKET}/${key}`;

  beforeAll(async () => {
    emu = await emulator();
    cos = sdk(emu);
    await call(cos, 'putObject', { Key: 'private/a.txt', Body: 'private' });
    await call(cos, 'putObject', { Key: 'public/b.txt', Body: 'public', ACL: 'public-read' });
  });
  afterAll(() => emu.close());
  beforeEach(async () => {
    await call(cos, 'deleteBucketPolicy', {});
    await signed(emu, 'DELETE', '', { query: { referer: '' } }).catch(() => undefined);
    await call(cos, 'putBucketReferer', {
      RefererConfiguration: { Status: 'Disabled', RefererType: 'White-List', DomainList: { Domains: ['x.com'] } },
    });
  });

  describe('bucket policy', () => {
    it('an allow for principal * makes objects public-read, only under its resource', async () => {
      expect((await anonymous('private/a.txt')).status).toBe(403);
      await call(cos, 'putBucketPolicy', {
        Policy: {
          Statement: [
            { Principal: { qcs: ['*'] }, Effect: 'allow', Action: ['name/cos:GetObject'], Resource: [objectResource('private/*')] },
          ],
          version: '2.0',
        },
      });
      const res = await anonymous('private/a.txt');
      expect(res.status).toBe(200);
      expect(res.text).toBe('private');
      // Not an action it allows, and not a resource it covers.
      expect((await anonymous('private/new.txt', {}, 'PUT', 'x')).status).toBe(403);
      await call(cos, 'putObject', { Key: 'other/c.txt', Body: 'c' });
      expect((await anonymous('other/c.txt')).status).toBe(403);
    });

    it('an explicit deny wins over a public-read ACL for the anonymous and is named in the reason', async () => {
      expect((await anonymous('public/b.txt')).status).toBe(200);
      await call(cos, 'putBucketPolicy', {
        Policy: {
          Statement: [
            {
              Principal: { qcs: ['qcs::cam::anyone:anyone'] },
              Effect: 'deny',
              Action: ['name/cos:GetObject'],
              Resource: [objectResource('public/*')],
            },
          ],
          version: '2.0',
        },
      });
      const res = await anonymous('public/b.txt');
      expect(res.status).toBe(403);
      expect(code(res.text)).toBe('AccessDenied');
      expect(xmlField(res.text, 'Reason')).toContain('bucket policy statement 0');
    });

    it("an explicit deny wins over a temporary key's own allow; the root key is never refused", async () => {
      const key = await temporaryKey(emu, {
        version: '2.0',
        statement: [{ effect: 'allow', action: ['name/cos:GetObject', 'name/cos:PutObject'], resource: [objectResource('*')] }],
      } as never);
      const temp = sdk(emu, { SecretId: key.tmpSecretId, SecretKey: key.tmpSecretKey, SecurityToken: key.sessionToken });
      expect((await call(temp, 'getObject', { Key: 'private/a.txt' })).Body.toString()).toBe('private');
      await call(cos, 'putBucketPolicy', {
        Policy: {
          version: '2.0',
          principal: { qcs: [`qcs::cam::uin/${APPID}:uin/${APPID}`] },
          statement: [{ effect: 'deny', action: ['name/cos:GetObject'], resource: [objectResource('private/*')] }],
        },
      });
      const err = await failure(call(temp, 'getObject', { Key: 'private/a.txt' }));
      expect(err.statusCode).toBe(403);
      expect(err.error?.Code).toBe('AccessDenied');
      // Another principal's deny does not apply; the key's own policy still limits it.
      await call(cos, 'putBucketPolicy', {
        Policy: {
          Statement: [
            { Principal: { qcs: ['qcs::cam::uin/10001:uin/10001'] }, Effect: 'deny', Action: ['*'], Resource: [objectResource('*')] },
            { Principal: { qcs: ['*'] }, Effect: 'allow', Action: ['name/cos:DeleteObject'], Resource: [objectResource('*')] },
          ],
          version: '2.0',
        },
      });
      expect((await call(temp, 'getObject', { Key: 'private/a.txt' })).Body.toString()).toBe('private');
      expect((await failure(call(temp, 'deleteObject', { Key: 'private/a.txt' }))).statusCode).toBe(403);
      expect((await call(cos, 'getObject', { Key: 'private/a.txt' })).Body.toString()).toBe('private');
    });

    it('conditions are those of CAM policies (an IP condition)', async () => {
      await call(cos, 'putBucketPolicy', {
        Policy: {
          Statement: [
            {
              Principal: { qcs: ['*'] },
              Effect: 'allow',
              Action: ['name/cos:GetObject'],
              Resource: [objectResource('*')],
              Condition: { ip_equal: { 'qcs:ip': ['10.0.0.0/8'] } },
            },
          ],
          version: '2.0',
        },
      });
      expect((await anonymous('private/a.txt')).status).toBe(403);
    });
  });

  describe('referer', () => {
    const rules = (conf: Record<string, unknown>) =>
      call(cos, 'putBucketReferer', {
        RefererConfiguration: { Status: 'Enabled', DomainList: { Domains: ['*.example.com', 'www.a.com'] }, ...conf },
      });

    it('a White-List lets listed Referers through and refuses others with AccessDenied', async () => {
      await rules({ RefererType: 'White-List', EmptyReferConfiguration: 'Deny' });
      expect((await anonymous('public/b.txt', { referer: 'https://img.example.com/page' })).status).toBe(200);
      expect((await anonymous('public/b.txt', { referer: 'http://www.a.com.cn/x' })).status).toBe(200);
      const other = await anonymous('public/b.txt', { referer: 'https://evil.org/' });
      expect(other.status).toBe(403);
      expect(code(other.text)).toBe('AccessDenied');
      expect(xmlField(other.text, 'Reason')).toContain('White-List');
      const empty = await anonymous('public/b.txt');
      expect(empty.status).toBe(403);
      expect(xmlField(empty.text, 'Reason')).toContain('without a Referer');
    });

    it('a Black-List refuses listed Referers; EmptyReferConfiguration Allow lets requests without one through', async () => {
      await rules({ RefererType: 'Black-List', EmptyReferConfiguration: 'Allow' });
      expect((await anonymous('public/b.txt', { referer: 'https://cdn.example.com/' })).status).toBe(403);
      expect((await anonymous('public/b.txt', { referer: 'https://fine.org/' })).status).toBe(200);
      expect((await anonymous('public/b.txt')).status).toBe(200);
    });

    it('signed requests are not checked; presigned URLs only with VerifySignatureURL', async () => {
      await rules({ RefererType: 'White-List', EmptyReferConfiguration: 'Deny' });
      const header = await signed(emu, 'GET', 'private/a.txt', { headers: { referer: 'https://evil.org/' } });
      expect(header.status).toBe(200);
      const auth = cos.getAuth({ Method: 'GET', Key: 'private/a.txt', Bucket: BUCKET, Region: REGION, Expires: 600 } as never);
      const presigned = (referer: string) => raw(`${emu.info.cos.http}/private/a.txt?${auth}`, { headers: { host: VHOST, referer } });
      expect((await presigned('https://evil.org/')).status).toBe(200);
      await rules({ RefererType: 'White-List', EmptyReferConfiguration: 'Deny', VerifySignatureURL: 'Enabled' });
      expect((await presigned('https://evil.org/')).status).toBe(403);
      expect((await presigned('https://ok.example.com/')).status).toBe(200);
    });

    it('Disabled rules change nothing', async () => {
      await rules({ Status: 'Disabled', RefererType: 'White-List' });
      expect((await anonymous('public/b.txt', { referer: 'https://evil.org/' })).status).toBe(200);
    });
  });

  describe('ACLs in XML and grant headers', () => {
    // The official suite's sequence: one READ grant as XML, then the SDK's decodeAcl output as headers.
    const grantReadInXml = () =>
      call(cos, 'putBucketAcl', {
        AccessControlPolicy: {
          Owner: { ID: `qcs::cam::uin/${APPID}:uin/${APPID}` },
          Grant: { Grantee: { ID: 'qcs::cam::uin/10002:uin/10002' }, Permission: 'READ' },
        },
      });
    const putDecodedBack = (decoded: any) =>
      call(cos, 'putBucketAcl', {
        GrantFullControl: decoded.GrantFullControl,
        GrantWrite: decoded.GrantWrite,
        GrantRead: decoded.GrantRead,
        ACL: decoded.ACL,
      });

    it('putObjectAcl with an AccessControlPolicy granting READ to AllUsers makes the object public-read', async () => {
      await call(cos, 'putObject', { Key: 'acl/x.txt', Body: 'x' });
      expect((await anonymous('acl/x.txt')).status).toBe(403);
      const owner = (await call(cos, 'getObjectAcl', { Key: 'acl/x.txt' })).Owner;
      await call(cos, 'putObjectAcl', {
        Key: 'acl/x.txt',
        AccessControlPolicy: {
          Owner: { ID: owner.ID },
          Grants: [
            { Grantee: { ID: 'qcs::cam::uin/10002:uin/10002' }, Permission: 'READ' },
            { Grantee: { URI: ALL_USERS }, Permission: 'READ' },
          ],
        },
      });
      const acl = await call(cos, 'getObjectAcl', { Key: 'acl/x.txt' });
      expect(acl.Grants).toHaveLength(2);
      expect(acl.Grants[0].Grantee.ID).toBe('qcs::cam::uin/10002:uin/10002');
      expect(acl.Grants[1].Grantee.URI).toBe(ALL_USERS);
      expect(acl.ACL).toBe('public-read');
      expect(acl.GrantRead).toBe('id="qcs::cam::uin/10002:uin/10002"');
      expect((await anonymous('acl/x.txt')).status).toBe(200);
      // A new PUT replaces the object and its grants.
      await call(cos, 'putObject', { Key: 'acl/x.txt', Body: 'y' });
      expect((await anonymous('acl/x.txt')).status).toBe(403);
    });

    it('grant headers add to the canned ACL; the SDK round-trips them', async () => {
      await call(cos, 'putObject', { Key: 'acl/h.txt', Body: 'h' });
      const GrantFullControl = 'id="qcs::cam::uin/1001:uin/1001", id="qcs::cam::uin/1002:uin/1002"';
      await call(cos, 'putObjectAcl', { Key: 'acl/h.txt', ACL: 'public-read', GrantFullControl });
      const acl = await call(cos, 'getObjectAcl', { Key: 'acl/h.txt' });
      expect(acl.ACL).toBe('public-read');
      expect(acl.GrantFullControl).toBe('id="qcs::cam::uin/1001:uin/1001",id="qcs::cam::uin/1002:uin/1002"');
      expect((await anonymous('acl/h.txt')).status).toBe(200);
      await call(cos, 'putObjectAcl', { Key: 'acl/h.txt', GrantRead: 'id="100000000001"' });
      expect((await call(cos, 'getObjectAcl', { Key: 'acl/h.txt' })).GrantRead).toBe('id="qcs::cam::uin/100000000001:uin/100000000001"');
      // The object's ACL is default again: it follows the private bucket.
      expect((await anonymous('acl/h.txt')).status).toBe(403);
    });

    it('putBucketAcl with XML and with headers, as the SDK suite does', async () => {
      await grantReadInXml();
      const acl = await call(cos, 'getBucketAcl', {});
      expect(acl.Grants).toHaveLength(1);
      expect(acl.Grants[0].Grantee.ID).toBe('qcs::cam::uin/10002:uin/10002');
      expect(acl.Grants[0].Permission).toBe('READ');
      await call(cos, 'putBucketAcl', {
        AccessControlPolicy: {
          Owner: { ID: `qcs::cam::uin/${APPID}:uin/${APPID}` },
          Grants: [{ Grantee: { URI: ALL_USERS }, Permission: 'READ' }],
        },
      });
      expect((await anonymous('')).status).toBe(200);
      // decodeAcl's output put back, empty grant headers included.
      const decoded = await call(cos, 'getBucketAcl', {});
      await putDecodedBack(decoded);
      expect((await call(cos, 'getBucketAcl', {})).ACL).toBe('public-read');
      await call(cos, 'putBucketAcl', { ACL: 'private' });
      expect((await anonymous('')).status).toBe(403);
    });

    it("lists exactly the header grants after the SDK puts decodeAcl's output back, as the official suite reads them", async () => {
      await grantReadInXml();
      const decoded = await call(cos, 'getBucketAcl', {});
      // x-cos-acl: private, x-cos-grant-read: id="...10002", and empty grant-write and grant-full-control.
      await putDecodedBack(decoded);
      const acl = await call(cos, 'getBucketAcl', {});
      expect(acl.Grants).toEqual([{ Grantee: { ID: 'qcs::cam::uin/10002:uin/10002', DisplayName: '10002' }, Permission: 'READ' }]);
      expect(acl.ACL).toBe('private');
      await call(cos, 'putBucketAcl', { ACL: 'private' });
    });

    it('refuses headers and a body together, unknown permissions and grantees', async () => {
      const body =
        '<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>';
      const both = await signed(emu, 'PUT', '', { query: { acl: '' }, body, headers: { 'x-cos-acl': 'private' } });
      expect(both.status).toBe(400);
      expect(code(both.text)).toBe('InvalidRequest');
      const bad = await signed(emu, 'PUT', '', { query: { acl: '' }, body: body.replace('READ<', 'LOOK<') });
      expect(code(bad.text)).toBe('MalformedXML');
      const grantee = await signed(emu, 'PUT', '', { query: { acl: '' }, headers: { 'x-cos-grant-read': 'email="a@b.c"' } });
      expect(code(grantee.text)).toBe('InvalidArgument');
      // On PUT Object the grantee is checked as on PUT ?acl.
      const put = await signed(emu, 'PUT', 'g.txt', { body: 'g', headers: { 'x-cos-grant-read': 'email="a@b.c"' } });
      expect(code(put.text)).toBe('InvalidArgument');
    });
  });

  describe('GET Service on the hosts the SDK uses', () => {
    it('answers getService with and without a Region', async () => {
      for (const params of [{}, { Region: REGION }]) {
        const res = await new Promise<{ Buckets: Array<{ Name: string }> }>((resolve, reject) =>
          (cos as any).getService(params, (err: unknown, data: { Buckets: Array<{ Name: string }> }) =>
            err ? reject(err) : resolve(data),
          ),
        );
        expect(res.Buckets.map((b) => b.Name)).toContain(BUCKET);
      }
      const byRegion = await signed(emu, 'GET', '', { host: `cos.${REGION}.myqcloud.com` });
      expect(byRegion.text).toContain('<ListAllMyBucketsResult>');
    });
  });
});
