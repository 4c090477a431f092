import type { IncomingHttpHeaders } from 'node:http';
import { checkReferer } from '../bucket-config/referer.js';
import type { EmulatorConfig } from '../config.js';
import { CosErrors } from '../errors/index.js';
import { header } from '../http/headers.js';
import { type OperationSpec, resourceOf } from '../operations.js';
import type { BucketRecord, Stores } from '../persistence/index.js';
import type { BucketPolicy } from '../policy/bucket-policy.js';
import type { RequestContext } from '../policy/index.js';
import type { StsService } from '../sts/index.js';
import { authorize } from './authorize.js';
import type { Identity, RequestAccess } from './identity.js';
import { authenticateForm } from './post-form.js';
import type { RoutedRequest } from './routed-request.js';

export interface AccessEnvironment {
  config: EmulatorConfig;
  stores: Stores;
  sts: StsService;
}

/**
 * The authorization stage: root may do anything, temporary keys are held to their policy, anonymous
 * requests to the bucket policy and ACLs. `objectKey` names the object whose ACL counts (none for a
 * list operation authorized on its prefix).
 */
export function checkAccess(
  env: AccessEnvironment,
  identity: Identity,
  action: string,
  bucketName: string,
  key: string,
  context: RequestContext,
  objectKey = key,
): void {
  if (identity.kind === 'root') return;
  const meta = env.stores.metadata;
  const b = meta.getBucket(bucketName);
  const o = objectKey ? meta.getObject(bucketName, objectKey) : undefined;
  const policy = meta.getBucketConfig(bucketName, 'policy')?.document as BucketPolicy | undefined;
  authorize(
    identity,
    {
      action,
      bucket: bucketName,
      key,
      context,
      bucketAcl: b?.acl,
      ...(b?.grants ? { bucketGrants: b.grants } : {}),
      objectAcl: o?.acl,
      ...(o?.grants ? { objectGrants: o.grants } : {}),
      ...(policy ? { bucketPolicy: policy } : {}),
    },
    env.config,
  );
}

/** What a handler may still ask of the authorization stage about its request. */
export function requestAccess(
  env: AccessEnvironment,
  request: { identity: Identity; bucket: string; policyContext: RequestContext; now: number },
): RequestAccess {
  const { identity, bucket, policyContext } = request;
  const authorizeAs = (id: Identity, action: string, key: string, context: RequestContext) =>
    checkAccess(env, id, action, bucket, key, context);
  return {
    identity,
    authorize: (action, key, bucketName) => checkAccess(env, identity, action, bucketName ?? bucket, key, policyContext),
    authenticateForm: (fields, key) =>
      authenticateForm({ config: env.config, sts: env.sts, now: request.now }, { bucket, policyContext, authorizeAs }, fields, key),
  };
}

/**
 * Stage 5: the operation's action on its resource (list operations: <bucket>/<prefix>), after the
 * bucket's hotlink protection: unsigned requests (and, if the bucket asks, presigned URLs) are held to
 * its Referer rules. A POST form is authorized by its handler, once its fields are read.
 */
export function authorizeRequest(
  env: AccessEnvironment,
  request: { headers: IncomingHttpHeaders; routed: RoutedRequest; spec: OperationSpec; bucket: BucketRecord | undefined },
  identity: Identity,
  policyContext: RequestContext,
): void {
  const { headers, routed, spec, bucket } = request;
  const resource = resourceOf(routed);
  const check = () =>
    checkAccess(env, identity, spec.action, resource.bucket, resource.key, policyContext, spec.scope === 'object' ? routed.key : '');
  if (spec.kind === 'bucket' && !bucket) {
    // A temporary key's policy is CAM's, applied before COS looks the bucket up: a key scoped to one
    // bucket is refused any other, and learns nothing of whether it exists.
    if (identity.kind === 'temporary' && routed.operation !== 'PostObject') check();
    throw CosErrors.noSuchBucket(routed.bucket);
  }
  if (routed.operation === 'PostObject') return;
  if (bucket) {
    const signature = identity.kind === 'anonymous' ? 'none' : header(headers, 'authorization') ? 'header' : 'query';
    const referer = env.stores.metadata.getBucketConfig(bucket.name, 'referer')?.document as Record<string, unknown> | undefined;
    checkReferer(referer, header(headers, 'referer'), signature);
  }
  check();
}
