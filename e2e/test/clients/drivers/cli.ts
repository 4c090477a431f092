import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Credentials, Target } from '../target.js';
import { clientEnv, missingCommand, run, workDir, type Ran } from './spawn.js';
import { ClientError, metaOf, type ClientDriver, type Listing, type Session } from './types.js';

// Debian's packages (scripts/system-deps.sh installs them), never a pyenv or pip copy earlier on PATH.
const PYTHON = process.env.COS_DIRECT_PYTHON ?? '/usr/bin/python3';
const AWS = process.env.COS_DIRECT_AWS_CLI ?? '/usr/bin/aws';
const RCLONE = process.env.COS_DIRECT_RCLONE ?? '/usr/bin/rclone';
const S3CMD = process.env.COS_DIRECT_S3CMD ?? '/usr/bin/s3cmd';
const BOTO3_SCRIPT = fileURLToPath(new URL('./boto3_client.py', import.meta.url));
const hint = (pkg: string) => `Debian package ${pkg}; scripts/system-deps.sh installs it`;

/** The refusal a command-line client printed: its COS/S3 error code and, where it says, the HTTP status. */
function refusal(what: string, r: Ran): ClientError {
  const text = `${r.stderr}\n${r.stdout}`;
  const code =
    /An error occurred \((\w+)\)/.exec(text)?.[1] ??
    /S3 error: \d{3} \((\w+)\)/.exec(text)?.[1] ??
    /\b(AccessDenied|NoSuchKey|NoSuchBucket|NotImplemented|SignatureDoesNotMatch|InvalidArgument|InvalidRequest|MethodNotAllowed|NotFound|Forbidden)\b/.exec(
      text,
    )?.[1];
  const status =
    Number(/status code:? (\d{3})/i.exec(text)?.[1] ?? /S3 error: (\d{3})/.exec(text)?.[1] ?? /\((\d{3})\)/.exec(text)?.[1]) || undefined;
  return new ClientError(`${what} exited ${r.code}: ${text.trim().split('\n').slice(-6).join('\n')}`, status, code);
}

async function ok(what: string, ran: Promise<Ran>): Promise<Ran> {
  const r = await ran;
  if (r.code !== 0) throw refusal(what, r);
  return r;
}

let fileSeq = 0;
async function fileOf(dir: string, body: Buffer) {
  const path = join(dir, `in-${++fileSeq}.bin`);
  await writeFile(path, body);
  return path;
}

export const boto3Driver: ClientDriver = {
  name: 'boto3',
  offers: ['listV2', 'presignGet', 'presignPut'],
  missing: () => missingCommand(PYTHON, ['-c', 'import boto3'], hint('python3-boto3')),
  async open(target: Target, creds: Credentials): Promise<Session> {
    const dir = await workDir();
    const env = clientEnv(target, {
      MATRIX_ENDPOINT: `${target.protocol}//${target.endpointHost}`,
      MATRIX_REGION: target.region,
      MATRIX_BUCKET: target.bucket,
      AWS_ACCESS_KEY_ID: creds.secretId,
      AWS_SECRET_ACCESS_KEY: creds.secretKey,
      ...(creds.token ? { AWS_SESSION_TOKEN: creds.token } : {}),
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    });
    const op = async (req: Record<string, unknown>) => {
      const r = await run(PYTHON, [BOTO3_SCRIPT, JSON.stringify(req)], env);
      if (r.code === 3) {
        const e = JSON.parse(r.stdout).error as { status?: number; code?: string; message?: string };
        throw new ClientError(`boto3 ${req.op}: ${e.code} ${e.message}`, e.status, e.code);
      }
      if (r.code !== 0) throw refusal(`boto3 ${req.op}`, r);
      return JSON.parse(r.stdout);
    };
    const get = async (key: string) => {
      const file = join(dir, `out-${++fileSeq}.bin`);
      await op({ op: 'get', key, file });
      return readFile(file);
    };
    return {
      put: async (key, body) => void (await op({ op: 'put', key, file: await fileOf(dir, body) })),
      putWithMeta: async (key, body, meta) => void (await op({ op: 'put', key, file: await fileOf(dir, body), meta })),
      get,
      head: (key) => op({ op: 'head', key }),
      list: (prefix, delimiter) => op({ op: 'list', prefix, delimiter }),
      listV2: (prefix, delimiter) => op({ op: 'listV2', prefix, delimiter }),
      delete: async (key) => void (await op({ op: 'delete', key })),
      copy: async (source, key) => void (await op({ op: 'copy', source, key })),
      multipart: async (key, body) => void (await op({ op: 'multipart', key, file: await fileOf(dir, body) })),
      presignGet: async (key) => (await op({ op: 'presign', method: 'GET', key })).url,
      presignPut: async (key) => (await op({ op: 'presign', method: 'PUT', key })).url,
    };
  },
};

export const awsCliDriver: ClientDriver = {
  name: 'aws-cli',
  offers: ['listV2', 'presignGet'],
  missing: () => missingCommand(AWS, ['--version'], hint('awscli')),
  async open(target, creds) {
    const dir = await workDir();
    // COS's guide for the AWS CLI: virtual-hosted bucket names; the part size is lowered so that a
    // 6 MiB file goes up in parts.
    await writeFile(
      join(dir, 'config'),
      `[default]\nregion = ${target.region}\noutput = json\ns3 =\n  addressing_style = virtual\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n`,
    );
    const env = clientEnv(target, {
      AWS_ACCESS_KEY_ID: creds.secretId,
      AWS_SECRET_ACCESS_KEY: creds.secretKey,
      ...(creds.token ? { AWS_SESSION_TOKEN: creds.token } : {}),
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '',
    });
    const B = target.bucket;
    const aws = (...args: string[]) =>
      ok(`aws ${args.slice(0, 2).join(' ')}`, run(AWS, ['--endpoint-url', `${target.protocol}//${target.endpointHost}`, ...args], env));
    const json = async (...args: string[]) => {
      const out = (await aws(...args)).stdout.trim();
      return out ? JSON.parse(out) : {};
    };
    const listing = (out: { Contents?: { Key: string }[]; CommonPrefixes?: { Prefix: string }[] }): Listing => ({
      keys: (out.Contents ?? []).map((c) => c.Key),
      prefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix),
    });
    const list = async (cmd: string, prefix: string, delimiter?: string) =>
      listing(await json('s3api', cmd, '--bucket', B, '--prefix', prefix, ...(delimiter ? ['--delimiter', delimiter] : [])));
    return {
      put: async (key, body) => void (await aws('s3api', 'put-object', '--bucket', B, '--key', key, '--body', await fileOf(dir, body))),
      putWithMeta: async (key, body, meta) =>
        void (await aws(
          's3api',
          'put-object',
          '--bucket',
          B,
          '--key',
          key,
          '--body',
          await fileOf(dir, body),
          '--metadata',
          JSON.stringify(meta),
        )),
      async get(key) {
        const file = join(dir, `out-${++fileSeq}.bin`);
        await aws('s3api', 'get-object', '--bucket', B, '--key', key, file);
        return readFile(file);
      },
      async head(key) {
        const out = await json('s3api', 'head-object', '--bucket', B, '--key', key);
        return { size: out.ContentLength, etag: out.ETag, meta: out.Metadata ?? {} };
      },
      list: (prefix, delimiter) => list('list-objects', prefix, delimiter),
      listV2: (prefix, delimiter) => list('list-objects-v2', prefix, delimiter),
      delete: async (key) => void (await aws('s3api', 'delete-object', '--bucket', B, '--key', key)),
      copy: async (source, key) => void (await aws('s3api', 'copy-object', '--bucket', B, '--key', key, '--copy-source', `${B}/${source}`)),
      multipart: async (key, body) => void (await aws('s3', 'cp', '--only-show-errors', await fileOf(dir, body), `s3://${B}/${key}`)),
      presignGet: async (key) => (await aws('s3', 'presign', `s3://${B}/${key}`, '--expires-in', '600')).stdout.trim(),
    };
  },
};

/**
 * rclone's s3 backend with its TencentCOS provider. `rclone config` asks that provider for an endpoint
 * only, so rclone signs for region us-east-1; `region` sets the remote's region option as well.
 */
export const rcloneDriver = (name: string, region?: string): ClientDriver => ({
  name,
  offers: ['presignGet'],
  missing: () => missingCommand(RCLONE, ['version'], hint('rclone')),
  async open(target, creds) {
    const dir = await workDir();
    await writeFile(join(dir, 'rclone.conf'), '');
    // A remote "cos" configured as `rclone config` does for the Tencent COS provider: an endpoint, no region.
    const env = clientEnv(target, {
      RCLONE_CONFIG: join(dir, 'rclone.conf'),
      RCLONE_CONFIG_COS_TYPE: 's3',
      RCLONE_CONFIG_COS_PROVIDER: 'TencentCOS',
      RCLONE_CONFIG_COS_ACCESS_KEY_ID: creds.secretId,
      RCLONE_CONFIG_COS_SECRET_ACCESS_KEY: creds.secretKey,
      ...(creds.token ? { RCLONE_CONFIG_COS_SESSION_TOKEN: creds.token } : {}),
      RCLONE_CONFIG_COS_ENDPOINT: `${target.protocol}//${target.endpointHost}`,
      ...(region ? { RCLONE_CONFIG_COS_REGION: region === 'target' ? target.region : region } : {}),
    });
    const remote = (key: string) => `cos:${target.bucket}/${key}`;
    // A key scoped to a prefix may not create or probe the bucket: --s3-no-check-bucket is rclone's documented answer.
    const rclone = (...args: string[]) =>
      ok(`rclone ${args[0]}`, run(RCLONE, [...args, '--s3-no-check-bucket', '--retries', '1', '--low-level-retries', '1'], env));
    const stat = async (key: string) => JSON.parse((await rclone('lsjson', '--stat', '--hash', '--metadata', remote(key))).stdout);
    return {
      put: async (key, body) => void (await rclone('copyto', await fileOf(dir, body), remote(key))),
      async putWithMeta(key, body, meta) {
        const set = Object.entries(meta).flatMap(([k, v]) => ['--metadata-set', `${k}=${v}`]);
        await rclone('copyto', '--metadata', ...set, await fileOf(dir, body), remote(key));
      },
      async get(key) {
        const file = join(dir, `out-${++fileSeq}.bin`);
        await rclone('copyto', remote(key), file);
        return readFile(file);
      },
      async head(key) {
        const out = await stat(key);
        return { size: out.Size, etag: out.Hashes?.md5, meta: metaOf(out.Metadata ?? {}) };
      },
      async list(prefix, delimiter) {
        const out = JSON.parse((await rclone('lsjson', ...(delimiter ? [] : ['-R', '--files-only']), remote(prefix))).stdout) as {
          Path: string;
          IsDir: boolean;
        }[];
        return {
          keys: out.filter((e) => !e.IsDir).map((e) => prefix + e.Path),
          prefixes: out.filter((e) => e.IsDir).map((e) => `${prefix + e.Path}/`),
        };
      },
      delete: async (key) => void (await rclone('deletefile', remote(key))),
      copy: async (source, key) => void (await rclone('copyto', remote(source), remote(key))),
      multipart: async (key, body) =>
        void (await rclone('copyto', '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', await fileOf(dir, body), remote(key))),
      presignGet: async (key) => (await rclone('link', '--expire', '10m', remote(key))).stdout.trim(),
    };
  },
});

export const s3cmdDriver: ClientDriver = {
  name: 's3cmd',
  offers: ['presignGet'],
  // `s3cmd info`, its only way to show metadata, also reads the bucket's policy and CORS configuration.
  bucketWide: ['metadata round trip'],
  missing: () => missingCommand(S3CMD, ['--version'], hint('s3cmd')),
  async open(target, creds) {
    const dir = await workDir();
    const cfg = join(dir, 's3cfg');
    const proxy = target.proxy ? new URL(target.proxy) : undefined;
    // What `s3cmd --configure` writes for COS (its endpoint and bucket template); the chunk size is lowered so 6 MiB goes up in parts.
    await writeFile(
      cfg,
      [
        '[default]',
        `access_key = ${creds.secretId}`,
        `secret_key = ${creds.secretKey}`,
        `access_token = ${creds.token ?? ''}`,
        `host_base = ${target.endpointHost}`,
        `host_bucket = %(bucket)s.${target.endpointHost}`,
        `bucket_location = ${target.region}`,
        `use_https = ${target.protocol === 'https:' ? 'True' : 'False'}`,
        `proxy_host = ${proxy?.hostname ?? ''}`,
        `proxy_port = ${proxy?.port ?? 0}`,
        'signature_v2 = False',
        'multipart_chunk_size_mb = 5',
        '',
      ].join('\n'),
    );
    const env = clientEnv(target, {});
    const url = (key: string) => `s3://${target.bucket}/${key}`;
    const s3cmd = (...args: string[]) => ok(`s3cmd ${args[0]}`, run(S3CMD, ['-c', cfg, '--no-progress', ...args], env));
    return {
      put: async (key, body) => void (await s3cmd('put', await fileOf(dir, body), url(key))),
      async putWithMeta(key, body, meta) {
        const headers = Object.entries(meta).map(([k, v]) => `--add-header=x-amz-meta-${k}:${v}`);
        await s3cmd('put', ...headers, await fileOf(dir, body), url(key));
      },
      async get(key) {
        const file = join(dir, `out-${++fileSeq}.bin`);
        await s3cmd('get', '--force', url(key), file);
        return readFile(file);
      },
      async head(key) {
        // s3cmd has no command that only HEADs an object; `ls --list-md5` gives size and ETag from a listing.
        const out = (await s3cmd('ls', '--list-md5', url(key))).stdout;
        const m = /^\S+\s+\S+\s+(\d+)\s+(\S+)\s+s3:\/\/\S+$/m.exec(out);
        if (!m) throw new ClientError(`s3cmd ls ${key}: no such object in\n${out}`, 404, 'NoSuchKey');
        return { size: Number(m[1]), etag: m[2], meta: {} };
      },
      async headMeta(key) {
        const out = (await s3cmd('info', url(key))).stdout;
        const meta: Record<string, string> = {};
        for (const m of out.matchAll(/^\s*x-amz-meta-([^:]+):\s*(.*)$/gm)) meta[m[1]!.toLowerCase()] = m[2]!.trim();
        return meta;
      },
      async list(prefix, delimiter) {
        const out = (await s3cmd('ls', ...(delimiter ? [] : ['--recursive']), url(prefix))).stdout;
        const keys: string[] = [];
        const prefixes: string[] = [];
        const base = `s3://${target.bucket}/`;
        for (const line of out.split('\n')) {
          const dirMatch = /^\s*DIR\s+(s3:\/\/\S.*)$/.exec(line);
          const fileMatch = /^\S+\s+\S+\s+\d+\s+(s3:\/\/\S.*)$/.exec(line);
          if (dirMatch) prefixes.push(dirMatch[1]!.slice(base.length));
          else if (fileMatch) keys.push(fileMatch[1]!.slice(base.length));
        }
        return { keys, prefixes };
      },
      delete: async (key) => void (await s3cmd('del', url(key))),
      copy: async (source, key) => void (await s3cmd('cp', url(source), url(key))),
      multipart: async (key, body) => void (await s3cmd('put', await fileOf(dir, body), url(key))),
      presignGet: async (key) => (await s3cmd('signurl', url(key), '+600')).stdout.trim(),
    };
  },
};
