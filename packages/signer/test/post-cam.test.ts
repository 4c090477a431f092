import { describe, expect, it } from 'vitest';
import {
  checkPostPolicy,
  cosResource,
  createObjectPolicy,
  createPostPolicy,
  decodePolicyField,
  MULTIPART_UPLOAD_ACTIONS,
  signPostPolicy,
  SignerError,
  verifyPostSignature,
} from '../src/index.js';

const credentials = { secretId: 'AKIDpost', secretKey: 'post-secret', securityToken: 'tok' };
const keyTime = '1700000000;1700000600';
const now = 1700000100;

describe('POST policies', () => {
  const policy = createPostPolicy({
    bucket: 'dev-1250000000',
    key: 'images/a.jpg',
    expiration: new Date(1700000600 * 1000),
    contentLengthRange: [1, 100],
    contentType: 'image/jpeg',
    credentials,
    keyTime,
  });
  const fields = { key: 'images/a.jpg', 'Content-Type': 'image/jpeg', ...signPostPolicy(policy, { credentials, keyTime }) } as Record<string, string>;

  it('signs a policy that verifies and passes its own conditions', () => {
    expect(fields['x-cos-security-token']).toBe('tok');
    expect(verifyPostSignature(fields, credentials.secretKey).valid).toBe(true);
    const text = decodePolicyField(fields.policy!)!;
    expect(JSON.parse(text)).toEqual(policy);
    expect(checkPostPolicy(text, fields, { bucket: 'dev-1250000000', fileSize: 50, now })).toMatchObject({ ok: true });
  });

  it('rejects a forged signature and a foreign key', () => {
    expect(verifyPostSignature({ ...fields, 'q-signature': 'f'.repeat(40) }, credentials.secretKey)).toMatchObject({ valid: false, code: 'SIGN_ERR_SIGNATURE_MISMATCH' });
    expect(verifyPostSignature(fields, 'other').valid).toBe(false);
    expect(verifyPostSignature({ ...fields, policy: '!!!' }, credentials.secretKey)).toMatchObject({ valid: false, code: 'SIGN_ERR_POLICY_MALFORMED' });
    const { 'q-ak': _ak, ...missing } = fields;
    expect(verifyPostSignature(missing, credentials.secretKey)).toMatchObject({ valid: false, code: 'SIGN_ERR_AUTH_MISSING_FIELD' });
  });

  it.each([
    ['another key', { key: 'images/b.jpg' }, 50, 'SIGN_ERR_POLICY_CONDITION', '$key'],
    ['another type', { 'Content-Type': 'text/html' }, 50, 'SIGN_ERR_POLICY_CONDITION', '$Content-Type'],
    ['a file too big', {}, 101, 'SIGN_ERR_POLICY_CONDITION', 'content-length-range'],
    ['an empty file', {}, 0, 'SIGN_ERR_POLICY_CONDITION', 'content-length-range'],
    ['another q-key-time', { 'q-key-time': '1700000000;1700000601' }, 50, 'SIGN_ERR_POLICY_CONDITION', 'q-sign-time'],
  ])('names the failed condition for %s', (_what, change, size, code, clause) => {
    const r = checkPostPolicy(decodePolicyField(fields.policy!)!, { ...fields, ...change }, { bucket: 'dev-1250000000', fileSize: size, now });
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(JSON.stringify(r.condition)).toContain(clause);
  });

  it('refuses an expired policy and a policy of another bucket', () => {
    const text = decodePolicyField(fields.policy!)!;
    expect(checkPostPolicy(text, fields, { bucket: 'dev-1250000000', fileSize: 5, now: 1700000601 })).toMatchObject({ ok: false, code: 'SIGN_ERR_POLICY_EXPIRED' });
    expect(checkPostPolicy(text, fields, { bucket: 'other-1250000000', fileSize: 5, now })).toMatchObject({ ok: false, code: 'SIGN_ERR_POLICY_CONDITION' });
    expect(checkPostPolicy('{', fields, { bucket: 'dev-1250000000', fileSize: 5, now })).toMatchObject({ ok: false, code: 'SIGN_ERR_POLICY_MALFORMED' });
  });
});

describe('CAM policies', () => {
  it('writes both resource forms', () => {
    expect(cosResource({ region: 'ap-guangzhou', bucket: 'dev-1250000000', key: 'a/b.jpg' })).toBe('qcs::cos:ap-guangzhou:uid/1250000000:dev-1250000000/a/b.jpg');
    expect(cosResource({ region: 'ap-guangzhou', bucket: 'dev-1250000000', key: 'a/b.jpg', form: 'prefix' })).toBe(
      'qcs::cos:ap-guangzhou:uid/1250000000:prefix//1250000000/dev/a/b.jpg',
    );
  });

  it('allows exactly one key, with the hard-limit pattern for size and type', () => {
    const p = createObjectPolicy({ region: 'ap-guangzhou', bucket: 'dev-1250000000', key: 'images/a.jpg', actions: ['PutObject'], maxSize: 1024, contentType: 'image/jpeg' });
    expect(p.statement).toEqual([
      {
        effect: 'allow',
        action: ['name/cos:PutObject'],
        resource: ['qcs::cos:ap-guangzhou:uid/1250000000:dev-1250000000/images/a.jpg'],
        condition: { numeric_less_than_equal: { 'cos:content-length': 1024 }, string_equal: { 'cos:content-type': 'image/jpeg' } },
      },
      {
        effect: 'deny',
        action: ['name/cos:PutObject'],
        resource: ['qcs::cos:ap-guangzhou:uid/1250000000:dev-1250000000/images/a.jpg'],
        condition: { numeric_greater_than_if_exist: { 'cos:content-length': 1024 }, string_not_equal_if_exist: { 'cos:content-type': 'image/jpeg' } },
      },
    ]);
    const prefix = createObjectPolicy({ region: 'ap-guangzhou', bucket: 'dev-1250000000', prefix: 'uploads/', actions: MULTIPART_UPLOAD_ACTIONS });
    expect(prefix.statement[0]!.resource).toEqual(['qcs::cos:ap-guangzhou:uid/1250000000:dev-1250000000/uploads/*']);
    expect(prefix.statement).toHaveLength(1);
  });

  it.each([
    [{ region: 'ap-guangzhou', bucket: 'nobucket', key: 'a', actions: ['PutObject'] }],
    [{ region: 'ap-guangzhou', bucket: 'dev-1250000000', actions: ['PutObject'] }],
    [{ region: 'ap-guangzhou', bucket: 'dev-1250000000', key: 'a*', actions: ['PutObject'] }],
    [{ region: 'AP GZ', bucket: 'dev-1250000000', key: 'a', actions: ['PutObject'] }],
    [{ region: 'ap-guangzhou', bucket: 'dev-1250000000', key: 'a', actions: [] }],
  ])('refuses %j with SIGN_ERR_INVALID_ARGUMENT', (input) => {
    try {
      createObjectPolicy(input as never);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SignerError);
      expect((e as SignerError).code).toBe('SIGN_ERR_INVALID_ARGUMENT');
    }
  });
});
