import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, REGION, sdk, signed, xmlField } from './helpers.js';

const APPID = '1250000000';
const code = (text: string) => xmlField(text, 'Code');
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { statusCode?: number; code?: string; error?: { Code?: string; Reason?: string } };
  }
  throw new Error('the call succeeded');
};

/** The official SDK's own fixtures (test/test.js), round-tripped through PUT and GET. */
describe('bucket configurations through cos-nodejs-sdk-v5', () => {
  for (const store of ['memory', 'LMDB'] as const) {
    describe(store, () => {
      let emu: RunningEmulator;
      let cos: ReturnType<typeof sdk>;
      beforeAll(async () => {
        const dataDir = store === 'LMDB' ? await mkdtemp(join(tmpdir(), 'cos-bucketconf-')) : undefined;
        emu = await emulator({ httpsPort: false, ...(dataDir ? { dataDir } : {}), buckets: ['dev', 'logs'] });
        cos = sdk(emu);
      });
      afterAll(() => emu.close());

      it('policy: PUT, GET as COS answers it, DELETE, then NoSuchPolicy (the code the official SDK checks for)', async () => {
        const resource = `qcs::cos:${REGION}:uid/${APPID}:${BUCKET}//${APPID}/dev/p/*`;
        const Policy = {
          version: '2.0',
          principal: { qcs: ['qcs::cam::uin/10001:uin/10001'] },
          statement: [{ effect: 'allow', action: ['name/cos:GetBucket', 'name/cos:PutObject'], resource: [resource] }],
        };
        await call(cos, 'putBucketPolicy', { Policy });
        const got = await call(cos, 'getBucketPolicy', {});
        // COS names the list `Statement` and answers each statement as it was put: the official suite reads
        // `Statement[0].resource[0]` after putting this very policy.
        expect(got.Policy.Statement[0].resource[0]).toBe(resource);
        expect(got.Policy.Statement[0].effect).toBe('allow');
        expect(got.Policy.statement).toBeUndefined();
        expect(got.Policy.principal.qcs).toEqual(['qcs::cam::uin/10001:uin/10001']);
        expect(got.Policy.version).toBe('2.0');
        // The document's example (doc 436/8276), capitalised, comes back capitalised; it is enforced either way.
        const documented = {
          Statement: [
            {
              Principal: { qcs: ['qcs::cam::uin/10001:uin/10001'] },
              Effect: 'allow',
              Action: ['name/cos:GetBucket'],
              Resource: [resource],
            },
          ],
          version: '2.0',
        };
        await call(cos, 'putBucketPolicy', { Policy: documented });
        expect((await call(cos, 'getBucketPolicy', {})).Policy).toEqual(documented);
        await call(cos, 'deleteBucketPolicy', {});
        const err = await failure(call(cos, 'getBucketPolicy', {}));
        expect(err.statusCode).toBe(404);
        expect(err.error?.Code).toBe('NoSuchPolicy');
      });

      it('tagging: PUT, GET, DELETE; an absent tag set is NoSuchTagSet (the SDK answers [])', async () => {
        const Tags = [
          { Key: 'k1', Value: 'v1' },
          { Key: 'k2', Value: 'v2' },
        ];
        await call(cos, 'putBucketTagging', { Tagging: { Tags } });
        expect((await call(cos, 'getBucketTagging', {})).Tags).toEqual(Tags);
        await call(cos, 'deleteBucketTagging', {});
        expect((await call(cos, 'getBucketTagging', {})).Tags).toEqual([]);
        const res = await signed(emu, 'GET', '', { query: { tagging: '' } });
        expect(res.status).toBe(404);
        expect(code(res.text)).toBe('NoSuchTagSet');
      });

      it('lifecycle: the SDK fixture round-trips; absent is NoSuchLifecycleConfiguration', async () => {
        const Rules = [
          {
            ID: '1',
            Filter: { Prefix: 'test1_' },
            Status: 'Enabled',
            Transition: { Date: '2018-07-29T16:00:00.000Z', StorageClass: 'STANDARD_IA' },
          },
          {
            ID: '2',
            Filter: { Prefix: 'test2_' },
            Status: 'Enabled',
            Transition: { Date: '2018-07-29T16:00:00.000Z', StorageClass: 'STANDARD_IA' },
          },
        ];
        await call(cos, 'putBucketLifecycle', { LifecycleConfiguration: { Rules } });
        expect((await call(cos, 'getBucketLifecycle', {})).Rules).toEqual(Rules);
        await call(cos, 'deleteBucketLifecycle', {});
        expect((await call(cos, 'getBucketLifecycle', {})).Rules).toEqual([]);
        expect(code((await signed(emu, 'GET', '', { query: { lifecycle: '' } })).text)).toBe('NoSuchLifecycleConfiguration');
      });

      it('website: with routing rules; absent is NoSuchWebsiteConfiguration', async () => {
        const WebsiteConfiguration = {
          IndexDocument: { Suffix: 'index.html' },
          RedirectAllRequestsTo: { Protocol: 'https' },
          ErrorDocument: { Key: 'error.html' },
          RoutingRules: [
            {
              Condition: { HttpErrorCodeReturnedEquals: '404' },
              Redirect: { Protocol: 'https', ReplaceKeyWith: '404.html', URLRedirect: 'Enabled' },
            },
            {
              Condition: { KeyPrefixEquals: 'docs/' },
              Redirect: { Protocol: 'https', ReplaceKeyPrefixWith: 'documents/', URLRedirect: 'Enabled' },
            },
          ],
        };
        await call(cos, 'putBucketWebsite', { WebsiteConfiguration });
        expect((await call(cos, 'getBucketWebsite', {})).WebsiteConfiguration).toEqual(WebsiteConfiguration);
        await call(cos, 'deleteBucketWebsite', {});
        expect((await call(cos, 'getBucketWebsite', {})).WebsiteConfiguration).toEqual({});
        expect(code((await signed(emu, 'GET', '', { query: { website: '' } })).text)).toBe('NoSuchWebsiteConfiguration');
      });

      it('referer: stored with the defaults COS adds; absent is NoSuchRefererConfiguration', async () => {
        expect(code((await signed(emu, 'GET', '', { query: { referer: '' } })).text)).toBe('NoSuchRefererConfiguration');
        const conf = {
          Status: 'Disabled',
          RefererType: 'White-List',
          DomainList: { Domains: ['a.qq.com', '*.qcloud.com'] },
          EmptyReferConfiguration: 'Allow',
        };
        await call(cos, 'putBucketReferer', { RefererConfiguration: conf });
        expect((await call(cos, 'getBucketReferer', {})).RefererConfiguration).toEqual({ ...conf, VerifySignatureURL: 'Disabled' });
        await call(cos, 'putBucketReferer', {
          RefererConfiguration: { Status: 'Disabled', RefererType: 'Black-List', DomainList: { Domains: ['x.com'] } },
        });
        expect((await call(cos, 'getBucketReferer', {})).RefererConfiguration.EmptyReferConfiguration).toBe('Deny');
      });

      it('logging: PUT, GET; an empty status turns it off; there is no DELETE', async () => {
        expect((await call(cos, 'getBucketLogging', {})).BucketLoggingStatus).toBe('');
        const BucketLoggingStatus = { LoggingEnabled: { TargetBucket: `logs-${APPID}`, TargetPrefix: 'access/' } };
        await call(cos, 'putBucketLogging', { BucketLoggingStatus });
        expect((await call(cos, 'getBucketLogging', {})).BucketLoggingStatus).toEqual(BucketLoggingStatus);
        await call(cos, 'putBucketLogging', { BucketLoggingStatus: '' });
        expect((await call(cos, 'getBucketLogging', {})).BucketLoggingStatus).toBe('');
        const missing = await failure(
          call(cos, 'putBucketLogging', { BucketLoggingStatus: { LoggingEnabled: { TargetBucket: `nope-${APPID}`, TargetPrefix: 'a/' } } }),
        );
        expect(missing.error?.Code).toBe('InvalidArgument');
        expect((await signed(emu, 'DELETE', '', { query: { logging: '' } })).status).toBe(405);
      });

      it('inventory: by id, listed, deleted; a missing id is NoSuchInventoryConfiguration', async () => {
        const InventoryConfiguration = {
          Id: 'inventory_test',
          IsEnabled: 'true',
          Destination: {
            COSBucketDestination: {
              Format: 'CSV',
              AccountId: '100000000001',
              Bucket: `qcs::cos:${REGION}::logs-${APPID}`,
              Prefix: 'inventory_prefix_1',
              Encryption: { SSECOS: '' },
            },
          },
          Schedule: { Frequency: 'Daily' },
          Filter: { Prefix: 'myPrefix' },
          IncludedObjectVersions: 'All',
          OptionalFields: ['Size'],
        };
        await call(cos, 'putBucketInventory', { Id: 'inventory_test', InventoryConfiguration });
        await call(cos, 'putBucketInventory', { Id: 'second', InventoryConfiguration: { ...InventoryConfiguration, Id: 'second' } });
        expect((await call(cos, 'getBucketInventory', { Id: 'inventory_test' })).InventoryConfiguration).toEqual(InventoryConfiguration);
        const listed = await call(cos, 'listBucketInventory', {});
        expect(listed.IsTruncated).toBe('false');
        expect(listed.InventoryConfigurations.map((c: { Id: string }) => c.Id)).toEqual(['inventory_test', 'second']);
        expect(listed.InventoryConfigurations[0]).toEqual(InventoryConfiguration);
        await call(cos, 'deleteBucketInventory', { Id: 'inventory_test' });
        const err = await failure(call(cos, 'getBucketInventory', { Id: 'inventory_test' }));
        expect(err.statusCode).toBe(404);
        expect(err.error?.Code).toBe('NoSuchInventoryConfiguration');
        const mismatch = await failure(call(cos, 'putBucketInventory', { Id: 'other', InventoryConfiguration }));
        expect(mismatch.error?.Code).toBe('InvalidArgument');
      });

      it('domain and origin: the SDK fixtures round-trip', async () => {
        const DomainRule = [
          { Status: 'DISABLED', Name: 'www.testDomain1.com', Type: 'REST' },
          { Status: 'DISABLED', Name: 'www.testDomain2.com', Type: 'WEBSITE' },
        ];
        await call(cos, 'putBucketDomain', { DomainRule });
        expect((await call(cos, 'getBucketDomain', {})).DomainRule).toEqual(DomainRule);
        await call(cos, 'deleteBucketDomain', {});
        expect((await failure(call(cos, 'getBucketDomain', {}))).error?.Code).toBe('NoSuchDomainConfiguration');

        const OriginRule = [
          {
            OriginType: 'Mirror',
            OriginCondition: { HTTPStatusCode: '404', Prefix: '' },
            OriginParameter: {
              Protocol: 'HTTP',
              FollowQueryString: 'true',
              HttpHeader: { NewHttpHeader: { Header: [{ Key: 'a', Value: 'a' }] } },
              FollowRedirection: 'true',
              HttpRedirectCode: ['301', '302'],
            },
            OriginInfo: {
              HostInfo: { HostName: 'qq.com' },
              FileInfo: { PrefixConfiguration: { Prefix: 'p/' }, SuffixConfiguration: { Suffix: '.jpg' } },
            },
            RulePriority: '1',
          },
        ];
        await call(cos, 'putBucketOrigin', { OriginRule });
        expect((await call(cos, 'getBucketOrigin', {})).OriginRule[0].OriginInfo.FileInfo.PrefixConfiguration.Prefix).toBe('p/');
        await call(cos, 'deleteBucketOrigin', {});
        expect((await failure(call(cos, 'getBucketOrigin', {}))).error?.Code).toBe('NoSuchOriginConfiguration');
      });

      it('replication, encryption and accelerate', async () => {
        await call(cos, 'putBucketReplication', {
          ReplicationConfiguration: {
            Role: `qcs::cam::uin/${APPID}:uin/${APPID}`,
            Rules: [{ ID: 'r1', Status: 'Enabled', Prefix: 'sync/', Destination: { Bucket: `qcs::cos:ap-chengdu::rep-${APPID}` } }],
          },
        });
        expect((await call(cos, 'getBucketReplication', {})).ReplicationConfiguration.Rules[0].ID).toBe('r1');
        await call(cos, 'deleteBucketReplication', {});
        const gone = await signed(emu, 'GET', '', { query: { replication: '' } });
        expect(gone.status).toBe(404);
        // Not the SDK's own spelling (…notFound…), which it turns into an empty configuration: the
        // official suite expects this GET to fail with 404, as against COS.
        expect(code(gone.text)).toBe('ReplicationConfigurationNotFoundError');
        expect((await failure(call(cos, 'getBucketReplication', {}))).statusCode).toBe(404);

        // An empty document is refused; the SDK then reads the absent configuration as no rules.
        expect((await failure(call(cos, 'putBucketEncryption', {}))).error?.Code).toBe('MalformedXML');
        expect((await call(cos, 'getBucketEncryption', {})).EncryptionConfiguration.Rules).toEqual([]);
        await call(cos, 'putBucketEncryption', {
          ServerSideEncryptionConfiguration: { Rule: [{ ApplySideEncryptionConfiguration: { SSEAlgorithm: 'AES256' } }] },
        });
        const enc = await signed(emu, 'GET', '', { query: { encryption: '' } });
        expect(xmlField(enc.text, 'SSEAlgorithm')).toBe('AES256');
        await call(cos, 'deleteBucketEncryption', {});
        expect(code((await signed(emu, 'GET', '', { query: { encryption: '' } })).text)).toBe('NoSuchEncryptionConfiguration');

        for (const Status of ['Enabled', 'Suspended']) {
          await call(cos, 'putBucketAccelerate', { AccelerateConfiguration: { Status } });
          expect((await call(cos, 'getBucketAccelerate', {})).AccelerateConfiguration.Status).toBe(Status);
        }
      });

      it('every configuration call on a missing bucket is NoSuchBucket', async () => {
        const missing = `gone-${APPID}`;
        for (const [method, params] of [
          ['putBucketTagging', { Tagging: { Tags: [{ Key: 'a', Value: 'b' }] } }],
          ['getBucketLifecycle', {}],
          ['deleteBucketPolicy', {}],
          ['getBucketInventory', { Id: 'x' }],
        ] as const) {
          const err = await failure(call(cos, method, { ...params, Bucket: missing }));
          expect(err.statusCode, method).toBe(404);
        }
      });

      it('a deleted bucket takes its configurations with it', async () => {
        const host = `gone2-${APPID}.cos.${REGION}.myqcloud.com`;
        const other = { Bucket: `gone2-${APPID}` };
        expect((await signed(emu, 'PUT', '', { host })).status).toBe(200);
        await call(cos, 'putBucketTagging', { ...other, Tagging: { Tags: [{ Key: 'a', Value: 'b' }] } });
        await call(cos, 'putBucketLifecycle', { ...other, Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, Expiration: { Days: '3' } }] });
        expect((await signed(emu, 'DELETE', '', { host })).status).toBe(204);
        expect((await signed(emu, 'PUT', '', { host })).status).toBe(200);
        expect(code((await signed(emu, 'GET', '', { host, query: { tagging: '' } })).text)).toBe('NoSuchTagSet');
        expect(code((await signed(emu, 'GET', '', { host, query: { lifecycle: '' } })).text)).toBe('NoSuchLifecycleConfiguration');
      });
    });
  }

  it('configurations survive a restart of the LMDB store', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-bucketconf-restart-'));
    let emu = await emulator({ httpsPort: false, dataDir });
    await call(sdk(emu), 'putBucketTagging', { Tagging: { Tags: [{ Key: 'kept', Value: 'yes' }] } });
    await emu.close();
    emu = await emulator({ httpsPort: false, dataDir });
    try {
      expect((await call(sdk(emu), 'getBucketTagging', {})).Tags).toEqual([{ Key: 'kept', Value: 'yes' }]);
    } finally {
      await emu.close();
    }
  });
});

describe('bucket configurations are validated as COS validates them', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
  });
  afterAll(() => emu.close());

  const put = (param: string, body: string, query: Record<string, string> = {}) =>
    signed(emu, 'PUT', '', { query: { [param]: '', ...query }, body, headers: { 'content-type': 'application/xml' } });

  it('answers MalformedXML for text that is not XML, the wrong root, or a missing element', async () => {
    for (const [param, body] of [
      ['lifecycle', 'not xml'],
      ['lifecycle', '<LifecycleConfiguration><Rule>'],
      ['lifecycle', '<Lifecycle><Rule/></Lifecycle>'],
      ['lifecycle', '<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Filter/></Rule></LifecycleConfiguration>'],
      ['tagging', '<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>'],
      ['website', '<WebsiteConfiguration><ErrorDocument><Key>e.html</Key></ErrorDocument></WebsiteConfiguration>'],
      ['referer', '<RefererConfiguration><Status>Enabled</Status><RefererType>White-List</RefererType></RefererConfiguration>'],
      ['encryption', '<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>'],
    ]) {
      const res = await put(param!, body!);
      expect(res.status, body).toBe(400);
      expect(code(res.text), body).toBe('MalformedXML');
      expect(xmlField(res.text, 'Reason'), body).toBeTruthy();
    }
  });

  it('answers InvalidArgument for values COS does not take', async () => {
    for (const [param, body] of [
      [
        'lifecycle',
        '<LifecycleConfiguration><Rule><Status>On</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>',
      ],
      [
        'lifecycle',
        '<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter/><Expiration><Days>-1</Days></Expiration></Rule></LifecycleConfiguration>',
      ],
      [
        'referer',
        '<RefererConfiguration><Status>Enabled</Status><RefererType>Grey-List</RefererType><DomainList><Domain>a.com</Domain></DomainList></RefererConfiguration>',
      ],
      ['tagging', '<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>'],
      ['accelerate', '<AccelerateConfiguration><Status>On</Status></AccelerateConfiguration>'],
      [
        'encryption',
        '<ServerSideEncryptionConfiguration><Rule><ApplySideEncryptionConfiguration><SSEAlgorithm>DES</SSEAlgorithm></ApplySideEncryptionConfiguration></Rule></ServerSideEncryptionConfiguration>',
      ],
    ]) {
      const res = await put(param!, body!);
      expect(res.status, body).toBe(400);
      expect(code(res.text), body).toBe('InvalidArgument');
    }
  });

  it('refuses a bucket policy that is not JSON or names no principal with MalformedPolicy', async () => {
    for (const body of ['{"statement": [', JSON.stringify({ statement: [{ effect: 'allow', action: ['*'], resource: ['*'] }] })]) {
      const res = await signed(emu, 'PUT', '', { query: { policy: '' }, body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(code(res.text)).toBe('MalformedPolicy');
    }
  });

  it('needs the id parameter for inventory, and checks Content-MD5 when sent', async () => {
    const res = await put('inventory', '<InventoryConfiguration/>');
    expect(code(res.text)).toBe('InvalidArgument');
    const bad = await signed(emu, 'PUT', '', {
      query: { tagging: '' },
      body: '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>',
      headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' },
    });
    expect(code(bad.text)).toBe('BadDigest');
  });

  it('GET of logging and accelerate without a configuration is an empty document', async () => {
    const logging = await signed(emu, 'GET', '', { query: { logging: '' } });
    expect(logging.status).toBe(200);
    expect(logging.text).toContain('<BucketLoggingStatus/>');
    const accelerate = await signed(emu, 'GET', '', { query: { accelerate: '' } });
    expect(accelerate.text).toContain('<AccelerateConfiguration/>');
  });

  it('a bucket sub-resource on an object is not implemented, not served as a plain GET', async () => {
    await signed(emu, 'PUT', 'o.txt', { body: 'x' });
    const res = await signed(emu, 'GET', 'o.txt', { query: { lifecycle: '' } });
    expect(res.status).toBe(501);
    expect(xmlField(res.text, 'Reason')).toContain('lifecycle');
  });
});
