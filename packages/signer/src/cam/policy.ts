import { SignerError } from '../errors.js';

export type CamConditionValue = string | number | boolean | Array<string | number>;
export type CamCondition = Record<string, Record<string, CamConditionValue>>;

export interface CamStatement {
  effect: 'allow' | 'deny';
  action: string[];
  resource: string[];
  condition?: CamCondition;
}

export interface CamPolicy {
  version: '2.0';
  statement: CamStatement[];
}

/** Actions a single-request upload needs. */
export const UPLOAD_ACTIONS: readonly string[] = Object.freeze(['name/cos:PutObject']);
/** Actions a multipart upload needs, start to finish, including resume (ListParts) and cleanup (Abort). */
export const MULTIPART_UPLOAD_ACTIONS: readonly string[] = Object.freeze([
  'name/cos:InitiateMultipartUpload',
  'name/cos:UploadPart',
  'name/cos:ListParts',
  'name/cos:CompleteMultipartUpload',
  'name/cos:AbortMultipartUpload',
]);

const LONG_BUCKET = /^([a-z0-9-]+)-(\d+)$/;
const REGION = /^[a-z0-9-]+$/;

function splitBucket(bucket: string): { short: string; appId: string } {
  const m = LONG_BUCKET.exec(bucket);
  if (!m) throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `bucket "${bucket}" is not "<name>-<appid>"`);
  return { short: m[1]!, appId: m[2]! };
}

export interface CosResourceInput {
  region: string;
  bucket: string;
  key: string;
  appId?: string;
  /** 'bucket' (default): …:<bucket>-<appid>/<key>; 'prefix': the older …:prefix//<appid>/<bucket>/<key>. */
  form?: 'bucket' | 'prefix';
}

/** The CAM resource string for an object key (or a key pattern ending in '*'). */
export function cosResource(input: CosResourceInput): string {
  if (!REGION.test(input.region ?? '')) throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `region "${input.region}" is invalid`);
  const { short, appId: bucketAppId } = splitBucket(input.bucket);
  const appId = input.appId ?? bucketAppId;
  if (appId !== bucketAppId) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `appId ${appId} differs from the bucket's suffix ${bucketAppId}`);
  }
  const key = input.key.startsWith('/') ? input.key.slice(1) : input.key;
  return input.form === 'prefix'
    ? `qcs::cos:${input.region}:uid/${appId}:prefix//${appId}/${short}/${key}`
    : `qcs::cos:${input.region}:uid/${appId}:${input.bucket}/${key}`;
}

export interface ObjectPolicyInput {
  region: string;
  bucket: string;
  appId?: string;
  /** Exactly one object key, or */
  key?: string;
  /** every key under a prefix. */
  prefix?: string;
  /** 'PutObject' or 'name/cos:PutObject'. */
  actions: readonly string[];
  /** Largest request body allowed (cos:content-length). */
  maxSize?: number;
  /** The only Content-Type allowed (cos:content-type). */
  contentType?: string;
  form?: 'bucket' | 'prefix';
  /** Further conditions on the allow statement. */
  conditions?: CamCondition;
}

const qualify = (action: string) => (action.includes('/') || action === '*' ? action : `name/cos:${action}`);

/**
 * A least-privilege policy for one key or one prefix. Size and type limits follow COS's hard-limit
 * pattern: a condition on the allow statement plus a deny with the negated `_if_exist` condition, so a
 * request that omits the header is not let through by the deny's absence.
 */
export function createObjectPolicy(input: ObjectPolicyInput): CamPolicy {
  if ((input.key === undefined) === (input.prefix === undefined)) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'createObjectPolicy needs exactly one of key or prefix');
  }
  if (!Array.isArray(input.actions) || input.actions.length === 0) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'createObjectPolicy needs at least one action');
  }
  const pattern = input.key !== undefined ? input.key : `${input.prefix}*`;
  if (input.key !== undefined && (input.key === '' || input.key.includes('*'))) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `key "${input.key}" must be non-empty and contain no "*"`);
  }
  const resource = [cosResource({ region: input.region, bucket: input.bucket, key: pattern, form: input.form, appId: input.appId })];
  const action = input.actions.map(qualify);
  const allowCondition: CamCondition = { ...(input.conditions ?? {}) };
  const denyCondition: CamCondition = {};
  if (input.maxSize !== undefined) {
    if (!Number.isInteger(input.maxSize) || input.maxSize < 0) {
      throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `maxSize must be a non-negative integer, got ${input.maxSize}`);
    }
    allowCondition.numeric_less_than_equal = { ...allowCondition.numeric_less_than_equal, 'cos:content-length': input.maxSize };
    denyCondition.numeric_greater_than_if_exist = { 'cos:content-length': input.maxSize };
  }
  if (input.contentType !== undefined) {
    allowCondition.string_equal = { ...allowCondition.string_equal, 'cos:content-type': input.contentType };
    denyCondition.string_not_equal_if_exist = { 'cos:content-type': input.contentType };
  }
  const statement: CamStatement[] = [
    Object.keys(allowCondition).length > 0
      ? { effect: 'allow', action, resource, condition: allowCondition }
      : { effect: 'allow', action, resource },
  ];
  if (Object.keys(denyCondition).length > 0) {
    statement.push({ effect: 'deny', action, resource, condition: denyCondition });
  }
  return { version: '2.0', statement };
}
