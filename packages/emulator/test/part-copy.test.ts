import { createHash, randomBytes } from 'node:crypto';
import { createObjectPolicy } from '@cos-direct/signer';
import { crc64ecma } from '@cos-direct/signer/crc64';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, REGION, sdk, signed, temporaryKey, VHOST, xmlField } from './helpers.js';

const OTHER = 'other-1250000000';
const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const code = (text: string) => xmlField(text, 'Code');
const etagOf = (text: string) => xmlField(text, 'ETag')?.replace(/&quot;/g, '"');

describe('Upload Part - Copy', () => {
  let emu: RunningEmulator;
  const clock = Math.floor(Date.now() / 1000);
  const source = randomBytes(2 * MiB + 300 * 1024);
  beforeAll(async () => {
    emu = await emulator({ buckets: ['dev', 'other'], now: () => clock });
    await call(sdk(emu), 'putObject', {
      Key: 'src/big.bin',
      Body: source,
      ContentType: 'video/mp4',
      Headers: { 'x-cos-meta-origin': 'camera', 'Cache-Control': 'max-age=60' },
    });
  });
  afterAll(() => emu.close());

  const initiate = async (key: string, host = VHOST) => {
    const init = await signed(emu, 'POST', key, { query: { uploads: '' }, host });
    return xmlField(init.text, 'UploadId')!;
  };
  const copyPart = (key: string, uploadId: string, partNumber: number, headers: Record<string, string>) =>
    signed(emu, 'PUT', key, {
      query: { partNumber: String(partNumber), uploadId },
      headers: { 'x-cos-copy-source': `${VHOST}/src/big.bin`, ...headers },
    });

  for (const [label, bucket] of [
    ['within the bucket', BUCKET],
    ['to another bucket', OTHER],
  ] as const) {
    it(`lets the official SDK's sliceCopyFile copy in parts ${label}`, async () => {
      const cos = sdk(emu);
      const copied = await call(cos, 'sliceCopyFile', {
        Bucket: bucket,
        Key: 'dst/copy.bin',
        CopySource: `${VHOST}/src/big.bin`,
        CopySliceSize: MiB,
        CopyChunkSize: MiB,
      });
      expect(copied.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
      const got = await call(cos, 'getObject', { Bucket: bucket, Key: 'dst/copy.bin' });
      expect(md5(got.Body)).toBe(md5(source));
      expect(got.headers['x-cos-hash-crc64ecma']).toBe(crc64ecma(source));
      // sliceCopyFile carries the source's headers and metadata over through Initiate.
      expect(got.headers['content-type']).toBe('video/mp4');
      expect(got.headers['cache-control']).toBe('max-age=60');
      expect(got.headers['x-cos-meta-origin']).toBe('camera');
    });
  }

  it("answers the SDK's uploadPartCopy with CopyPartResult: the ETag and CRC-64 of the copied range", async () => {
    const uploadId = await initiate('dst/range.bin');
    const part = await call(sdk(emu), 'uploadPartCopy', {
      Key: 'dst/range.bin',
      CopySource: `${VHOST}/src/big.bin`,
      UploadId: uploadId,
      PartNumber: 1,
      CopySourceRange: 'bytes=10-1048585',
    });
    const range = source.subarray(10, 1048586);
    expect(part.ETag).toBe(`"${md5(range)}"`);
    expect(part.headers['x-cos-hash-crc64ecma']).toBe(crc64ecma(range));
    expect(new Date(part.LastModified).getTime()).toBe(clock * 1000);
    const list = await call(sdk(emu), 'multipartListPart', { Key: 'dst/range.bin', UploadId: uploadId });
    expect(list.Part).toMatchObject([{ PartNumber: '1', Size: String(range.length), ETag: `"${md5(range)}"` }]);
  });

  it('copies the whole source without x-cos-copy-source-range, and refuses a short part that is not the last on Complete', async () => {
    const uploadId = await initiate('dst/small.bin');
    const whole = await copyPart('dst/small.bin', uploadId, 2, {});
    expect(whole.status).toBe(200);
    expect(etagOf(whole.text)).toBe(`"${md5(source)}"`);
    const short = await copyPart('dst/small.bin', uploadId, 1, { 'x-cos-copy-source-range': 'bytes=0-99' });
    const complete = await signed(emu, 'POST', 'dst/small.bin', {
      query: { uploadId },
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etagOf(short.text)}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>${etagOf(whole.text)}</ETag></Part></CompleteMultipartUpload>`,
    });
    expect(complete.status).toBe(400);
    expect(code(complete.text)).toBe('EntityTooSmall');
  });

  it('refuses a malformed x-cos-copy-source-range with InvalidArgument and one beyond the source with InvalidRange', async () => {
    const uploadId = await initiate('dst/bad-range.bin');
    for (const value of ['bytes=5-2', 'bytes=0-', 'bytes=-100', 'items=0-1', 'bytes=0-1,4-5']) {
      const res = await copyPart('dst/bad-range.bin', uploadId, 1, { 'x-cos-copy-source-range': value });
      expect([value, res.status, code(res.text)]).toEqual([value, 400, 'InvalidArgument']);
    }
    const beyond = await copyPart('dst/bad-range.bin', uploadId, 1, { 'x-cos-copy-source-range': `bytes=0-${source.length}` });
    expect(beyond.status).toBe(416);
    expect(code(beyond.text)).toBe('InvalidRange');
    const list = await signed(emu, 'GET', 'dst/bad-range.bin', { query: { uploadId } });
    expect(list.text).not.toContain('<Part>');
  });

  it('checks the x-cos-copy-source-If-* conditions on the source', async () => {
    const uploadId = await initiate('dst/cond.bin');
    const etag = `"${md5(source)}"`;
    const modified = new Date(clock * 1000);
    const before = new Date((clock - 60) * 1000).toUTCString();
    const after = new Date((clock + 60) * 1000).toUTCString();
    const cases: Array<[Record<string, string>, number]> = [
      [{ 'x-cos-copy-source-If-Match': etag }, 200],
      [{ 'x-cos-copy-source-If-Match': '"0123"' }, 412],
      [{ 'x-cos-copy-source-If-None-Match': etag }, 412],
      [{ 'x-cos-copy-source-If-None-Match': '"0123"' }, 200],
      [{ 'x-cos-copy-source-If-Modified-Since': before }, 200],
      [{ 'x-cos-copy-source-If-Modified-Since': after }, 412],
      [{ 'x-cos-copy-source-If-Unmodified-Since': after }, 200],
      [{ 'x-cos-copy-source-If-Unmodified-Since': before }, 412],
      // A holding If-Match overrides a failing If-Unmodified-Since.
      [{ 'x-cos-copy-source-If-Match': etag, 'x-cos-copy-source-If-Unmodified-Since': before }, 200],
      [{ 'x-cos-copy-source-If-Modified-Since': modified.toUTCString() }, 412],
    ];
    for (const [headers, status] of cases) {
      const res = await copyPart('dst/cond.bin', uploadId, 1, { ...headers, 'x-cos-copy-source-range': 'bytes=0-9' });
      expect([headers, res.status]).toEqual([headers, status]);
      if (status === 412) expect(code(res.text)).toBe('PreconditionFailed');
    }
  });

  it('answers NoSuchKey for a missing source and NoSuchUpload for an unknown upload', async () => {
    const uploadId = await initiate('dst/missing.bin');
    const noKey = await signed(emu, 'PUT', 'dst/missing.bin', {
      query: { partNumber: '1', uploadId },
      headers: { 'x-cos-copy-source': `${VHOST}/src/none.bin` },
    });
    expect([noKey.status, code(noKey.text)]).toEqual([404, 'NoSuchKey']);
    const noUpload = await copyPart('dst/missing.bin', '1700000000deadbeef', 1, {});
    expect([noUpload.status, code(noUpload.text)]).toEqual([404, 'NoSuchUpload']);
  });

  it('is authorized as UploadPartCopy on the destination and GetObject on the source', async () => {
    const uploadId = await initiate('dst/auth.bin');
    const as = async (actions: string[], sourcePrefix = 'src/') => {
      const key = await temporaryKey(emu, {
        version: '2.0',
        statement: [
          ...createObjectPolicy({ region: REGION, bucket: BUCKET, prefix: 'dst/', actions }).statement,
          ...createObjectPolicy({ region: REGION, bucket: BUCKET, prefix: sourcePrefix, actions: ['GetObject'] }).statement,
        ],
      });
      return signed(emu, 'PUT', 'dst/auth.bin', {
        query: { partNumber: '1', uploadId },
        headers: { 'x-cos-copy-source': `${VHOST}/src/big.bin`, 'x-cos-copy-source-range': 'bytes=0-9' },
        credentials: { secretId: key.tmpSecretId, secretKey: key.tmpSecretKey, securityToken: key.sessionToken },
      });
    };
    const uploadPartOnly = await as(['UploadPart', 'PutObject']);
    expect(uploadPartOnly.status).toBe(403);
    expect(xmlField(uploadPartOnly.text, 'Reason')).toContain('UploadPartCopy');
    const noRead = await as(['UploadPartCopy'], 'elsewhere/');
    expect(noRead.status).toBe(403);
    expect(xmlField(noRead.text, 'Reason')).toContain('GetObject');
    expect((await as(['UploadPartCopy'])).status).toBe(200);
  });
});

describe('Upload Part - Copy with versioning', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  it('copies a part from the version x-cos-copy-source names and answers x-cos-copy-source-version-id', async () => {
    const cos = sdk(emu);
    await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
    const v1 = (await call(cos, 'putObject', { Key: 'v/src', Body: 'first version' })).headers['x-cos-version-id'];
    await call(cos, 'putObject', { Key: 'v/src', Body: 'second version' });
    const init = await call(cos, 'multipartInit', { Key: 'v/dst' });
    const part = await call(cos, 'uploadPartCopy', {
      Key: 'v/dst',
      UploadId: init.UploadId,
      PartNumber: 1,
      CopySource: `${VHOST}/v/src?versionId=${encodeURIComponent(v1)}`,
      CopySourceRange: 'bytes=0-4',
    });
    expect(part.headers['x-cos-copy-source-version-id']).toBe(v1);
    expect(part.ETag).toBe(`"${md5(Buffer.from('first'))}"`);
    await call(cos, 'multipartComplete', { Key: 'v/dst', UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
    expect((await call(cos, 'getObject', { Key: 'v/dst' })).Body.toString()).toBe('first');
    const unknown = await signed(emu, 'PUT', 'v/dst', {
      query: { partNumber: '1', uploadId: (await call(cos, 'multipartInit', { Key: 'v/dst' })).UploadId },
      headers: { 'x-cos-copy-source': `${VHOST}/v/src?versionId=nonsense` },
    });
    expect([unknown.status, code(unknown.text)]).toEqual([400, 'InvalidArgument']);
  });
});
