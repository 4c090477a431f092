import type { EmulatorConfig } from '../config.js';
import { CosErrors } from '../errors/index.js';
import type { Acl, AclGrant } from '../persistence/index.js';
import { anonymousPermissions, type Permission } from '../policy/acl.js';
import { ANYONE, type BucketPolicy, evaluateBucketPolicy } from '../policy/bucket-policy.js';
import { evaluatePolicy, type RequestContext } from '../policy/index.js';
import type { Identity } from './identity.js';

export interface AccessCheck {
  action: string;
  bucket: string;
  key: string;
  context: RequestContext;
  /** ACLs for anonymous access: the object's, then the bucket's. */
  objectAcl?: Acl;
  objectGrants?: AclGrant[];
  bucketAcl?: Acl;
  bucketGrants?: AclGrant[];
  /** The bucket's policy (PUT Bucket policy), if it has one. */
  bucketPolicy?: BucketPolicy;
}

/** What an anonymous request needs the ACL to grant, per action (FULL_CONTROL grants each). */
const ACL_NEEDS: Record<string, { on: 'object' | 'bucket'; permission: Permission }> = {
  'name/cos:GetObject': { on: 'object', permission: 'READ' },
  'name/cos:HeadObject': { on: 'object', permission: 'READ' },
  'name/cos:GetBucket': { on: 'bucket', permission: 'READ' },
  'name/cos:PutObject': { on: 'bucket', permission: 'WRITE' },
  'name/cos:PostObject': { on: 'bucket', permission: 'WRITE' },
  'name/cos:GetObjectACL': { on: 'object', permission: 'READ_ACP' },
  'name/cos:GetBucketACL': { on: 'bucket', permission: 'READ_ACP' },
};

/**
 * COS's order: the root account may do anything; otherwise an explicit deny in the bucket policy
 * wins; a temporary key is then held to its own policy; an anonymous request is let through by an
 * allow of the bucket policy or by the ACL.
 */
export function authorize(identity: Identity, check: AccessCheck, config: EmulatorConfig): void {
  if (identity.kind === 'root') return;
  const resource = { region: config.region, appId: config.appId, bucket: check.bucket, key: check.key };
  const request = { action: check.action, resource, context: check.context };
  const principals = identity.kind === 'anonymous' ? ANYONE : [`qcs::cam::uin/${config.appId}:uin/${config.appId}`, ...ANYONE];
  const verdict = check.bucketPolicy ? evaluateBucketPolicy(check.bucketPolicy, principals, request) : { effect: 'none' as const };
  const who = identity.kind === 'anonymous' ? 'the anonymous request' : `temporary key ${identity.secretId}`;
  if (verdict.effect === 'deny') throw CosErrors.accessDenied(`${who}: ${verdict.reason}`);
  if (identity.kind === 'temporary') {
    const decision = evaluatePolicy(identity.policy, request);
    if (!decision.allowed) throw CosErrors.accessDenied(`temporary key ${identity.secretId}: ${decision.reason}`);
    return;
  }
  if (verdict.effect === 'allow') return;
  const need = ACL_NEEDS[check.action];
  if (need) {
    const perms = need.on === 'object' ? objectPermissions(check) : anonymousPermissions(check.bucketAcl ?? 'private', check.bucketGrants);
    if (perms.has(need.permission) || perms.has('FULL_CONTROL')) return;
  }
  throw CosErrors.accessDenied(
    `the request is anonymous (no Authorization header, no q-* query fields, no sign parameter) and ${check.action} on ` +
      `${check.bucket}/${check.key} is not public (${check.key ? `object ACL ${describeAcl(check.objectAcl ?? 'default', check.objectGrants)}, ` : ''}` +
      `bucket ACL ${describeAcl(check.bucketAcl ?? 'private', check.bucketGrants)}${check.bucketPolicy ? ', and no statement of the bucket policy allows it' : ', no bucket policy'})`,
  );
}

/** An object whose ACL is `default` (and that grants the public nothing itself) follows its bucket's ACL. */
function objectPermissions(check: AccessCheck): Set<Permission> {
  const bucket = anonymousPermissions(check.bucketAcl ?? 'private', check.bucketGrants);
  if (check.objectAcl === undefined) return bucket;
  const own = anonymousPermissions(check.objectAcl, check.objectGrants);
  return own.size === 0 && check.objectAcl === 'default' ? bucket : own;
}

function describeAcl(acl: Acl, grants: AclGrant[] | undefined): string {
  if (!grants) return acl;
  const publicPerms = [...anonymousPermissions('private', grants)];
  return `${acl} with grants${publicPerms.length ? ` (AllUsers: ${publicPerms.join(', ')})` : ' (none to AllUsers)'}`;
}
