import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, REGION, signed, VHOST, xmlField } from './helpers.js';

/**
 * What the official SDKs' own suites (cos-python-sdk-v5 ut/test.py, cos-js-sdk-v5 test/) send and
 * expect back, where the emulator answered otherwise than COS.
 */
const code = (text: string) => xmlField(text, 'Code');
const md5 = (body: string) => createHash('md5').update(body).digest('base64');
const xml = (body: string) => ({ 'content-type': 'application/xml', 'content-md5': md5(body) });
const putConfig = (emu: RunningEmulator, param: string, body: string, query: Record<string, string> = {}) =>
  signed(emu, 'PUT', '', { query: { [param]: '', ...query }, headers: xml(body), body });

describe('COS answers the official suites expect', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false, buckets: ['dev', 'tagged', 'plain'] });
  });
  afterAll(() => emu.close());

  it('Upload Part - Copy with an empty x-cos-copy-source-range copies the whole source (upload_part_copy)', async () => {
    await signed(emu, 'PUT', 'src.txt', { body: 'whole source' });
    const init = await signed(emu, 'POST', 'dst.txt', { query: { uploads: '' } });
    const uploadId = xmlField(init.text, 'UploadId')!;
    const part = await signed(emu, 'PUT', 'dst.txt', {
      query: { partNumber: '1', uploadId },
      headers: { 'x-cos-copy-source': `${VHOST}/src.txt`, 'x-cos-copy-source-range': '' },
    });
    expect(part.status, part.text).toBe(200);
    expect(xmlField(part.text, 'ETag')).toBe(`&quot;${createHash('md5').update('whole source').digest('hex')}&quot;`);
  });

  it('PUT ?referer with an empty body clears the configuration, and GET then answers an empty one (delete_bucket_referer)', async () => {
    const config =
      '<RefererConfiguration><Status>Enabled</Status><RefererType>White-List</RefererType>' +
      '<DomainList><Domain>*.qq.com</Domain></DomainList></RefererConfiguration>';
    expect((await putConfig(emu, 'referer', config)).status).toBe(200);
    await signed(emu, 'PUT', 'public.txt', { body: 'x', headers: { 'x-cos-acl': 'public-read' } });
    const anonymous = () => fetch(`${emu.info.cos.http}/public.txt`, { headers: { host: VHOST, referer: 'https://evil.example/' } });
    expect((await anonymous()).status).toBe(403);
    const cleared = await putConfig(emu, 'referer', '');
    expect(cleared.status, cleared.text).toBe(200);
    const got = await signed(emu, 'GET', '', { query: { referer: '' } });
    expect(got.status).toBe(200);
    // Nothing between the tags, not even a newline: the Python SDK reads that as the configuration None.
    expect(got.text).toMatch(/<RefererConfiguration><\/RefererConfiguration>/);
    expect((await anonymous()).status).toBe(200);
  });

  it('inventory takes IsEnabled as True, as the Python suite puts it', async () => {
    const config =
      '<InventoryConfiguration><Id>test</Id><IsEnabled>True</IsEnabled>' +
      `<Destination><COSBucketDestination><Format>CSV</Format><Bucket>qcs::cos:${REGION}::${BUCKET}</Bucket></COSBucketDestination></Destination>` +
      '<Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>';
    const put = await putConfig(emu, 'inventory', config, { id: 'test' });
    expect(put.status, put.text).toBe(200);
    expect(code((await putConfig(emu, 'inventory', config.replace('True', 'Yes'), { id: 'test' })).text)).toBe('InvalidArgument');
  });

  it('inventory takes the destination encryption as <SSECOS>, as the Python SDK sends it', async () => {
    const config = (encryption: string) =>
      '<InventoryConfiguration><Id>test</Id><IsEnabled>true</IsEnabled>' +
      `<Destination><COSBucketDestination><Format>CSV</Format><Bucket>qcs::cos:${REGION}::${BUCKET}</Bucket>` +
      `<Encryption>${encryption}</Encryption></COSBucketDestination></Destination>` +
      '<Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>';
    for (const encryption of ['<SSECOS></SSECOS>', '<SSE-COS></SSE-COS>']) {
      const put = await putConfig(emu, 'inventory', config(encryption), { id: 'test' });
      expect(put.status, put.text).toBe(200);
    }
    expect(code((await putConfig(emu, 'inventory', config('<SSE-KMS></SSE-KMS>'), { id: 'test' })).text)).toBe('MalformedXML');
  });

  it('inventory configurations list in the order they were first put, 100 a page (list_bucket_inventory_configurations)', async () => {
    const config = (id: string) =>
      `<InventoryConfiguration><Id>${id}</Id><IsEnabled>true</IsEnabled>` +
      `<Destination><COSBucketDestination><Format>CSV</Format><Bucket>qcs::cos:${REGION}::${BUCKET}</Bucket></COSBucketDestination></Destination>` +
      '<Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>';
    const ids = Array.from({ length: 150 }, (_, i) => `ID-${i}`);
    for (const id of ids) expect((await putConfig(emu, 'inventory', config(id), { id })).status).toBe(200);
    // Replacing one keeps its place.
    expect((await putConfig(emu, 'inventory', config('ID-3'), { id: 'ID-3' })).status).toBe(200);
    const listed: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 3; page++) {
      const res = await signed(emu, 'GET', '', { query: { inventory: '', ...(token ? { 'continuation-token': token } : {}) } });
      listed.push(...[...res.text.matchAll(/<InventoryConfiguration>\s*<Id>([^<]+)<\/Id>/g)].map((m) => m[1]!));
      token = xmlField(res.text, 'NextContinuationToken');
      if (xmlField(res.text, 'IsTruncated') === 'false') break;
    }
    expect(listed.filter((id) => id !== 'test')).toEqual(ids);
    for (const id of [...ids, 'test']) await signed(emu, 'DELETE', '', { query: { inventory: '', id } });
  });

  it('GET ?encryption answers the rule as ApplyServerSideEncryptionByDefault, whichever name it was put under', async () => {
    for (const name of ['ApplySideEncryptionConfiguration', 'ApplyServerSideEncryptionByDefault']) {
      const body = `<ServerSideEncryptionConfiguration><Rule><${name}><SSEAlgorithm>AES256</SSEAlgorithm></${name}></Rule></ServerSideEncryptionConfiguration>`;
      expect((await putConfig(emu, 'encryption', body)).status).toBe(200);
      const got = await signed(emu, 'GET', '', { query: { encryption: '' } });
      expect(got.text).toContain('<ApplyServerSideEncryptionByDefault>');
      expect(got.text).not.toContain('ApplySideEncryptionConfiguration');
      expect(xmlField(got.text, 'SSEAlgorithm')).toBe('AES256');
    }
  });

  it('GET ?website answers each redirect with URLRedirect Enabled when it was put without one', async () => {
    const body =
      '<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules>' +
      '<RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><ReplaceKeyWith>404.html</ReplaceKeyWith></Redirect></RoutingRule>' +
      '<RoutingRule><Condition><KeyPrefixEquals>aaa/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>ccc/</ReplaceKeyPrefixWith><URLRedirect>Disabled</URLRedirect></Redirect></RoutingRule>' +
      '</RoutingRules></WebsiteConfiguration>';
    expect((await putConfig(emu, 'website', body)).status).toBe(200);
    const got = (await signed(emu, 'GET', '', { query: { website: '' } })).text;
    expect([...got.matchAll(/<URLRedirect>(\w+)<\/URLRedirect>/g)].map((m) => m[1])).toEqual(['Enabled', 'Disabled']);
    expect(got).not.toContain('<Protocol>');
  });

  it('re-creating your own bucket is 409 BucketAlreadyOwnedByYou', async () => {
    const again = await signed(emu, 'PUT', '');
    expect(again.status).toBe(409);
    expect(code(again.text)).toBe('BucketAlreadyOwnedByYou');
  });

  it('GET ?location answers the bucket region as <LocationConstraint>', async () => {
    const got = await signed(emu, 'GET', '', { query: { location: '' } });
    expect(got.status).toBe(200);
    expect(got.text).toMatch(new RegExp(`<LocationConstraint>${REGION}</LocationConstraint>`));
    expect(got.text).not.toContain('<ListBucketResult');
  });

  describe('GET Service filters', () => {
    const service = 'service.cos.myqcloud.com';
    const names = async (query: Record<string, string>, host = service) => {
      const res = await signed(emu, 'GET', '', { host, query });
      expect(res.status, res.text).toBe(200);
      return [...res.text.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1]);
    };
    beforeAll(async () => {
      const tags = '<Tagging><TagSet><Tag><Key>tagKey</Key><Value>tagValue</Value></Tag></TagSet></Tagging>';
      const host = `tagged-1250000000.cos.${REGION}.myqcloud.com`;
      await signed(emu, 'PUT', '', { host, query: { tagging: '' }, headers: xml(tags), body: tags });
    });

    it('by tag (tagkey and tagvalue), as list_buckets(TagKey=…, TagValue=…) sends them', async () => {
      expect(await names({ tagkey: 'tagKey', tagvalue: 'tagValue' })).toEqual(['tagged-1250000000']);
      expect(await names({ tagkey: 'tagKey', tagvalue: 'other' })).toEqual([]);
    });

    it('by region, as a parameter or through cos.<region>.myqcloud.com', async () => {
      expect(await names({ region: REGION })).toHaveLength(3);
      expect(await names({ region: 'ap-beijing' })).toEqual([]);
      expect(await names({}, 'cos.ap-beijing.myqcloud.com')).toEqual([]);
    });

    it('by creation time, and a page at a time after marker with IsTruncated and whole-second dates', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(await names({ 'create-time': String(now - 3600), range: 'gt' })).toHaveLength(3);
      expect(await names({ 'create-time': String(now - 3600), range: 'lt' })).toEqual([]);
      expect(code((await signed(emu, 'GET', '', { host: service, query: { 'create-time': '1', range: 'about' } })).text)).toBe(
        'InvalidArgument',
      );
      const first = await signed(emu, 'GET', '', { host: service, query: { marker: '', 'max-keys': '2' } });
      expect(xmlField(first.text, 'IsTruncated')).toBe('true');
      expect(xmlField(first.text, 'CreationDate')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const next = xmlField(first.text, 'NextMarker')!;
      expect(await names({ marker: next, 'max-keys': '2' })).toEqual(['tagged-1250000000']);
    });
  });
});
