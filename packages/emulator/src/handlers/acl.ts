import { CosErrors } from '../errors/index.js';
import type { Acl, AclGrant, ObjectRecord } from '../persistence/index.js';
import { ALL_USERS_URI, cannedGrants, cannedOf, PERMISSIONS, type Permission } from '../policy/acl.js';
import { toXml } from '../xml/xml.js';
import { CONFIGURATION_BODY, readXmlBody } from '../http/body.js';
import { ALL_GRANT_HEADERS, type GrantHeader } from '../http/header-names.js';
import { header } from '../http/headers.js';
import { XML, type Reply } from '../http/reply.js';
import type { HandlerContext } from './context.js';
import { aclOf } from './metadata-headers.js';
import { selectObject } from './versioning.js';

/** The permission each x-cos-grant-* header grants. */
const GRANT_HEADER_PERMISSIONS: Record<string, Permission> = {
  'x-cos-grant-read': 'READ',
  'x-cos-grant-write': 'WRITE',
  'x-cos-grant-full-control': 'FULL_CONTROL',
  'x-cos-grant-read-acp': 'READ_ACP',
  'x-cos-grant-write-acp': 'WRITE_ACP',
} satisfies Record<GrantHeader, Permission>;

const ownerId = (appId: string) => `qcs::cam::uin/${appId}:uin/${appId}`;

/** Reads a request's header or a POST form's field by name. */
export type FieldLookup = (name: string) => string | undefined;

/** `id="100000000001"` (a root account), `id="<owner>/<sub>"`, a full CAM id, or `uri="<group>"`. */
function granteeOf(kind: string, value: string, source: string): AclGrant['grantee'] {
  if (kind === 'uri') {
    if (value !== ALL_USERS_URI) throw CosErrors.invalidArgument(`${source}: the group URI "${value}" is not ${ALL_USERS_URI}`);
    return { uri: value };
  }
  if (/^\d+$/.test(value)) return { id: `qcs::cam::uin/${value}:uin/${value}` };
  const sub = /^(\d+)\/(\d+)$/.exec(value);
  if (sub) return { id: `qcs::cam::uin/${sub[1]}:uin/${sub[2]}` };
  if (/^qcs::cam::(uin\/\d+:uin\/\d+|anyone:anyone)$/.test(value)) return { id: value };
  throw CosErrors.invalidArgument(
    `${source}: "${value}" is not a grantee COS knows (id="<uin>", id="<uin>/<sub-uin>" or id="qcs::cam::uin/<uin>:uin/<uin>")`,
  );
}

function headerGrants(lookup: FieldLookup, names: readonly string[] = ALL_GRANT_HEADERS): AclGrant[] {
  const grants: AclGrant[] = [];
  for (const name of names) {
    const permission = GRANT_HEADER_PERMISSIONS[name]!;
    const value = lookup(name);
    if (value === undefined) continue;
    // The SDK sends an empty header for a grant it has none of (decodeAcl's output put back).
    for (const part of value.split(',').filter((p) => p.trim() !== '')) {
      const m = /^\s*(id|uri)\s*=\s*"([^"]*)"\s*$/i.exec(part);
      if (!m) throw CosErrors.invalidArgument(`${name}: "${part.trim()}" is not id="<uin>" (several are separated by commas)`);
      grants.push({ grantee: granteeOf(m[1]!.toLowerCase(), m[2]!, name), permission });
    }
  }
  return grants;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function bodyGrants(doc: Record<string, unknown>): AclGrant[] {
  const policy = doc.AccessControlPolicy;
  if (!policy || typeof policy !== 'object') throw CosErrors.malformedXml('expected an <AccessControlPolicy> document');
  const acl = (policy as Record<string, unknown>).AccessControlList;
  if (acl === undefined || (acl !== '' && typeof acl !== 'object'))
    throw CosErrors.malformedXml('<AccessControlPolicy> needs an <AccessControlList> of <Grant> elements');
  return list(acl === '' ? undefined : (acl as Record<string, unknown>).Grant).map((raw, i) => {
    const g = (raw ?? {}) as Record<string, unknown>;
    const grantee = g.Grantee as Record<string, unknown> | undefined;
    const permission = String(g.Permission ?? '');
    if (!PERMISSIONS.includes(permission as Permission))
      throw CosErrors.malformedXml(`<Grant> #${i + 1}: Permission "${permission}" is not one of ${PERMISSIONS.join(', ')}`);
    if (!grantee || typeof grantee !== 'object') throw CosErrors.malformedXml(`<Grant> #${i + 1} has no <Grantee>`);
    const source = `<Grant> #${i + 1}`;
    if (typeof grantee.URI === 'string') return { grantee: granteeOf('uri', grantee.URI, source), permission: permission as Permission };
    if (typeof grantee.ID === 'string') return { grantee: granteeOf('id', grantee.ID, source), permission: permission as Permission };
    throw CosErrors.malformedXml(`${source}: <Grantee> needs an <ID> or a <URI>`);
  });
}

/**
 * What PUT ?acl sets: the XML body's grants as given, or x-cos-acl and the x-cos-grant-* headers.
 * COS takes one form or the other, not both.
 */
async function requestedAcl(ctx: HandlerContext, fallback: Acl): Promise<{ acl: Acl; grants?: AclGrant[] }> {
  const fromHeaders = headerGrants((n) => header(ctx.headers, n));
  const canned = header(ctx.headers, 'x-cos-acl');
  const length = header(ctx.headers, 'content-length');
  const hasBody = (length !== undefined && length !== '0') || header(ctx.headers, 'transfer-encoding') !== undefined;
  if (hasBody) {
    const doc = await readXmlBody(ctx, { ...CONFIGURATION_BODY, refuseEmpty: true });
    if (canned !== undefined || fromHeaders.length > 0)
      throw CosErrors.invalidRequest(
        'Header and body cannot be set at the same time.',
        'PUT ?acl takes either x-cos-acl/x-cos-grant-* headers or an XML body, not both',
      );
    const grants = bodyGrants(doc as Record<string, unknown>);
    return { acl: cannedOf(grants), grants };
  }
  const acl = canned === undefined ? fallback : aclOf(canned);
  return { acl, ...withGrants(acl, fromHeaders) };
}

/**
 * Grants as stored: none when the request names none (the canned ACL then stands alone), else the canned
 * ACL's public grants and those named. The owner gets no grant of its own: COS lists exactly what the
 * headers grant (the official SDK suite reads back one grant after PUT ?acl with `x-cos-acl: private` and
 * one `x-cos-grant-read`), and the owner keeps its rights as the owner.
 */
function withGrants(acl: Acl, requested: AclGrant[]): { grants?: AclGrant[] } {
  if (requested.length === 0) return {};
  return { grants: [...cannedGrants(acl), ...requested] };
}

/**
 * The ACL a write that creates an object or a bucket asks for: its x-cos-acl (`fallback` without one)
 * and the x-cos-grant-* headers (or form fields) in `names`, stored as PUT ?acl with headers stores them.
 */
export function creationAcl(lookup: FieldLookup, names: readonly string[], fallback: Acl): { acl: Acl; grants?: AclGrant[] } {
  const canned = lookup('x-cos-acl');
  const acl = canned === undefined || canned === '' ? fallback : aclOf(canned);
  return { acl, ...withGrants(acl, headerGrants(lookup, names)) };
}

const GRANTEE = 'Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** GET ?acl: the owner, then the grants as set (or those the canned ACL stands for). */
function aclReply(ctx: HandlerContext, acl: Acl, grants: AclGrant[] | undefined, inherited: Acl): Reply {
  const owner = { ID: ownerId(ctx.config.appId), DisplayName: ctx.config.appId };
  const all = grants ?? [
    { grantee: { id: owner.ID }, permission: 'FULL_CONTROL' as const },
    ...cannedGrants(acl === 'default' ? inherited : acl),
  ];
  const body = toXml('AccessControlPolicy', {
    Owner: owner,
    AccessControlList: {
      Grant: all.map((g) => ({
        // COS's sample answer (doc 436/7733) types each grantee; s3cmd's ACL reader needs xsi:type.
        ...('uri' in g.grantee
          ? { [`${GRANTEE} xsi:type="Group"`]: { URI: g.grantee.uri } }
          : { [`${GRANTEE} xsi:type="CanonicalUser"`]: { ID: g.grantee.id, DisplayName: g.grantee.id.replace(/^.*uin\//, '') } }),
        Permission: g.permission,
      })),
    },
  });
  return { status: 200, headers: { ...XML, 'x-cos-acl': acl }, body };
}

/** The object (or the version `?versionId=` asks for) whose ACL is read or set. */
const mustGetObject = (ctx: HandlerContext): ObjectRecord => selectObject(ctx);

export async function putObjectAcl(ctx: HandlerContext): Promise<Reply> {
  mustGetObject(ctx);
  const { acl, grants } = await requestedAcl(ctx, 'default');
  // Read again after the body: the object may have been replaced meanwhile.
  const { grants: _old, ...o } = mustGetObject(ctx);
  await ctx.stores.metadata.putObject({ ...o, acl, ...(grants ? { grants } : {}) });
  return { status: 200 };
}

export async function getObjectAcl(ctx: HandlerContext): Promise<Reply> {
  const o = mustGetObject(ctx);
  return aclReply(ctx, o.acl, o.grants, ctx.bucket.acl);
}

export async function putBucketAcl(ctx: HandlerContext): Promise<Reply> {
  const { acl, grants } = await requestedAcl(ctx, 'private');
  const { grants: _old, ...bucket } = ctx.stores.metadata.getBucket(ctx.bucket.name) ?? ctx.bucket;
  await ctx.stores.metadata.putBucket({ ...bucket, acl, ...(grants ? { grants } : {}) });
  return { status: 200 };
}

export async function getBucketAcl(ctx: HandlerContext): Promise<Reply> {
  return aclReply(ctx, ctx.bucket.acl, ctx.bucket.grants, ctx.bucket.acl);
}
