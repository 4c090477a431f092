import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostPolicy, signPostPolicy } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, raw, sdk, signed, VHOST, xmlField } from './helpers.js';

const customerKey = (key = randomBytes(32)) => ({
  SSECustomerAlgorithm: 'AES256',
  SSECustomerKey: key.toString('base64'),
  SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
});
const asHeaders = (k: ReturnType<typeof customerKey>, prefix = 'x-cos-') => ({
  [`${prefix}server-side-encryption-customer-algorithm`]: k.SSECustomerAlgorithm,
  [`${prefix}server-side-encryption-customer-key`]: k.SSECustomerKey,
  [`${prefix}server-side-encryption-customer-key-MD5`]: k.SSECustomerKeyMD5,
});

describe('server-side encryption headers', () => {
  let emu: RunningEmulator;
  let cos: ReturnType<typeof sdk>;
  beforeAll(async () => {
    emu = await emulator();
    cos = sdk(emu);
  });
  afterAll(() => emu.close());

  it('SSE-COS (AES256): stored and echoed on PUT, HEAD and GET', async () => {
    const put = await call(cos, 'putObject', { Key: 'sse/cos.txt', Body: 'secret', ServerSideEncryption: 'AES256' });
    expect(put.headers['x-cos-server-side-encryption']).toBe('AES256');
    const head = await call(cos, 'headObject', { Key: 'sse/cos.txt' });
    expect(head.headers['x-cos-server-side-encryption']).toBe('AES256');
    const get = await call(cos, 'getObject', { Key: 'sse/cos.txt' });
    expect(get.headers['x-cos-server-side-encryption']).toBe('AES256');
    expect(get.Body.toString()).toBe('secret');
    // Without encryption, no such header.
    await call(cos, 'putObject', { Key: 'sse/plain.txt', Body: 'x' });
    expect((await call(cos, 'headObject', { Key: 'sse/plain.txt' })).headers['x-cos-server-side-encryption']).toBeUndefined();
  });

  it('SSE-KMS (cos/kms): the key id as sent, or the default CMK; a context must be base64 JSON', async () => {
    const context = Buffer.from(JSON.stringify({ project: 'demo' })).toString('base64');
    const put = await call(cos, 'putObject', {
      Key: 'sse/kms.txt',
      Body: 'k',
      ServerSideEncryption: 'cos/kms',
      SSEKMSKeyId: 'my-cmk-id',
      SSEContext: context,
    });
    expect(put.headers['x-cos-server-side-encryption']).toBe('cos/kms');
    expect(put.headers['x-cos-server-side-encryption-cos-kms-key-id']).toBe('my-cmk-id');
    const head = await call(cos, 'headObject', { Key: 'sse/kms.txt' });
    expect(head.headers['x-cos-server-side-encryption-cos-kms-key-id']).toBe('my-cmk-id');
    await call(cos, 'putObject', { Key: 'sse/kms-default.txt', Body: 'k', ServerSideEncryption: 'cos/kms' });
    const dflt = await call(cos, 'headObject', { Key: 'sse/kms-default.txt' });
    expect(dflt.headers['x-cos-server-side-encryption-cos-kms-key-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    await expect(
      call(cos, 'putObject', { Key: 'sse/kms-bad.txt', Body: 'k', ServerSideEncryption: 'cos/kms', SSEContext: 'not json' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidArgument' });
    await expect(call(cos, 'putObject', { Key: 'sse/kms-bad.txt', Body: 'k', SSEKMSKeyId: 'id' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidArgument',
    });
  });

  it('refuses an algorithm COS does not offer', async () => {
    for (const value of ['AES128', 'aes256', 'kms']) {
      const res = await signed(emu, 'PUT', 'sse/bad.txt', { headers: { 'x-cos-server-side-encryption': value }, body: 'x' });
      expect(res.status, value).toBe(400);
      expect(xmlField(res.text, 'Code')).toBe('InvalidArgument');
      expect(xmlField(res.text, 'Reason')).toContain('x-cos-server-side-encryption');
    }
  });

  it('SSE-C: validates the key, echoes its MD5, and needs the same key to HEAD and GET', async () => {
    const key = customerKey();
    const put = await call(cos, 'putObject', { Key: 'sse/c.bin', Body: 'customer', ...key });
    expect(put.headers['x-cos-server-side-encryption-customer-algorithm']).toBe('AES256');
    expect(put.headers['x-cos-server-side-encryption-customer-key-md5']).toBe(key.SSECustomerKeyMD5);

    await expect(call(cos, 'headObject', { Key: 'sse/c.bin' })).rejects.toMatchObject({ statusCode: 400 });
    const noKey = await signed(emu, 'GET', 'sse/c.bin');
    expect(noKey.status).toBe(400);
    expect(xmlField(noKey.text, 'Code')).toBe('InvalidRequest');
    const wrong = await signed(emu, 'GET', 'sse/c.bin', { headers: asHeaders(customerKey()) });
    expect(wrong.status).toBe(403);
    expect(xmlField(wrong.text, 'Code')).toBe('AccessDenied');

    const head = await call(cos, 'headObject', { Key: 'sse/c.bin', ...key });
    expect(head.headers['x-cos-server-side-encryption-customer-key-md5']).toBe(key.SSECustomerKeyMD5);
    const get = await call(cos, 'getObject', { Key: 'sse/c.bin', ...key });
    expect(get.Body.toString()).toBe('customer');

    // A customer key on an object stored without one does not apply.
    await call(cos, 'putObject', { Key: 'sse/c-plain.bin', Body: 'x' });
    const notApplicable = await signed(emu, 'GET', 'sse/c-plain.bin', { headers: asHeaders(key) });
    expect(notApplicable.status).toBe(400);
    expect(xmlField(notApplicable.text, 'Code')).toBe('InvalidRequest');
  });

  it('SSE-C: refuses a key that is not 32 bytes of base64, an MD5 that does not match, a missing header', async () => {
    const good = customerKey();
    const cases: Array<[string, Record<string, string>]> = [
      ['short key', asHeaders(customerKey(randomBytes(16)))],
      ['wrong MD5', { ...asHeaders(good), 'x-cos-server-side-encryption-customer-key-MD5': customerKey().SSECustomerKeyMD5 }],
      ['bad algorithm', { ...asHeaders(good), 'x-cos-server-side-encryption-customer-algorithm': 'AES128' }],
      [
        'no MD5',
        { 'x-cos-server-side-encryption-customer-algorithm': 'AES256', 'x-cos-server-side-encryption-customer-key': good.SSECustomerKey },
      ],
      ['with SSE-COS', { ...asHeaders(good), 'x-cos-server-side-encryption': 'AES256' }],
    ];
    for (const [name, headers] of cases) {
      const res = await signed(emu, 'PUT', 'sse/c-bad.bin', { headers, body: 'x' });
      expect(res.status, name).toBe(400);
      expect(xmlField(res.text, 'Code'), name).toBe('InvalidArgument');
    }
    expect((await signed(emu, 'HEAD', 'sse/c-bad.bin')).status).toBe(404);
  });

  it('multipart: Initiate records the encryption, Upload Part and Complete echo it, the object keeps it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cos-sse-'));
    const file = join(dir, 'big.bin');
    await writeFile(file, randomBytes(2 * 1024 * 1024 + 10));
    const done = await call(cos, 'sliceUploadFile', {
      Key: 'sse/multi.bin',
      FilePath: file,
      ChunkSize: 1024 * 1024,
      ServerSideEncryption: 'AES256',
    });
    expect(done.headers['x-cos-server-side-encryption']).toBe('AES256');
    expect((await call(cos, 'headObject', { Key: 'sse/multi.bin' })).headers['x-cos-server-side-encryption']).toBe('AES256');

    const key = customerKey();
    const init = await call(cos, 'multipartInit', { Key: 'sse/multi-c.bin', ...key });
    expect(init.headers['x-cos-server-side-encryption-customer-key-md5']).toBe(key.SSECustomerKeyMD5);
    const part = await call(cos, 'multipartUpload', { Key: 'sse/multi-c.bin', UploadId: init.UploadId, PartNumber: 1, Body: 'tail' });
    expect(part.headers['x-cos-server-side-encryption-customer-algorithm']).toBe('AES256');
    const complete = await call(cos, 'multipartComplete', {
      Key: 'sse/multi-c.bin',
      UploadId: init.UploadId,
      Parts: [{ PartNumber: 1, ETag: part.ETag }],
    });
    expect(complete.headers['x-cos-server-side-encryption-customer-key-md5']).toBe(key.SSECustomerKeyMD5);
    expect((await signed(emu, 'HEAD', 'sse/multi-c.bin')).status).toBe(400);
    expect((await call(cos, 'getObject', { Key: 'sse/multi-c.bin', ...key })).Body.toString()).toBe('tail');
  });

  it('copy: an SSE-C source needs its key as x-cos-copy-source-…; the copy takes the encryption its request asks for', async () => {
    const key = customerKey();
    await call(cos, 'putObject', { Key: 'sse/src.bin', Body: 'copied', ...key });
    const source = `${VHOST}/sse/src.bin`;
    await expect(call(cos, 'putObjectCopy', { Key: 'sse/dst.bin', CopySource: source })).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidRequest',
    });
    await expect(
      call(cos, 'putObjectCopy', { Key: 'sse/dst.bin', CopySource: source, Headers: asHeaders(customerKey(), 'x-cos-copy-source-') }),
    ).rejects.toMatchObject({ statusCode: 403, code: 'AccessDenied' });
    const copy = await call(cos, 'putObjectCopy', {
      Key: 'sse/dst.bin',
      CopySource: source,
      ServerSideEncryption: 'AES256',
      Headers: asHeaders(key, 'x-cos-copy-source-'),
    });
    expect(copy.headers['x-cos-server-side-encryption']).toBe('AES256');
    const head = await call(cos, 'headObject', { Key: 'sse/dst.bin' });
    expect(head.headers['x-cos-server-side-encryption']).toBe('AES256');
    expect((await call(cos, 'getObject', { Key: 'sse/dst.bin' })).Body.toString()).toBe('copied');
    // Copied without asking for encryption, the copy has none.
    await call(cos, 'putObjectCopy', { Key: 'sse/dst-plain.bin', CopySource: source, Headers: asHeaders(key, 'x-cos-copy-source-') });
    expect((await call(cos, 'headObject', { Key: 'sse/dst-plain.bin' })).headers['x-cos-server-side-encryption']).toBeUndefined();
  });

  it('POST Object: the x-cos-server-side-encryption form field', async () => {
    const now = Math.floor(Date.now() / 1000);
    const keyTime = `${now - 1};${now + 600}`;
    const credentials = emu.info.credentials;
    const policy = createPostPolicy({
      bucket: BUCKET,
      key: 'sse/form.txt',
      expiration: new Date((now + 600) * 1000),
      credentials,
      keyTime,
      extra: [['eq', '$x-cos-server-side-encryption', 'AES256']],
    });
    const form = new FormData();
    const fields = { key: 'sse/form.txt', 'x-cos-server-side-encryption': 'AES256', ...signPostPolicy(policy, { credentials, keyTime }) };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob(['form']), 'form.txt');
    const req = new Request('http://placeholder/', { method: 'POST', body: form });
    const body = Buffer.from(await req.arrayBuffer());
    const res = await raw(`${emu.info.cos.http}/`, {
      method: 'POST',
      headers: { host: VHOST, 'content-type': req.headers.get('content-type')!, 'content-length': body.length },
      body,
    });
    expect(res.status).toBe(204);
    expect(res.headers['x-cos-server-side-encryption']).toBe('AES256');
    expect((await call(cos, 'headObject', { Key: 'sse/form.txt' })).headers['x-cos-server-side-encryption']).toBe('AES256');
  });
});
