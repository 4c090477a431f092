import { Busboy } from '@fastify/busboy';
import type { Readable } from 'node:stream';
import { checkPostPolicy, COS_LIMITS, decodePolicyField, verifyPostSignature } from '@cos-direct/signer';
import { CosErrors } from '../errors/index.js';
import type { BlobInfo } from '../persistence/index.js';
import { checkSignTime, secretKeyOf, type Identity } from '../pipeline/authenticate.js';
import { isUnimplemented } from '../pipeline/headers.js';
import { checkObjectKey } from '../pipeline/route.js';
import { grantContextOf } from '../policy/index.js';
import { toXml } from '../xml/xml.js';
import { limitedBody } from './body.js';
import { XML, type HandlerContext, type Reply } from './context.js';
import { creationAcl, OBJECT_GRANT_HEADERS } from './acl.js';
import { storageClassOf, storedHeadersOf, userMetaOf } from './metadata-headers.js';
import { commitObject, madeVersionHeader } from './object.js';
import { forbidOverwrite } from './overwrite.js';
import { parseTaggingQuery, tagFields } from './tagging.js';
import { TRAFFIC_LIMIT } from './traffic-limit.js';
import { encryptionHeaders, requestedEncryption } from './encryption.js';

export interface PostObjectDeps {
  sts: import('../sts/index.js').StsService;
  /** Authorizes PostObject on the key for the identity, with the given policy context. */
  authorize(identity: Identity, key: string, context: Record<string, string | number | boolean | undefined>): void;
}

const fieldOf = (fields: Record<string, string>, name: string) => {
  if (name in fields) return fields[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(fields)) if (k.toLowerCase() === lower) return fields[k];
  return undefined;
};

/** Authenticates a form by its q-* fields and checks its policy, everything but the file size. */
function authenticateForm(
  ctx: HandlerContext,
  deps: PostObjectDeps,
  fields: Record<string, string>,
): { identity: Identity; policyJson?: string } {
  const secretId = fieldOf(fields, 'q-ak');
  if (!secretId) {
    if (fieldOf(fields, 'Signature')) throw CosErrors.notImplemented('the legacy "Signature" form field (use policy + q-* fields)');
    return { identity: { kind: 'anonymous' } };
  }
  const { secretKey, identity } = secretKeyOf(secretId, fieldOf(fields, 'x-cos-security-token'), ctx.config, deps.sts);
  const verdict = verifyPostSignature(fields, secretKey);
  if (!verdict.valid) {
    if (verdict.code === 'SIGN_ERR_SIGNATURE_MISMATCH') {
      throw CosErrors.signatureDoesNotMatch(verdict.reason, verdict.stringToSign ? { StringToSign: verdict.stringToSign } : {});
    }
    throw CosErrors.accessDenied(`the form signature is incomplete: ${verdict.reason}`);
  }
  const keyTime = fieldOf(fields, 'q-key-time')!;
  checkSignTime({ signTime: keyTime, keyTime }, ctx.now, ctx.config.clockSkewSeconds);
  const policyJson = decodePolicyField(fieldOf(fields, 'policy')!);
  return { identity, policyJson };
}

function checkPolicy(ctx: HandlerContext, policyJson: string | undefined, fields: Record<string, string>, fileSize: number) {
  if (policyJson === undefined) return;
  const verdict = checkPostPolicy(policyJson, fields, { bucket: ctx.bucket.name, fileSize, now: ctx.now });
  if (!verdict.ok) {
    if (verdict.code === 'SIGN_ERR_POLICY_MALFORMED') throw CosErrors.invalidPolicyDocument(verdict.reason);
    if (
      verdict.code === 'SIGN_ERR_POLICY_CONDITION' &&
      verdict.condition &&
      Array.isArray(verdict.condition) &&
      verdict.condition[0] === 'content-length-range'
    ) {
      throw CosErrors.entityTooLarge(`policy clause ${JSON.stringify(verdict.condition)}: ${verdict.reason}`);
    }
    throw CosErrors.accessDenied(
      `the form violates its policy${verdict.condition ? ` (clause ${JSON.stringify(verdict.condition)})` : ''}: ${verdict.reason}`,
    );
  }
}

/** POST Object: a browser form upload. Fields after the file part are ignored, as COS requires the file last. */
export function postObject(ctx: HandlerContext, deps: PostObjectDeps): Promise<Reply> {
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
      handleFile(ctx, deps, fields, stream as Readable, filename).then(
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

async function handleFile(
  ctx: HandlerContext,
  deps: PostObjectDeps,
  fields: Record<string, string>,
  file: Readable,
  filename: string,
): Promise<Reply> {
  const rawKey = fieldOf(fields, 'key');
  if (!rawKey) throw CosErrors.userKeyMustBeSpecified('the form has no "key" field before the file');
  const key = rawKey.replace(/\$\{filename\}/g, filename ?? '');
  checkObjectKey(key);
  const checked = { ...fields, key };
  const { identity, policyJson } = authenticateForm(ctx, deps, checked);
  // The size is not known yet: NaN satisfies no bound, so content-length-range is checked after the upload.
  checkPolicy(ctx, policyJson, checked, Number.NaN);
  const formContext = {
    ...ctx.policyContext,
    'cos:content-type': fieldOf(fields, 'Content-Type'),
    'cos:x-cos-acl': fieldOf(fields, 'acl') ?? fieldOf(fields, 'x-cos-acl'),
    'cos:x-cos-tagging': fieldOf(fields, 'x-cos-tagging'),
    ...grantContextOf((name) => fieldOf(fields, name)),
  };
  deps.authorize(identity, key, { ...formContext, 'cos:content-length': undefined });
  // Fields naming features the emulator does not implement are refused, as the same request headers are.
  for (const name of Object.keys(fields)) {
    if (!isUnimplemented(name, 'PostObject')) continue;
    if (!ctx.config.loose) throw CosErrors.notImplementedHeader(name);
    ctx.warn(`--loose: ignoring the unimplemented "${name}" form field`);
  }

  // The form's `acl` field is x-cos-acl; its grant fields are named as the headers are.
  const access = creationAcl(
    (n) => (n === 'x-cos-acl' ? (fieldOf(fields, 'acl') ?? fieldOf(fields, n)) : fieldOf(fields, n)),
    OBJECT_GRANT_HEADERS,
    'default',
  );
  const overwrite = forbidOverwrite(fieldOf(fields, 'x-cos-forbid-overwrite'), key);
  overwrite?.(ctx.stores.metadata.getObject(ctx.bucket.name, key));
  const taggingField = fieldOf(fields, 'x-cos-tagging');
  const tags = taggingField === undefined ? undefined : parseTaggingQuery(taggingField, 'the x-cos-tagging field');
  const sse = requestedEncryption((n) => fieldOf(fields, n), ctx.config);
  // The form field, else the header or query parameter, as COS reads them.
  const source = limitedBody(ctx, file, fieldOf(fields, TRAFFIC_LIMIT));
  let blob: BlobInfo;
  blob = await ctx.stores.blobs.write(source, (info) => {
    if ((file as Readable & { truncated?: boolean }).truncated || info.size > COS_LIMITS.maxObjectBytes) {
      throw CosErrors.entityTooLarge(`the file exceeds ${COS_LIMITS.maxObjectBytes} bytes`);
    }
    const md5 = fieldOf(fields, 'Content-MD5');
    if (md5 && Buffer.from(md5, 'base64').toString('hex') !== info.md5) throw CosErrors.badDigest('Content-MD5 does not match the file');
    checkPolicy(ctx, policyJson, checked, info.size);
    deps.authorize(identity, key, { ...formContext, 'cos:content-length': info.size });
  });
  const versionId = await commitObject(
    ctx,
    {
      bucket: ctx.bucket.name,
      key,
      blobId: blob.id,
      size: blob.size,
      etag: blob.md5,
      crc64: blob.crc64,
      lastModified: ctx.now * 1000,
      headers: storedHeadersOf((n) => fieldOf(fields, n), key),
      meta: userMetaOf(Object.entries(fields)),
      ...access,
      storageClass: storageClassOf(fieldOf(fields, 'x-cos-storage-class')),
      ...tagFields(tags),
      ...(sse ? { sse } : {}),
    },
    overwrite,
  );

  const location = `${ctx.protocol}://${ctx.host}/${encodeURI(key)}`;
  const headers = {
    etag: `"${blob.md5}"`,
    location,
    'x-cos-hash-crc64ecma': blob.crc64,
    ...madeVersionHeader(versionId),
    ...encryptionHeaders(sse),
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
