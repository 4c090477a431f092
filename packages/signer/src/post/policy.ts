import { defaultCrypto } from '#crypto';
import { fromBase64, toBase64 } from '../crypto/encoding.js';
import type { SignerCrypto } from '../crypto/types.js';
import { SignerError, type SignerErrorCode } from '../errors.js';
import { parseKeyTime, resolveKeyTime } from '../cos/key-time.js';
import { signKeyFor, type CosCredentials, type SignOptions } from '../cos/sign.js';
import { timingSafeEqualHex } from '../cos/verify.js';

export type PostPolicyCondition =
  | Record<string, string>
  | ['eq' | 'starts-with', string, string]
  | ['content-length-range', number, number];

export interface PostPolicy {
  expiration: string;
  conditions: PostPolicyCondition[];
}

export interface CreatePostPolicyInput {
  bucket: string;
  /** Exact key, or */
  key?: string;
  /** a key prefix (starts-with). */
  keyPrefix?: string;
  expiration: Date | string;
  contentLengthRange?: [number, number];
  contentType?: string;
  contentTypePrefix?: string;
  successActionStatus?: 200 | 201 | 204;
  extra?: PostPolicyCondition[];
  credentials: Pick<CosCredentials, 'secretId'>;
  keyTime: string;
}

/** A policy document for one browser form upload, with the q-* conditions COS requires. */
export function createPostPolicy(input: CreatePostPolicyInput): PostPolicy {
  if ((input.key === undefined) === (input.keyPrefix === undefined)) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'createPostPolicy needs exactly one of key or keyPrefix');
  }
  parseKeyTime(input.keyTime);
  const expiration = typeof input.expiration === 'string' ? input.expiration : input.expiration.toISOString();
  if (Number.isNaN(Date.parse(expiration))) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `expiration "${expiration}" is not an ISO 8601 date`);
  }
  const conditions: PostPolicyCondition[] = [{ bucket: input.bucket }];
  if (input.key !== undefined) conditions.push(['eq', '$key', input.key]);
  else conditions.push(['starts-with', '$key', input.keyPrefix!]);
  if (input.contentLengthRange) {
    const [min, max] = input.contentLengthRange;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
      throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', `contentLengthRange [${min}, ${max}] is not a range of byte counts`);
    }
    conditions.push(['content-length-range', min, max]);
  }
  if (input.contentType !== undefined) conditions.push(['eq', '$Content-Type', input.contentType]);
  if (input.contentTypePrefix !== undefined) conditions.push(['starts-with', '$Content-Type', input.contentTypePrefix]);
  if (input.successActionStatus !== undefined) {
    conditions.push({ success_action_status: String(input.successActionStatus) });
  }
  if (input.extra) conditions.push(...input.extra);
  conditions.push({ 'q-sign-algorithm': 'sha1' }, { 'q-ak': input.credentials.secretId }, { 'q-sign-time': input.keyTime });
  return { expiration, conditions };
}

export interface PostFormFields {
  policy: string;
  'q-sign-algorithm': 'sha1';
  'q-ak': string;
  'q-key-time': string;
  'q-signature': string;
  'x-cos-security-token'?: string;
}

const encoder = new TextEncoder();

/**
 * Signs a policy: the signature covers the SHA-1 of the exact JSON text, which is sent base64-encoded.
 * A policy object is serialised with JSON.stringify; pass the text to sign other bytes.
 */
export function signPostPolicy(policy: PostPolicy | string, options: SignOptions): PostFormFields {
  const c = options?.credentials;
  if (!c || typeof c.secretId !== 'string' || c.secretId === '' || typeof c.secretKey !== 'string' || c.secretKey === '') {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'credentials.secretId and credentials.secretKey are required');
  }
  if (typeof policy !== 'string' && (!policy || typeof policy !== 'object')) {
    throw new SignerError('SIGN_ERR_INVALID_ARGUMENT', 'the policy must be a policy object or its JSON text');
  }
  const crypto = options.crypto ?? defaultCrypto;
  const text = typeof policy === 'string' ? policy : JSON.stringify(policy);
  const keyTime = resolveKeyTime(options);
  const stringToSign = crypto.sha1Hex(text);
  const fields: PostFormFields = {
    policy: toBase64(encoder.encode(text)),
    'q-sign-algorithm': 'sha1',
    'q-ak': options.credentials.secretId,
    'q-key-time': keyTime,
    'q-signature': crypto.hmacSha1Hex(signKeyFor(options.credentials.secretKey, keyTime, crypto), stringToSign),
  };
  if (options.credentials.securityToken) fields['x-cos-security-token'] = options.credentials.securityToken;
  return fields;
}

/** The policy JSON text inside a base64 `policy` form field, or undefined when it is not base64. */
export function decodePolicyField(policy: string): string | undefined {
  const bytes = fromBase64(policy);
  return bytes === undefined ? undefined : new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

export type PostVerifyResult =
  | { valid: true; stringToSign: string }
  | { valid: false; code: SignerErrorCode; reason: string; stringToSign?: string };

/** Checks the q-signature of a POST form against the secret key of its q-ak. */
export function verifyPostSignature(
  form: Record<string, string | undefined>,
  secretKey: string,
  options: { crypto?: SignerCrypto } = {},
): PostVerifyResult {
  const crypto = options.crypto ?? defaultCrypto;
  const missing = ['policy', 'q-sign-algorithm', 'q-ak', 'q-key-time', 'q-signature'].filter((f) => !form[f]);
  if (missing.length > 0) {
    return { valid: false, code: 'SIGN_ERR_AUTH_MISSING_FIELD', reason: `the form lacks ${missing.join(', ')}` };
  }
  if (form['q-sign-algorithm']!.toLowerCase() !== 'sha1') {
    return { valid: false, code: 'SIGN_ERR_AUTH_ALGORITHM', reason: `q-sign-algorithm=${form['q-sign-algorithm']}; only sha1 exists` };
  }
  try {
    parseKeyTime(form['q-key-time']!);
  } catch (e) {
    return { valid: false, code: 'SIGN_ERR_KEY_TIME', reason: (e as Error).message };
  }
  const text = decodePolicyField(form.policy!);
  if (text === undefined) return { valid: false, code: 'SIGN_ERR_POLICY_MALFORMED', reason: 'the policy field is not base64' };
  const stringToSign = crypto.sha1Hex(text);
  const expected = crypto.hmacSha1Hex(signKeyFor(secretKey, form['q-key-time']!, crypto), stringToSign);
  if (!timingSafeEqualHex(expected, form['q-signature']!.toLowerCase())) {
    return {
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      reason: 'q-signature does not match HMAC-SHA1(SignKey, SHA1(policy JSON text))',
      stringToSign,
    };
  }
  return { valid: true, stringToSign };
}

export type PolicyCheckResult =
  | { ok: true; policy: PostPolicy }
  | {
      ok: false;
      code: 'SIGN_ERR_POLICY_MALFORMED' | 'SIGN_ERR_POLICY_EXPIRED' | 'SIGN_ERR_POLICY_CONDITION';
      reason: string;
      condition?: PostPolicyCondition;
    };

function fieldValue(form: Record<string, string | undefined>, name: string): string | undefined {
  if (name in form) return form[name];
  // Form field names are matched case-insensitively: browsers and SDKs disagree on the case of Content-Type.
  const lower = name.toLowerCase();
  for (const k in form) if (k.toLowerCase() === lower) return form[k];
  return undefined;
}

/**
 * Checks a submitted form against its policy document: expiration, every condition, that the
 * required q-sign-algorithm, q-ak and q-sign-time conditions are present, and that q-sign-time
 * equals the form's q-key-time. `ctx.now` is unix seconds.
 */
export function checkPostPolicy(
  policyJson: string,
  form: Record<string, string | undefined>,
  ctx: { bucket: string; fileSize: number; now: number },
): PolicyCheckResult {
  let policy: PostPolicy;
  try {
    policy = JSON.parse(policyJson) as PostPolicy;
  } catch {
    return { ok: false, code: 'SIGN_ERR_POLICY_MALFORMED', reason: 'the policy is not valid JSON' };
  }
  if (!policy || typeof policy !== 'object' || typeof policy.expiration !== 'string' || !Array.isArray(policy.conditions)) {
    return { ok: false, code: 'SIGN_ERR_POLICY_MALFORMED', reason: 'the policy needs a string "expiration" and an array "conditions"' };
  }
  const expires = Date.parse(policy.expiration);
  if (Number.isNaN(expires)) {
    return { ok: false, code: 'SIGN_ERR_POLICY_MALFORMED', reason: `policy expiration "${policy.expiration}" is not an ISO 8601 date` };
  }
  if (expires / 1000 <= ctx.now) {
    return { ok: false, code: 'SIGN_ERR_POLICY_EXPIRED', reason: `the policy expired at ${policy.expiration}` };
  }
  // COS requires the policy to name the signature it travels with.
  const required = new Set(['q-sign-algorithm', 'q-ak', 'q-sign-time']);
  for (const condition of policy.conditions) {
    const fail = (reason: string): PolicyCheckResult => ({ ok: false, code: 'SIGN_ERR_POLICY_CONDITION', reason, condition });
    if (Array.isArray(condition)) {
      const [op, a, b] = condition as [string, unknown, unknown];
      if (op === 'content-length-range') {
        if (typeof a !== 'number' || typeof b !== 'number') return fail('content-length-range needs two numbers');
        if (ctx.fileSize < a || ctx.fileSize > b) {
          return fail(`the file is ${ctx.fileSize} bytes; the policy allows ${a} to ${b} (content-length-range)`);
        }
        continue;
      }
      if ((op !== 'eq' && op !== 'starts-with') || typeof a !== 'string' || typeof b !== 'string' || !a.startsWith('$')) {
        return fail(`unsupported condition ${JSON.stringify(condition)}`);
      }
      const name = a.slice(1);
      const actual = name.toLowerCase() === 'bucket' ? ctx.bucket : fieldValue(form, name);
      if (actual === undefined) return fail(`the policy's condition on "${name}" needs a form field "${name}", which is absent`);
      if (op === 'eq' && actual !== b) return fail(`form field "${name}" is "${actual}"; the policy requires "${b}"`);
      if (op === 'starts-with' && !actual.startsWith(b)) {
        return fail(`form field "${name}" is "${actual}"; the policy requires it to start with "${b}"`);
      }
      continue;
    }
    if (!condition || typeof condition !== 'object') return fail(`unsupported condition ${JSON.stringify(condition)}`);
    for (const name of Object.keys(condition)) {
      const expected = String((condition as Record<string, unknown>)[name]);
      required.delete(name);
      if (name === 'q-sign-time') {
        if (fieldValue(form, 'q-key-time') !== expected) {
          return fail(`the policy's q-sign-time "${expected}" differs from the form's q-key-time "${fieldValue(form, 'q-key-time')}"`);
        }
        continue;
      }
      const actual = name.toLowerCase() === 'bucket' ? ctx.bucket : fieldValue(form, name);
      if (actual === undefined) return fail(`the policy requires form field "${name}" = "${expected}", which is absent`);
      if (actual !== expected) return fail(`form field "${name}" is "${actual}"; the policy requires "${expected}"`);
    }
  }
  if (required.size > 0) {
    const names = [...required];
    return {
      ok: false,
      code: 'SIGN_ERR_POLICY_CONDITION',
      reason: `the policy lacks the ${names.map((n) => `{"${n}": …}`).join(', ')} condition${names.length > 1 ? 's' : ''}, which COS requires`,
    };
  }
  return { ok: true, policy };
}
