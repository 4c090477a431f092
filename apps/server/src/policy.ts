import { cosResource, type CamCondition, type CamPolicy, type CamStatement } from '@cos-direct/signer';
import type { TypeRule } from './keys.js';

/** One key, or every key under a prefix (then the resource ends in "*"). */
export interface PolicyScope {
  region: string;
  bucket: string;
  key?: string;
  prefix?: string;
}

/**
 * Headers that hand out access to an object: one deny statement each, because several keys in one
 * condition block must all match, so a combined deny would only fire on a request that sent them all.
 */
const GRANT_KEYS = ['cos:x-cos-grant-read', 'cos:x-cos-grant-read-acp', 'cos:x-cos-grant-write-acp', 'cos:x-cos-grant-full-control'];

const qualify = (action: string) => (action.includes('/') ? action : `name/cos:${action}`);

function resourceOf(scope: PolicyScope): string[] {
  const key = scope.key ?? `${scope.prefix ?? ''}*`;
  return [cosResource({ region: scope.region, bucket: scope.bucket, key })];
}

export interface WriteLimits {
  /** Content-Types the request may carry (cos:content-type). */
  types?: TypeRule;
  /** Largest request body (cos:content-length): for PutObject and UploadPart, not for forms. */
  maxSize?: number;
  /** Refuse x-cos-acl (other than "default") and every x-cos-grant-* header. */
  noAcl?: boolean;
}

/**
 * Statements that let `actions` write and nothing more. Every limit is stated twice, the way COS
 * documents hard limits: a condition on the allow, and a deny that fires when the request carries a
 * value outside it. `_if_exist` on the allow keeps requests without the header working (the seed's
 * clients send no ACL); the denies have no `_if_exist`, so an absent header never triggers them.
 */
export function writeStatements(scope: PolicyScope, actions: readonly string[], limits: WriteLimits): CamStatement[] {
  const action = actions.map(qualify);
  const resource = resourceOf(scope);
  const allow: CamCondition = {};
  const denies: CamCondition[] = [];
  const ifExist: Record<string, string | string[]> = {};
  if (limits.noAcl) {
    ifExist['cos:x-cos-acl'] = 'default';
    denies.push({ string_not_equal: { 'cos:x-cos-acl': 'default' } });
    for (const key of GRANT_KEYS) denies.push({ string_like: { [key]: '*' } });
  }
  if (limits.types) {
    const allowed = limits.types.allowed.length === 1 ? limits.types.allowed[0]! : [...limits.types.allowed];
    if (limits.types.required) allow.string_equal = { 'cos:content-type': allowed };
    else ifExist['cos:content-type'] = allowed;
    denies.push({ string_not_equal: { 'cos:content-type': allowed } });
  }
  if (Object.keys(ifExist).length > 0) allow.string_equal_if_exist = ifExist;
  if (limits.maxSize !== undefined) {
    allow.numeric_less_than_equal = { 'cos:content-length': limits.maxSize };
    denies.push({ numeric_greater_than: { 'cos:content-length': limits.maxSize } });
  }
  return [
    Object.keys(allow).length > 0 ? { effect: 'allow', action, resource, condition: allow } : { effect: 'allow', action, resource },
    ...denies.map((condition): CamStatement => ({ effect: 'deny', action, resource, condition })),
  ];
}

/** A plain allow of `actions` on the scope. */
export function allowStatement(scope: PolicyScope, actions: readonly string[]): CamStatement {
  return { effect: 'allow', action: actions.map(qualify), resource: resourceOf(scope) };
}

/**
 * GetObject of one key, with no response-content-type override: a URL made with this key serves the
 * object as the type it was stored with, never as a page someone asked for by appending a parameter.
 */
export function readOnePolicy(scope: PolicyScope & { key: string }): CamPolicy {
  const action = ['name/cos:GetObject'];
  const resource = resourceOf(scope);
  return {
    version: '2.0',
    statement: [
      { effect: 'allow', action, resource },
      { effect: 'deny', action, resource, condition: { string_like: { 'cos:response-content-type': '*' } } },
    ],
  };
}

export const policyOf = (...statements: CamStatement[]): CamPolicy => ({ version: '2.0', statement: statements });
