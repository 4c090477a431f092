import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Target } from '../target.js';
import { ClientError, type ClientDriver, type Listing, type Session } from './types.js';

// The SDK's notice that its future releases need Node 22 is not about COS.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Every name resolves to loopback, so the virtual-hosted bucket names reach the emulator without DNS.
const loopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all)
    (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

async function refused<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof S3ServiceException) throw new ClientError(`${e.name}: ${e.message}`, e.$metadata.httpStatusCode, e.name);
    throw e;
  }
}

const listing = (out: { Contents?: { Key?: string }[]; CommonPrefixes?: { Prefix?: string }[] }): Listing => ({
  keys: (out.Contents ?? []).map((c) => c.Key!),
  prefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix!),
});

/** The newest AWS SDK for JavaScript v3, as configured in COS's "use the AWS S3 SDK" guide; `overrides` on top. */
export function awsSdkDriver(name: string, overrides: Partial<S3ClientConfig> = {}): ClientDriver {
  return {
    name,
    offers: ['listV2', 'presignGet', 'presignPut'],
    missing: () => undefined,
    async open(target: Target, creds): Promise<Session> {
      const client = new S3Client({
        region: target.region,
        endpoint: `${target.protocol}//${target.endpointHost}`,
        credentials: {
          accessKeyId: creds.secretId,
          secretAccessKey: creds.secretKey,
          ...(creds.token ? { sessionToken: creds.token } : {}),
        },
        ...(target.kind === 'emulator' ? { requestHandler: { httpAgent: new Agent({ lookup: loopback }) } } : {}),
        maxAttempts: 1,
        ...overrides,
      });
      const Bucket = target.bucket;
      return {
        put: (Key, Body) => refused(async () => void (await client.send(new PutObjectCommand({ Bucket, Key, Body })))),
        putWithMeta: (Key, Body, Metadata) =>
          refused(async () => void (await client.send(new PutObjectCommand({ Bucket, Key, Body, Metadata })))),
        get: (Key) =>
          refused(async () => {
            const out = await client.send(new GetObjectCommand({ Bucket, Key }));
            return Buffer.from(await out.Body!.transformToByteArray());
          }),
        head: (Key) =>
          refused(async () => {
            const out = await client.send(new HeadObjectCommand({ Bucket, Key }));
            return { size: out.ContentLength!, etag: out.ETag, meta: out.Metadata ?? {} };
          }),
        list: (Prefix, Delimiter) => refused(async () => listing(await client.send(new ListObjectsCommand({ Bucket, Prefix, Delimiter })))),
        listV2: (Prefix, Delimiter) =>
          refused(async () => listing(await client.send(new ListObjectsV2Command({ Bucket, Prefix, Delimiter })))),
        delete: (Key) => refused(async () => void (await client.send(new DeleteObjectCommand({ Bucket, Key })))),
        copy: (source, Key) =>
          refused(async () => void (await client.send(new CopyObjectCommand({ Bucket, Key, CopySource: `${Bucket}/${source}` })))),
        multipart: (Key, Body) =>
          refused(
            async () => void (await new Upload({ client, params: { Bucket, Key, Body }, partSize: 5 * 1024 * 1024, queueSize: 2 }).done()),
          ),
        presignGet: (Key) => getSignedUrl(client, new GetObjectCommand({ Bucket, Key }), { expiresIn: 600 }),
        presignPut: (Key) => getSignedUrl(client, new PutObjectCommand({ Bucket, Key }), { expiresIn: 600 }),
      };
    },
  };
}
