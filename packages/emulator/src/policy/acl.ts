import type { Acl, AclGrant } from '../persistence/index.js';

export type Permission = AclGrant['permission'];

export const PERMISSIONS: readonly Permission[] = ['READ', 'WRITE', 'FULL_CONTROL', 'READ_ACP', 'WRITE_ACP'];

/** COS's group of everyone, the anonymous included (and its CAM spelling). */
export const ALL_USERS_URI = 'http://cam.qcloud.com/groups/global/AllUsers';
const ANYONE_ID = 'qcs::cam::anyone:anyone';

export const isPublicGrantee = (g: AclGrant['grantee']) => ('uri' in g ? g.uri === ALL_USERS_URI : g.id === ANYONE_ID);

/** The grants a canned ACL stands for, after the owner's FULL_CONTROL. */
export function cannedGrants(acl: Acl): AclGrant[] {
  const out: AclGrant[] = [];
  if (acl === 'public-read' || acl === 'public-read-write') out.push({ grantee: { uri: ALL_USERS_URI }, permission: 'READ' });
  if (acl === 'public-read-write') out.push({ grantee: { uri: ALL_USERS_URI }, permission: 'WRITE' });
  return out;
}

/** What the public may do by a record's ACL: its canned ACL, and its explicit grants to everyone. */
export function anonymousPermissions(acl: Acl, grants: AclGrant[] | undefined): Set<Permission> {
  const all = grants ?? cannedGrants(acl);
  return new Set(all.filter((g) => isPublicGrantee(g.grantee)).map((g) => g.permission));
}

/** The canned ACL a list of grants amounts to, as COS names it in x-cos-acl. */
export function cannedOf(grants: AclGrant[]): Acl {
  const perms = anonymousPermissions('private', grants);
  if (perms.has('FULL_CONTROL') || (perms.has('READ') && perms.has('WRITE'))) return 'public-read-write';
  if (perms.has('READ')) return 'public-read';
  return 'private';
}
