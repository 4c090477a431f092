import { describe, expect, it } from 'vitest';
import { defaultCrypto as nodeCrypto } from '../src/crypto/node.js';
import { defaultCrypto as pureCrypto } from '../src/crypto/pure.js';
import {
  checkPostPolicy,
  createPostPolicy,
  decodePolicyField,
  signPostPolicy,
  SignerError,
  verifyPostSignature,
  type PostPolicy,
  type PostPolicyCondition,
} from '../src/index.js';
import { postPolicyVectors } from './vectors.fixture.js';

const credentials = {
  secretId: 'AKIDpost0000000000000000000000000000',
  secretKey: 'post-secret-key-0000000000000000',
  securityToken: 'token-123',
};
const keyTime = '1700000000;1700000600';
const now = 1700000100;
const bucket = 'dev-1250000000';

describe('P1 (official POST Object example)', () => {
  const p1 = postPolicyVectors[0]!;
  it.each([
    ['node:crypto', nodeCrypto],
    ['pure', pureCrypto],
  ] as const)('signs the exact policy text to the documented fields (%s provider)', (_name, crypto) => {
    const fields = signPostPolicy(p1.policyText, { credentials: p1.credentials, keyTime: p1.keyTime, crypto });
    expect(fields.policy).toBe(p1.expected.policy);
    expect(fields['q-signature']).toBe(p1.expected.signature);
    expect(verifyPostSignature(fields as unknown as Record<string, string>, p1.credentials.secretKey, { crypto })).toEqual({
      valid: true,
      stringToSign: p1.expected.stringToSign,
    });
  });

  it('signs the policy text, not its base64 (the documented wrong result)', () => {
    expect(nodeCrypto.hmacSha1Hex(p1.expected.signKey, nodeCrypto.sha1Hex(p1.expected.policy)).startsWith('7758dc9a')).toBe(false);
    expect(nodeCrypto.sha1Hex(p1.expected.policy).startsWith('2d648489')).toBe(true);
  });
});

describe('createPostPolicy', () => {
  it('writes the conditions in order, with the q-* conditions COS requires', () => {
    const policy = createPostPolicy({
      bucket,
      key: 'images/a.jpg',
      expiration: new Date(1700000600 * 1000),
      contentLengthRange: [1, 100],
      contentType: 'image/jpeg',
      successActionStatus: 201,
      extra: [['starts-with', '$x-cos-meta-tag', 'k']],
      credentials,
      keyTime,
    });
    expect(policy).toEqual({
      expiration: '2023-11-14T22:23:20.000Z',
      conditions: [
        { bucket },
        ['eq', '$key', 'images/a.jpg'],
        ['content-length-range', 1, 100],
        ['eq', '$Content-Type', 'image/jpeg'],
        { success_action_status: '201' },
        ['starts-with', '$x-cos-meta-tag', 'k'],
        { 'q-sign-algorithm': 'sha1' },
        { 'q-ak': credentials.secretId },
        { 'q-sign-time': keyTime },
      ],
    });
    const byPrefix = createPostPolicy({
      bucket,
      keyPrefix: 'uploads/',
      contentTypePrefix: 'image/',
      expiration: '2030-01-01T00:00:00Z',
      credentials,
      keyTime,
    });
    expect(byPrefix.conditions).toContainEqual(['starts-with', '$key', 'uploads/']);
    expect(byPrefix.conditions).toContainEqual(['starts-with', '$Content-Type', 'image/']);
    expect(byPrefix.expiration).toBe('2030-01-01T00:00:00Z');
  });

  it.each([
    ['neither key nor keyPrefix', {}],
    ['both key and keyPrefix', { key: 'a', keyPrefix: 'b' }],
    ['a bad key time', { key: 'a', keyTime: '2;1' }],
    ['a bad expiration', { key: 'a', expiration: 'tomorrow' }],
    ['an inverted size range', { key: 'a', contentLengthRange: [10, 1] }],
    ['a fractional size', { key: 'a', contentLengthRange: [0, 1.5] }],
  ])('throws a SignerError for %s', (_what, change) => {
    let thrown: unknown;
    try {
      createPostPolicy({ bucket, expiration: '2030-01-01T00:00:00Z', credentials, keyTime, ...change } as never);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SignerError);
    expect(['SIGN_ERR_INVALID_ARGUMENT', 'SIGN_ERR_KEY_TIME']).toContain((thrown as SignerError).code);
    if ('keyTime' in change) expect((thrown as SignerError).code).toBe('SIGN_ERR_KEY_TIME');
  });
});

describe('sign, verify and check round trip', () => {
  const policy = createPostPolicy({
    bucket,
    key: 'images/a.jpg',
    expiration: new Date(1700000600 * 1000),
    contentLengthRange: [1, 100],
    contentType: 'image/jpeg',
    credentials,
    keyTime,
  });
  const signedFields = signPostPolicy(policy, { credentials, keyTime });
  const form: Record<string, string> = { key: 'images/a.jpg', 'Content-Type': 'image/jpeg', ...signedFields };
  const text = decodePolicyField(form.policy!)!;
  const ctx = { bucket, fileSize: 50, now };
  const qConditions: PostPolicyCondition[] = [{ 'q-sign-algorithm': 'sha1' }, { 'q-ak': credentials.secretId }, { 'q-sign-time': keyTime }];
  const qFields = { 'q-sign-algorithm': 'sha1', 'q-ak': credentials.secretId, 'q-key-time': keyTime };

  it('produces form fields that verify and satisfy their own policy', () => {
    expect(signedFields).toMatchObject({
      'q-sign-algorithm': 'sha1',
      'q-ak': credentials.secretId,
      'q-key-time': keyTime,
      'x-cos-security-token': 'token-123',
    });
    expect(signedFields['q-signature']).toMatch(/^[0-9a-f]{40}$/);
    expect(text).toBe(JSON.stringify(policy));
    expect(verifyPostSignature(form, credentials.secretKey)).toEqual({ valid: true, stringToSign: nodeCrypto.sha1Hex(text) });
    expect(checkPostPolicy(text, form, ctx)).toEqual({ ok: true, policy });
    // Field names are matched without regard to case; the size limits are inclusive.
    const { 'Content-Type': _type, ...rest } = form;
    expect(checkPostPolicy(text, { ...rest, 'content-type': 'image/jpeg' }, ctx).ok).toBe(true);
    expect(checkPostPolicy(text, form, { ...ctx, fileSize: 1 }).ok).toBe(true);
    expect(checkPostPolicy(text, form, { ...ctx, fileSize: 100 }).ok).toBe(true);
  });

  it('derives the window from startTime/expiresIn or now() when no keyTime is given', () => {
    const fields = signPostPolicy(policy, { credentials, now: () => 1700000001, expiresIn: 60 });
    // A fractional clock is rounded down to whole seconds.
    expect(signPostPolicy(policy, { credentials, now: () => 1700000001.999, expiresIn: 60 })['q-key-time']).toBe(fields['q-key-time']);
    expect(fields['q-key-time']).toBe('1700000000;1700000060');
    expect(verifyPostSignature({ ...fields }, credentials.secretKey).valid).toBe(true);
  });

  it('rejects forged, foreign and malformed signatures with their codes', () => {
    const code = (f: Record<string, string | undefined>, key = credentials.secretKey) => {
      const r = verifyPostSignature(f, key);
      return r.valid ? 'valid' : r.code;
    };
    expect(code({ ...form, 'q-signature': 'f'.repeat(40) })).toBe('SIGN_ERR_SIGNATURE_MISMATCH');
    expect(code(form, 'another-secret')).toBe('SIGN_ERR_SIGNATURE_MISMATCH');
    expect(code({ ...form, 'q-key-time': '1700000000;1700000601' })).toBe('SIGN_ERR_SIGNATURE_MISMATCH');
    expect(
      code({ ...form, policy: signPostPolicy({ ...policy, expiration: '2030-01-01T00:00:00.000Z' }, { credentials, keyTime }).policy }),
    ).toBe('SIGN_ERR_SIGNATURE_MISMATCH');
    expect(code({ ...form, policy: '!!!' })).toBe('SIGN_ERR_POLICY_MALFORMED');
    expect(code({ ...form, 'q-sign-algorithm': 'sha256' })).toBe('SIGN_ERR_AUTH_ALGORITHM');
    expect(code({ ...form, 'q-key-time': 'yesterday' })).toBe('SIGN_ERR_KEY_TIME');
    for (const field of ['policy', 'q-sign-algorithm', 'q-ak', 'q-key-time', 'q-signature']) {
      expect(code({ ...form, [field]: undefined }), field).toBe('SIGN_ERR_AUTH_MISSING_FIELD');
    }
    const mismatch = verifyPostSignature({ ...form, 'q-signature': '0'.repeat(40) }, credentials.secretKey);
    expect(mismatch).toMatchObject({ valid: false, stringToSign: nodeCrypto.sha1Hex(text) });
  });

  const violations: Array<[string, Record<string, string | undefined>, Partial<typeof ctx>, PostPolicyCondition]> = [
    ['another key', { key: 'images/b.jpg' }, {}, ['eq', '$key', 'images/a.jpg']],
    ['no key', { key: undefined }, {}, ['eq', '$key', 'images/a.jpg']],
    ['another content type', { 'Content-Type': 'text/html' }, {}, ['eq', '$Content-Type', 'image/jpeg']],
    ['no content type', { 'Content-Type': undefined }, {}, ['eq', '$Content-Type', 'image/jpeg']],
    ['a file one byte too big', {}, { fileSize: 101 }, ['content-length-range', 1, 100]],
    ['an empty file', {}, { fileSize: 0 }, ['content-length-range', 1, 100]],
    ['another bucket', {}, { bucket: 'other-1250000000' }, { bucket }],
    ['another q-ak', { 'q-ak': 'AKIDother' }, {}, { 'q-ak': credentials.secretId }],
    ['another q-sign-algorithm', { 'q-sign-algorithm': 'SHA1' }, {}, { 'q-sign-algorithm': 'sha1' }],
    ['a q-key-time other than q-sign-time', { 'q-key-time': '1700000000;1700000601' }, {}, { 'q-sign-time': keyTime }],
  ];
  it.each(violations)('reports %s as SIGN_ERR_POLICY_CONDITION with the condition', (_what, change, ctxChange, condition) => {
    const r = checkPostPolicy(text, { ...form, ...change }, { ...ctx, ...ctxChange });
    expect(r).toMatchObject({ ok: false, code: 'SIGN_ERR_POLICY_CONDITION', condition });
    if (!r.ok) expect(r.reason).toEqual(expect.any(String));
  });

  it('checks starts-with conditions as plain prefixes', () => {
    const prefixPolicy: PostPolicy = {
      expiration: '2030-01-01T00:00:00.000Z',
      conditions: [['starts-with', '$key', 'uploads/*'], ['starts-with', '$x-cos-meta-tag', ''], ...qConditions],
    };
    const json = JSON.stringify(prefixPolicy);
    const base = { ...qFields, 'x-cos-meta-tag': 'anything' };
    expect(checkPostPolicy(json, { ...base, key: 'uploads/*/a' }, ctx).ok).toBe(true);
    expect(checkPostPolicy(json, { ...base, key: 'uploads/a' }, ctx)).toMatchObject({
      ok: false,
      code: 'SIGN_ERR_POLICY_CONDITION',
      condition: ['starts-with', '$key', 'uploads/*'],
    });
    expect(checkPostPolicy(json, { ...qFields, key: 'uploads/*/a' }, ctx)).toMatchObject({
      ok: false,
      condition: ['starts-with', '$x-cos-meta-tag', ''],
    });
  });

  it('reports expiry: at and after the expiration instant', () => {
    expect(checkPostPolicy(text, form, { ...ctx, now: 1700000599 }).ok).toBe(true);
    expect(checkPostPolicy(text, form, { ...ctx, now: 1700000600 })).toMatchObject({ ok: false, code: 'SIGN_ERR_POLICY_EXPIRED' });
    expect(checkPostPolicy(text, form, { ...ctx, now: 1800000000 })).toMatchObject({ ok: false, code: 'SIGN_ERR_POLICY_EXPIRED' });
  });

  it.each([
    ['not JSON', '{'],
    ['no expiration', JSON.stringify({ conditions: [] })],
    ['no conditions', JSON.stringify({ expiration: '2030-01-01T00:00:00Z' })],
    ['a bad expiration', JSON.stringify({ expiration: 'soon', conditions: [] })],
    ['a JSON array', '[]'],
  ])('reports a policy with %s as SIGN_ERR_POLICY_MALFORMED', (_what, json) => {
    expect(checkPostPolicy(json, form, ctx)).toMatchObject({ ok: false, code: 'SIGN_ERR_POLICY_MALFORMED' });
  });

  it.each(['q-sign-algorithm', 'q-ak', 'q-sign-time'])('requires the %s condition', (name) => {
    const conditions = qConditions.filter((c) => !(name in c));
    expect(checkPostPolicy(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions }), form, ctx)).toMatchObject({
      ok: false,
      code: 'SIGN_ERR_POLICY_CONDITION',
    });
    const r = checkPostPolicy(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions }), form, ctx);
    if (!r.ok) expect(r.reason).toContain(`"${name}"`);
    expect(checkPostPolicy(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions: qConditions }), form, ctx).ok).toBe(true);
  });

  it('refuses unknown operators', () => {
    const unknown = ['ends-with', '$key', '.jpg'];
    expect(
      checkPostPolicy(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions: [unknown, ...qConditions] }), form, ctx),
    ).toMatchObject({
      ok: false,
      code: 'SIGN_ERR_POLICY_CONDITION',
      condition: unknown,
    });
  });
});
