import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createObjectPolicy, findSigV4, signV4, verifyV4 } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, raw, REGION, temporaryKey } from './helpers.js';
import { s3ClientOf } from './s3-client.js';

let emu: RunningEmulator;
let port: string;

const s3 = (overrides: Partial<S3ClientConfig> = {}): S3Client => s3ClientOf(emu, overrides);

/** Sends a presigned URL to the emulator with the Host it names. */
function fetchPresigned(url: string, options: { method?: string; body?: string } = {}) {
  const u = new URL(url);
  return raw(`http://127.0.0.1:${port}`, {
    method: options.method ?? 'GET',
    path: u.pathname + u.search,
    headers: { host: u.host, ...(options.body === undefined ? {} : { 'content-length': Buffer.byteLength(options.body) }) },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
}

async function refusal(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  throw new Error('the request was accepted');
}

const field = (text: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1];
const xmlText = (s: string | undefined) =>
  (s ?? '')
    .replace(/&#10;|&#xA;/g, '\n')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'");

beforeAll(async () => {
  emu = await emulator();
  port = new URL(emu.info.cos.http).port;
});
afterAll(() => emu?.close());

describe('the AWS S3 SDK against the emulator (SigV4)', () => {
  it('PutObject, HeadObject, GetObject and DeleteObject', async () => {
    const client = s3();
    const put = await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b(1).txt', Body: 'hello s3', ContentType: 'text/plain' }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b(1).txt' }));
    expect(head.ContentLength).toBe(8);
    expect(head.ContentType).toBe('text/plain');
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b(1).txt' }));
    expect(await got.Body!.transformToString()).toBe('hello s3');
    expect(got.ETag).toBe(put.ETag);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b(1).txt' }));
    const gone = await refusal(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/a b(1).txt' })));
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });

  it('ListObjects (v1) and ListObjectsV2 list the same objects', async () => {
    const client = s3();
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'list/one', Body: '1' }));
    const v1 = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'list/' }));
    expect(v1.Contents?.map((c) => c.Key)).toEqual(['list/one']);
    const v2 = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/' }));
    expect(v2.Contents?.map((c) => c.Key)).toEqual(['list/one']);
    expect(v2.KeyCount).toBe(1);
  });

  it('a multipart upload through lib-storage Upload', async () => {
    const client = s3();
    const body = Buffer.alloc(11 * 1024 * 1024, 7);
    body.write('start', 0);
    const upload = new Upload({
      client,
      params: { Bucket: BUCKET, Key: 'sdk/big.bin', Body: body },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    const done = await upload.done();
    expect(done.ETag).toMatch(/-3"$/);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/big.bin' }));
    expect(head.ContentLength).toBe(body.length);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/big.bin', Range: 'bytes=0-4' }));
    expect(await got.Body!.transformToString()).toBe('start');
  });

  it('presigned PUT and GET URLs', async () => {
    const client = s3();
    const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/presigned.txt' }), { expiresIn: 300 });
    expect(new URL(putUrl).searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    const put = await fetchPresigned(putUrl, { method: 'PUT', body: 'via url' });
    expect(put.status).toBe(200);
    const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/presigned.txt' }), { expiresIn: 300 });
    const got = await fetchPresigned(getUrl);
    expect(got.status).toBe(200);
    expect(got.text).toBe('via url');
  });

  it('an expired presigned URL is refused', async () => {
    const url = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/presigned.txt' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3600_000),
    });
    const res = await fetchPresigned(url);
    expect(res.status).toBe(403);
    expect(field(res.text, 'Code')).toBe('AccessDenied');
    expect(field(res.text, 'Message')).toBe('Request has expired');
    expect(field(res.text, 'Reason')).toContain('X-Amz-Expires 60');
  });

  it('a wrong secret: SignatureDoesNotMatch carrying the canonical request and string to sign the emulator computed', async () => {
    const client = s3({ credentials: { accessKeyId: emu.info.credentials.secretId, secretAccessKey: 'not-the-secret' } });
    const e = await refusal(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/denied.txt', Body: 'x' })));
    expect(e.name).toBe('SignatureDoesNotMatch');
    expect(e.$metadata.httpStatusCode).toBe(403);
    // The same refusal, read raw: the detail is the S3 SDK's own canonical request, recomputed.
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/denied.txt' }), { expiresIn: 60 });
    const res = await fetchPresigned(url);
    expect(field(res.text, 'Code')).toBe('SignatureDoesNotMatch');
    const canonical = xmlText(field(res.text, 'CanonicalRequest'));
    expect(canonical.split('\n').slice(0, 2)).toEqual(['GET', '/sdk/denied.txt']);
    expect(canonical.endsWith('\nhost\nUNSIGNED-PAYLOAD')).toBe(true);
    expect(xmlText(field(res.text, 'StringToSign'))).toMatch(
      /^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/ap-guangzhou\/s3\/aws4_request\n[0-9a-f]{64}$/,
    );
  });

  it("cross-check: the signer verifies the S3 SDK's own presigned URL", async () => {
    const url = new URL(await getSignedUrl(s3(), new GetObjectCommand({ Bucket: BUCKET, Key: 'dir/a+b (c).txt' }), { expiresIn: 120 }));
    const query = Object.fromEntries(url.searchParams);
    const request = { method: 'GET', pathname: decodeURIComponent(url.pathname), query, headers: { host: url.host } };
    const found = findSigV4(request)!;
    expect(found).toMatchObject({ source: 'query', region: REGION, service: 's3', expiresIn: 120 });
    expect(verifyV4(request, found, emu.info.credentials.secretKey)).toMatchObject({ valid: true });
    expect(verifyV4(request, found, 'wrong')).toMatchObject({ valid: false, code: 'SIGN_ERR_SIGNATURE_MISMATCH' });
  });

  it('a temporary key from the emulator STS signs with X-Amz-Security-Token and is held to its policy', async () => {
    const key = await temporaryKey(emu, createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'tmp/ok.txt', actions: ['PutObject'] }));
    const client = s3({ credentials: { accessKeyId: key.tmpSecretId, secretAccessKey: key.tmpSecretKey, sessionToken: key.sessionToken } });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tmp/ok.txt', Body: 'tmp' }));
    const denied = await refusal(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tmp/other.txt', Body: 'tmp' })));
    expect(denied.name).toBe('AccessDenied');
    const noToken = s3({ credentials: { accessKeyId: key.tmpSecretId, secretAccessKey: key.tmpSecretKey } });
    expect(
      (await refusal(noToken.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tmp/ok.txt', Body: 'tmp' })))).$metadata.httpStatusCode,
    ).toBe(403);
  });

  it("a scope in another region is taken, as COS takes it (its guide's boto3 sample signs us-east-1); another service is malformed", async () => {
    await s3({ region: 'us-east-1' }).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/us-east-1.txt', Body: 'x' }));
    const logged = emu.requests.list().at(-1)!;
    expect(logged.notes?.join('\n')).toContain('"us-east-1"');
    const res = await raw(`http://127.0.0.1:${port}`, {
      path: '/x',
      headers: {
        host: `${BUCKET}.cos.${REGION}.myqcloud.com`,
        'x-amz-date': '20260101T000000Z',
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        authorization: `AWS4-HMAC-SHA256 Credential=${emu.info.credentials.secretId}/20260101/${REGION}/cos/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
    });
    expect(field(res.text, 'Code')).toBe('AuthorizationHeaderMalformed');
    expect(xmlText(field(res.text, 'Reason'))).toContain('COS expects "s3"');
  });
});

describe('payloads and checksums from S3 SDKs', () => {
  it("the SDK's default CRC32 checksum is accepted unverified, as COS accepts it, and the log says so", async () => {
    const client = s3({ requestChecksumCalculation: 'WHEN_SUPPORTED', responseChecksumValidation: 'WHEN_SUPPORTED' });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/crc.txt', Body: 'x' }));
    expect(emu.requests.list().at(-1)!.notes?.join('\n')).toContain('COS did not verify the checksum');
    // A wrong checksum is not caught either: COS does not check it.
    const res = await raw(`http://127.0.0.1:${port}`, {
      method: 'PUT',
      path: '/sdk/crc.txt',
      headers: {
        host: `${BUCKET}.cos.${REGION}.myqcloud.com`,
        'content-length': 1,
        ...(await signedHeaders('PUT', '/sdk/crc.txt', createHash('sha256').update('x').digest('hex'), {
          'x-amz-checksum-crc32': 'AAAAAA==',
        })),
      },
      body: 'x',
    });
    expect(res.status).toBe(200);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/crc.txt' }));
    expect(await got.Body!.transformToString()).toBe('x');
  });

  it('an aws-chunked (STREAMING-*) body is refused', async () => {
    const res = await raw(`http://127.0.0.1:${port}`, {
      method: 'PUT',
      path: '/sdk/chunked.txt',
      headers: {
        host: `${BUCKET}.cos.${REGION}.myqcloud.com`,
        'content-encoding': 'aws-chunked',
        'content-length': 1,
        ...(await signedHeaders('PUT', '/sdk/chunked.txt', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER')),
      },
      body: 'x',
    });
    expect(res.status).toBe(400);
    expect(field(res.text, 'Code')).toBe('InvalidArgument');
    expect(xmlText(field(res.text, 'Reason'))).toContain("requestChecksumCalculation: 'WHEN_REQUIRED'");
  });

  it('a signed payload hash must match the body; nothing is stored otherwise', async () => {
    const sha = createHash('sha256').update('expected').digest('hex');
    const res = await raw(`http://127.0.0.1:${port}`, {
      method: 'PUT',
      path: '/sdk/hash.txt',
      headers: { host: `${BUCKET}.cos.${REGION}.myqcloud.com`, 'content-length': 6, ...(await signedHeaders('PUT', '/sdk/hash.txt', sha)) },
      body: 'actual',
    });
    expect(res.status).toBe(400);
    expect(field(res.text, 'Code')).toBe('XAmzContentSHA256Mismatch');
    const head = await refusal(s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/hash.txt' })));
    expect(head.$metadata.httpStatusCode).toBe(404);
    // The right hash is accepted.
    const ok = await raw(`http://127.0.0.1:${port}`, {
      method: 'PUT',
      path: '/sdk/hash.txt',
      headers: { host: `${BUCKET}.cos.${REGION}.myqcloud.com`, 'content-length': 8, ...(await signedHeaders('PUT', '/sdk/hash.txt', sha)) },
      body: 'expected',
    });
    expect(ok.status).toBe(200);
  });
});

/** SigV4 headers from the signer (whose vectors are AWS's) for a hand-made request. */
async function signedHeaders(method: string, path: string, payloadHash: string, extra: Record<string, string> = {}) {
  const host = `${BUCKET}.cos.${REGION}.myqcloud.com`;
  const r = signV4(
    { method, pathname: path, headers: { host, ...extra } },
    {
      credentials: { accessKeyId: emu.info.credentials.secretId, secretAccessKey: emu.info.credentials.secretKey },
      region: REGION,
      signingTime: Math.floor(Date.now() / 1000),
      payloadHash,
    },
  );
  return { ...extra, ...r.headers, authorization: r.authorization };
}
