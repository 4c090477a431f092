import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  GetObjectAclCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { formatRequestLine } from '../src/diagnostics/format.js';
import { amzHeaderKind, readDialect } from '../src/http/s3-dialect.js';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, postSignedForm, raw, REGION, signed, temporaryKey, xmlField } from './helpers.js';
import { s3ClientOf } from './s3-client.js';

let emu: RunningEmulator;
let s3: S3Client;
const clientOf = s3ClientOf;
beforeAll(async () => {
  emu = await emulator();
  s3 = clientOf(emu);
});
afterAll(() => emu?.close());

async function refusal(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  throw new Error('the request was accepted');
}

/** The request log's entry for the latest request on `key` (the log is written once the answer is out). */
const loggedFor = (key: string) =>
  vi.waitFor(() => {
    const entry = emu.requests
      .list()
      .filter((e) => e.key === key)
      .at(-1);
    if (!entry) throw new Error(`no request on ${key} logged yet`);
    return entry;
  });

/** A temporary key allowed `actions` on everything under `prefix`, nothing else. */
const scopedKey = async (prefix: string, actions: string[]) => {
  const key = await temporaryKey(emu, {
    version: '2.0',
    statement: [{ effect: 'allow', action: actions, resource: [`qcs::cos:${REGION}:uid/${emu.info.appId}:${BUCKET}/${prefix}*`] }],
  });
  return { secretId: key.tmpSecretId, secretKey: key.tmpSecretKey, securityToken: key.sessionToken };
};

const put = (key: string, headers: Record<string, string>) => signed(emu, 'PUT', key, { headers, body: 'body' });

// The x-amz-* request headers of S3's object and bucket APIs, with a value S3 takes.
const KNOWN: Record<string, string> = {
  'x-amz-acl': 'public-read',
  'x-amz-grant-read': 'id="qcs::cam::uin/100:uin/100"',
  'x-amz-grant-read-acp': 'id="qcs::cam::uin/100:uin/100"',
  'x-amz-grant-write-acp': 'id="qcs::cam::uin/100:uin/100"',
  'x-amz-grant-full-control': 'id="qcs::cam::uin/100:uin/100"',
  'x-amz-grant-write': 'id="qcs::cam::uin/100:uin/100"',
  'x-amz-storage-class': 'STANDARD_IA',
  'x-amz-server-side-encryption': 'AES256',
  'x-amz-tagging': 'team=blue',
  'x-amz-meta-colour': 'blue',
  'x-amz-website-redirect-location': '/elsewhere',
  'x-amz-mfa': 'serial 123456',
  'x-amz-checksum-crc32': 'AAAAAA==',
  'x-amz-checksum-crc32c': 'AAAAAA==',
  'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=',
  'x-amz-checksum-sha1': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  'x-amz-checksum-sha256': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  'x-amz-checksum-type': 'FULL_OBJECT',
  'x-amz-sdk-checksum-algorithm': 'CRC32',
  'x-amz-checksum-mode': 'ENABLED',
  'x-amz-trailer': 'x-amz-checksum-crc32',
  'x-amz-user-agent': 'aws-sdk-js/2.0',
  'x-amz-expected-bucket-owner': '1250000000',
  'x-amz-request-payer': 'requester',
  'x-amz-object-lock-mode': 'GOVERNANCE',
  'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z',
  'x-amz-object-lock-legal-hold': 'ON',
  'x-amz-server-side-encryption-bucket-key-enabled': 'true',
  'x-amz-write-offset-bytes': '0',
  'x-amz-if-match': '"x"',
  'x-amz-some-future-header': 'x',
};

describe('every x-amz-* header is mapped, accepted with a note, or refused naming it', () => {
  it('the classification leaves none unaccounted for', () => {
    for (const name of Object.keys(KNOWN)) {
      const reading = readDialect({ [name]: KNOWN[name]! }, '/');
      const kind = amzHeaderKind(name);
      const accounted =
        (kind.kind === 'mapped' && reading.headers[kind.to] !== undefined) ||
        (kind.kind === 'unverified' && reading.notes.some((n) => n.startsWith(name))) ||
        (kind.kind === 'refused' && reading.refused.some((r) => r.name === name));
      expect(accounted, name).toBe(true);
      expect(reading.headers[name], `${name} is not passed on under its S3 name`).toBeUndefined();
    }
  });

  it.each(Object.entries(KNOWN))('PUT Object with %s', async (name, value) => {
    const key = `table/${name}.txt`;
    const res = await put(key, { [name]: value });
    const kind = amzHeaderKind(name);
    const refusedAs = kind.kind === 'mapped' ? ['x-amz-grant-write', 'x-amz-mfa'] : [];
    if (kind.kind === 'refused' || refusedAs.includes(name)) {
      expect(res.status, res.text).toBe(501);
      expect(xmlField(res.text, 'Code')).toBe('NotImplemented');
      expect(xmlField(res.text, 'Reason')).toContain(`&quot;${name}&quot;`);
      return;
    }
    expect(res.status, res.text).toBe(200);
    if (kind.kind === 'unverified') expect((await loggedFor(key)).notes?.join('\n')).toContain(name);
  });

  it('keeps a website redirect and answers it on HEAD, under both names for an S3 client', async () => {
    expect((await put('site/old.html', { 'x-amz-website-redirect-location': '/new.html' })).status).toBe(200);
    const head = await signed(emu, 'HEAD', 'site/old.html', { headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    expect(head.headers['x-cos-website-redirect-location']).toBe('/new.html');
    expect(head.headers['x-amz-website-redirect-location']).toBe('/new.html');
  });

  it('an S3 header goes through authorization first: a scoped key outside its prefix is AccessDenied, not 501', async () => {
    const credentials = await scopedKey('scoped/', ['name/cos:PutObject']);
    const outside = await signed(emu, 'PUT', 'elsewhere/x.txt', { headers: { 'x-amz-some-future-header': 'x' }, body: 'x', credentials });
    expect(outside.status).toBe(403);
    expect(xmlField(outside.text, 'Code')).toBe('AccessDenied');
    const inside = await signed(emu, 'PUT', 'scoped/x.txt', { headers: { 'x-amz-some-future-header': 'x' }, body: 'x', credentials });
    expect(inside.status).toBe(501);
  });

  it('a presigned URL carrying the default checksum parameters is accepted, and the log line says COS did not verify them', async () => {
    const defaults = clientOf(emu, { requestChecksumCalculation: 'WHEN_SUPPORTED' });
    const url = new URL(
      await getSignedUrl(defaults, new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned-crc.txt', ChecksumAlgorithm: 'CRC32' })),
    );
    expect([...url.searchParams.keys()].some((k) => k.toLowerCase() === 'x-amz-sdk-checksum-algorithm')).toBe(true);
    const res = await raw(emu.info.cos.http, {
      method: 'PUT',
      path: url.pathname + url.search,
      headers: { host: url.host, 'content-length': 1 },
      body: 'x',
    });
    expect(res.status, res.text).toBe(200);
    const line = formatRequestLine(await loggedFor('presigned-crc.txt'));
    expect(line).toContain('note: x-amz-sdk-checksum-algorithm: COS did not verify the checksum');
    expect(line).toContain("(a presigned URL's parameter)");
  });

  it("a POST Object form field of S3's is refused naming it, not ignored", async () => {
    const res = await postSignedForm(emu, 'form.txt', 'x', { 'x-amz-meta-colour': 'blue' });
    expect(res.status).toBe(501);
    expect(xmlField(res.text, 'Reason')).toContain('x-amz-meta-colour');
  });

  it("COS's own name decides when both are sent, and the log says the S3 one was not used", async () => {
    expect((await put('both.txt', { 'x-cos-meta-a': 'cos', 'x-amz-meta-a': 'amz' })).status).toBe(200);
    expect((await loggedFor('both.txt')).notes?.join('\n')).toContain('x-amz-meta-a ignored');
    expect((await signed(emu, 'HEAD', 'both.txt')).headers['x-cos-meta-a']).toBe('cos');
  });
});

describe('the S3 dialect mapped onto COS behaviour', () => {
  it('x-amz-meta-* is the object metadata, answered under both prefixes to an S3 client', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta.txt', Body: 'm', Metadata: { colour: 'blue' } }));
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta.txt' }))).Metadata).toEqual({ colour: 'blue' });
    const cos = await signed(emu, 'HEAD', 'meta.txt');
    expect(cos.headers['x-cos-meta-colour']).toBe('blue');
    // A COS client is answered in COS's names only.
    expect(cos.headers['x-amz-meta-colour']).toBeUndefined();
  });

  it('storage class, ACL, encryption and tags', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'attrs.txt',
        Body: 'a',
        StorageClass: 'STANDARD_IA',
        ACL: 'public-read',
        ServerSideEncryption: 'AES256',
        Tagging: 'team=blue',
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'attrs.txt' }));
    expect(head.StorageClass).toBe('STANDARD_IA');
    expect(head.ServerSideEncryption).toBe('AES256');
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'attrs.txt' }));
    expect(acl.Grants?.some((g) => g.Permission === 'READ' && g.Grantee?.URI?.endsWith('/AllUsers'))).toBe(true);
    expect(acl.Grants?.every((g) => g.Grantee?.Type === 'CanonicalUser' || g.Grantee?.Type === 'Group')).toBe(true);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'attrs.txt' }));
    expect(tags.TagSet).toEqual([{ Key: 'team', Value: 'blue' }]);
  });

  it('CopyObject with the directives and copy-source conditions', async () => {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/src.txt', Body: 'source', Metadata: { a: '1' }, Tagging: 't=1' }),
    );
    const copied = await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/kept.txt', CopySource: `${BUCKET}/copy/src.txt` }));
    expect(copied.CopyObjectResult?.ETag).toBe(put.ETag);
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/kept.txt' }))).Metadata).toEqual({ a: '1' });
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'copy/replaced.txt',
        CopySource: `${BUCKET}/copy/src.txt`,
        MetadataDirective: 'REPLACE',
        Metadata: { b: '2' },
        TaggingDirective: 'REPLACE',
        Tagging: 't=2',
        CopySourceIfMatch: put.ETag,
      }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy/replaced.txt' }))).Metadata).toEqual({ b: '2' });
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'copy/replaced.txt' }));
    expect(tags.TagSet).toEqual([{ Key: 't', Value: '2' }]);
    for (const condition of [
      { CopySourceIfMatch: '"0000"' },
      { CopySourceIfNoneMatch: put.ETag },
      { CopySourceIfModifiedSince: new Date(Date.now() + 3600_000) },
      { CopySourceIfUnmodifiedSince: new Date(Date.now() - 3600_000) },
    ]) {
      const e = await refusal(
        s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/never.txt', CopySource: `${BUCKET}/copy/src.txt`, ...condition })),
      );
      expect(e.$metadata.httpStatusCode, JSON.stringify(condition)).toBe(412);
    }
  });

  it('versioning: the version id is answered as x-amz-version-id', async () => {
    const emu2 = await emulator();
    try {
      const client = clientOf(emu2);
      await client.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
      const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'v.txt', Body: 'v' }));
      expect(put.VersionId).toMatch(/.+/);
      expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'v.txt' }))).VersionId).toBe(put.VersionId);
    } finally {
      await emu2.close();
    }
  });
});

describe('ListObjectsV2', () => {
  beforeAll(async () => {
    for (const key of ['v2/a.txt', 'v2/b/1.txt', 'v2/b/2.txt', 'v2/c.txt', 'v2/d e.txt']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    }
  });

  it('pages with opaque continuation tokens, a common prefix counted once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'v2/', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }),
      );
      expect(page.KeyCount).toBe((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
      expect(page.ContinuationToken).toBe(token);
      seen.push(...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      if (!page.IsTruncated) break;
      token = page.NextContinuationToken;
      expect(token).not.toContain('v2/');
    }
    expect(seen.sort()).toEqual(['v2/a.txt', 'v2/b/', 'v2/c.txt', 'v2/d e.txt']);
  });

  it('StartAfter, fetch-owner and encoding-type', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'v2/', StartAfter: 'v2/b/2.txt', FetchOwner: true }));
    expect(page.Contents?.map((c) => c.Key)).toEqual(['v2/c.txt', 'v2/d e.txt']);
    expect(page.StartAfter).toBe('v2/b/2.txt');
    expect(page.Contents?.[0]?.Owner?.ID).toBe(emu.info.appId);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'v2/' }))).Contents?.[0]?.Owner).toBeUndefined();
    const encoded = await signed(emu, 'GET', '', { query: { 'list-type': '2', prefix: 'v2/d', 'encoding-type': 'url' } });
    expect(xmlField(encoded.text, 'Key')).toBe('v2/d%20e.txt');
    expect(xmlField(encoded.text, 'EncodingType')).toBe('url');
  });

  it('a token it did not answer, and a list-type other than 2, are InvalidArgument', async () => {
    const bad = await signed(emu, 'GET', '', { query: { 'list-type': '2', 'continuation-token': '%%%' } });
    expect(xmlField(bad.text, 'Code')).toBe('InvalidArgument');
    const v3 = await signed(emu, 'GET', '', { query: { 'list-type': '3' } });
    expect(xmlField(v3.text, 'Code')).toBe('InvalidArgument');
  });

  it('is authorized as GET Bucket on <bucket>/<prefix>', async () => {
    const credentials = await scopedKey('v2/', ['name/cos:GetBucket']);
    expect((await signed(emu, 'GET', '', { query: { 'list-type': '2', prefix: 'v2/' }, credentials })).status).toBe(200);
    expect((await signed(emu, 'GET', '', { query: { 'list-type': '2', prefix: 'other/' }, credentials })).status).toBe(403);
  });
});

describe('XML request bodies', () => {
  it('CompleteMultipartUpload takes numeric character references (Go writes ETag quotes as &#34;)', async () => {
    const init = await signed(emu, 'POST', 'xml/charref.bin', { query: { uploads: '' } });
    const uploadId = xmlField(init.text, 'UploadId')!;
    const part = await signed(emu, 'PUT', 'xml/charref.bin', { query: { partNumber: '1', uploadId }, body: 'only part' });
    const etag = createHash('md5').update('only part').digest('hex');
    expect(part.headers.etag).toBe(`"${etag}"`);
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;${etag}&#x22;</ETag></Part></CompleteMultipartUpload>`;
    const done = await signed(emu, 'POST', 'xml/charref.bin', { query: { uploadId }, body });
    expect(done.status, done.text).toBe(200);
    const got = await raw(emu.info.cos.http, { path: '/xml/charref.bin', headers: { host: `${BUCKET}.cos.${REGION}.myqcloud.com` } });
    expect(got.status).toBe(403);
  });
});
