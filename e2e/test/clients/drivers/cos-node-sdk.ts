import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../target.js';
import { ClientError, metaOf, type ClientDriver, type Listing, type Session } from './types.js';

const require = createRequire(import.meta.url);

type Callback = (err: { statusCode?: number; code?: string; message?: string; error?: unknown } | null, data: any) => void;
type Sdk = Record<string, (params: Record<string, unknown>, cb: Callback) => void> & {
  getObjectUrl(params: Record<string, unknown>, cb: (err: unknown, data: { Url: string }) => void): void;
};

/** The official COS SDK for Node.js, `module` being the npm name it is installed under (2.x, or 3.x by alias). */
export function cosNodeSdkDriver(name: string, module: string): ClientDriver {
  return {
    name,
    offers: ['presignGet', 'presignPut'],
    missing: () => undefined,
    async open(target: Target, creds): Promise<Session> {
      const COS = require(module) as new (options: Record<string, unknown>) => Sdk;
      const cos = new COS({
        SecretId: creds.secretId,
        SecretKey: creds.secretKey,
        ...(creds.token ? { SecurityToken: creds.token } : {}),
        Protocol: target.protocol,
        // The SDK's own option for a COS-compatible address: the bucket's virtual-hosted Host, sent to this IP.
        ...(target.emulatorHost ? { Ip: target.emulatorHost } : {}),
        AutoSwitchHost: false,
      });
      const call = (method: string, params: Record<string, unknown>) =>
        new Promise<any>((resolve, reject) => {
          cos[method]!({ Bucket: target.bucket, Region: target.region, ...params }, (err, data) => {
            if (!err) return resolve(data);
            const inner = (err.error ?? {}) as { Code?: string; Message?: string };
            reject(
              new ClientError(
                `${method}: ${inner.Code ?? err.code ?? ''} ${inner.Message ?? err.message ?? ''}`,
                err.statusCode,
                inner.Code ?? err.code,
              ),
            );
          });
        });
      const list = async (Prefix: string, Delimiter?: string): Promise<Listing> => {
        const out = await call('getBucket', { Prefix, ...(Delimiter ? { Delimiter } : {}) });
        return {
          keys: (out.Contents ?? []).map((c: { Key: string }) => c.Key),
          prefixes: (out.CommonPrefixes ?? []).map((p: { Prefix: string }) => p.Prefix),
        };
      };
      const presign = (Key: string, Method: string) =>
        new Promise<string>((resolve, reject) =>
          cos.getObjectUrl({ Bucket: target.bucket, Region: target.region, Key, Method, Sign: true, Expires: 600 }, (err, data) =>
            err ? reject(err) : resolve(data.Url),
          ),
        );
      return {
        put: async (Key, Body) => void (await call('putObject', { Key, Body })),
        putWithMeta: async (Key, Body, meta) =>
          void (await call('putObject', {
            Key,
            Body,
            Headers: Object.fromEntries(Object.entries(meta).map(([k, v]) => [`x-cos-meta-${k}`, v])),
          })),
        get: async (Key) => (await call('getObject', { Key })).Body as Buffer,
        async head(Key) {
          const out = await call('headObject', { Key });
          return { size: Number(out.headers['content-length']), etag: out.ETag, meta: metaOf(out.headers, 'x-cos-meta-') };
        },
        list,
        delete: async (Key) => void (await call('deleteObject', { Key })),
        copy: async (source, Key) =>
          void (await call('putObjectCopy', { Key, CopySource: `${target.bucket}.cos.${target.region}.myqcloud.com/${source}` })),
        async multipart(Key, Body) {
          // sliceUploadFile reads a file, as its users call it; 1 MiB parts are COS's smallest.
          const file = join(await mkdtemp(join(tmpdir(), 'cos-matrix-')), 'big.bin');
          await writeFile(file, Body);
          await call('sliceUploadFile', { Key, FilePath: file, ChunkSize: 1024 * 1024 });
        },
        presignGet: (Key) => presign(Key, 'GET'),
        presignPut: (Key) => presign(Key, 'PUT'),
      };
    },
  };
}
