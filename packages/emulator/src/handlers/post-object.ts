import { Busboy } from '@fastify/busboy';
import type { Readable } from 'node:stream';
import { COS_LIMITS } from '@cos-direct/signer';
import { CosErrors } from '../errors/index.js';
import { fieldOf, formSource } from '../http/form-fields.js';
import { isUnimplemented } from '../http/header-support.js';
import { checkObjectKey } from '../http/object-key.js';
import { XML, type Reply } from '../http/reply.js';
import { toXml } from '../xml/xml.js';
import { limitedBody } from './body.js';
import type { HandlerContext } from './context.js';
import { encryptionHeaders } from './encryption.js';
import { commitObject, madeVersionHeader, newObject } from './object.js';
import { objectAttributesOf } from './object-attributes.js';
import { forbidOverwrite } from './overwrite.js';
import { TRAFFIC_LIMIT } from './traffic-limit.js';

/** POST Object: a browser form upload. Fields after the file part are ignored, as COS requires the file last. */
export function postObject(ctx: HandlerContext): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let fileSeen = false;
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      ctx.body.unpipe();
      ctx.body.resume();
      reject(e);
    };
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({
        headers: ctx.headers as never,
        limits: { fieldSize: 64 * 1024, fields: 200, files: 1, parts: 250, fileSize: COS_LIMITS.maxObjectBytes + 1 },
      });
    } catch (e) {
      reject(CosErrors.malformedPost((e as Error).message));
      return;
    }
    // One entry per field name without regard to case (the last value wins, under the first spelling):
    // the policy check, the authorization and what is stored then all read the same value.
    const spelling = new Map<string, string>();
    bb.on('field', (name, value) => {
      if (fileSeen) return;
      const lower = name.toLowerCase();
      const first = spelling.get(lower) ?? name;
      spelling.set(lower, first);
      fields[first] = value;
    });
    bb.on('file', (name, stream, filename) => {
      if (fileSeen || name !== 'file') {
        (stream as Readable).resume();
        return;
      }
      fileSeen = true;
      handleFile(ctx, fields, stream as Readable, filename).then(
        (reply) => {
          if (settled) return;
          settled = true;
          resolve(reply);
        },
        (e) => {
          (stream as Readable).resume();
          fail(e);
        },
      );
    });
    bb.on('finish', () => {
      if (!fileSeen) fail(CosErrors.incorrectNumberOfFiles('the form has no "file" field'));
    });
    bb.on('error', (e: unknown) => fail(CosErrors.malformedPost(e instanceof Error ? e.message : String(e))));
    ctx.body.on('error', fail);
    ctx.body.pipe(bb);
  });
}

async function handleFile(ctx: HandlerContext, fields: Record<string, string>, file: Readable, filename: string): Promise<Reply> {
  const rawKey = fieldOf(fields, 'key');
  if (!rawKey) throw CosErrors.userKeyMustBeSpecified('the form has no "key" field before the file');
  const key = rawKey.replace(/\$\{filename\}/g, filename ?? '');
  checkObjectKey(key);
  const form = ctx.access.authenticateForm(fields, key);
  form.authorize();
  // Fields naming features the emulator does not implement are refused, as the same request headers are.
  // S3's form fields (x-amz-meta-*, its SigV4 policy fields) are refused by name rather than ignored:
  // the emulator reads COS's fields only.
  for (const name of Object.keys(fields)) {
    const s3 = name.toLowerCase().startsWith('x-amz-');
    if (!s3 && !isUnimplemented(name, 'PostObject')) continue;
    const why = s3 ? `the "${name}" form field is S3's; the emulator reads COS's POST Object fields (x-cos-*, q-*)` : undefined;
    if (!ctx.config.loose) throw CosErrors.notImplementedHeader(name, why);
    ctx.warn(`--loose: ignoring the unimplemented "${name}" form field`);
  }

  const attributes = objectAttributesOf(formSource(fields), key, ctx.config);
  const overwrite = forbidOverwrite(fieldOf(fields, 'x-cos-forbid-overwrite'), key);
  overwrite?.(ctx.stores.metadata.getObject(ctx.bucket.name, key));
  // The form field, else the header or query parameter, as COS reads them.
  const source = limitedBody(ctx, file, fieldOf(fields, TRAFFIC_LIMIT));
  const blob = await ctx.stores.blobs.write(source, (info) => {
    if ((file as Readable & { truncated?: boolean }).truncated || info.size > COS_LIMITS.maxObjectBytes) {
      throw CosErrors.entityTooLarge(`the file exceeds ${COS_LIMITS.maxObjectBytes} bytes`);
    }
    const md5 = fieldOf(fields, 'Content-MD5');
    if (md5 && Buffer.from(md5, 'base64').toString('hex') !== info.md5) throw CosErrors.badDigest('Content-MD5 does not match the file');
    form.authorize(info.size);
  });
  const versionId = await commitObject(ctx, newObject(ctx, key, blob, attributes), overwrite);

  const location = `${ctx.protocol}://${ctx.host}/${encodeURI(key)}`;
  const headers = {
    etag: `"${blob.md5}"`,
    location,
    'x-cos-hash-crc64ecma': blob.crc64,
    ...madeVersionHeader(versionId),
    ...encryptionHeaders(attributes.sse),
  };
  const redirect = fieldOf(fields, 'success_action_redirect');
  if (redirect) {
    const sep = redirect.includes('?') ? '&' : '?';
    return {
      status: 303,
      headers: {
        ...headers,
        location: `${redirect}${sep}bucket=${encodeURIComponent(ctx.bucket.name)}&key=${encodeURIComponent(key)}&etag=${encodeURIComponent(`"${blob.md5}"`)}`,
      },
    };
  }
  const status = fieldOf(fields, 'success_action_status') ?? '204';
  if (status === '201') {
    return {
      status: 201,
      headers: { ...headers, ...XML },
      body: toXml('PostResponse', { Location: location, Bucket: ctx.bucket.name, Key: key, ETag: blob.md5 }),
    };
  }
  return { status: status === '200' ? 200 : 204, headers };
}
