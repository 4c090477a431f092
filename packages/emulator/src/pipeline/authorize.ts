import type { EmulatorConfig } from '../config.js';
import { CosErrors } from '../errors/index.js';
import type { Acl } from '../persistence/index.js';
import { evaluatePolicy, type RequestContext } from '../policy/index.js';
import type { Identity } from './authenticate.js';

export interface AccessCheck {
  action: string;
  bucket: string;
  key: string;
  context: RequestContext;
  /** ACLs for anonymous access: the object's, then the bucket's. */
  objectAcl?: Acl;
  bucketAcl?: Acl;
}

const PUBLIC_READ_ACTIONS = new Set(['name/cos:GetObject', 'name/cos:HeadObject']);
const PUBLIC_WRITE_ACTIONS = new Set(['name/cos:PutObject', 'name/cos:PostObject']);

/** Root may do anything; temporary keys are held to their policy; anonymous requests to ACLs. */
export function authorize(identity: Identity, check: AccessCheck, config: EmulatorConfig): void {
  if (identity.kind === 'root') return;
  if (identity.kind === 'temporary') {
    const decision = evaluatePolicy(identity.policy, {
      action: check.action,
      resource: { region: config.region, appId: config.appId, bucket: check.bucket, key: check.key },
      context: check.context,
    });
    if (!decision.allowed) throw CosErrors.accessDenied(`temporary key ${identity.secretId}: ${decision.reason}`);
    return;
  }
  const effectiveAcl = check.objectAcl && check.objectAcl !== 'default' ? check.objectAcl : check.bucketAcl;
  if (PUBLIC_READ_ACTIONS.has(check.action) && (effectiveAcl === 'public-read' || effectiveAcl === 'public-read-write')) return;
  if (check.action === 'name/cos:GetBucket' && (check.bucketAcl === 'public-read' || check.bucketAcl === 'public-read-write')) return;
  if (PUBLIC_WRITE_ACTIONS.has(check.action) && check.bucketAcl === 'public-read-write') return;
  throw CosErrors.accessDenied(
    `the request is anonymous (no Authorization header, no q-* query fields, no sign parameter) and ${check.action} on ` +
      `${check.bucket}/${check.key} is not public (${check.key ? `object ACL ${check.objectAcl ?? 'default'}, ` : ''}bucket ACL ${check.bucketAcl ?? 'private'})`,
  );
}
