import { describe, expect, it } from 'vitest';
import {
  cosResource,
  createObjectPolicy,
  MULTIPART_UPLOAD_ACTIONS,
  SignerError,
  UPLOAD_ACTIONS,
  type ObjectPolicyInput,
} from '../src/index.js';

const base = { region: 'ap-guangzhou', bucket: 'examplebucket-1250000000' };
const RESOURCE = 'qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/images/a.jpg';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SignerError);
    return (e as SignerError).code;
  }
  return 'no error';
}

describe('cosResource', () => {
  it('writes the bucket form (default) and the older prefix form', () => {
    expect(cosResource({ ...base, key: 'images/a.jpg' })).toBe(RESOURCE);
    expect(cosResource({ ...base, key: 'images/a.jpg', form: 'bucket' })).toBe(RESOURCE);
    expect(cosResource({ ...base, key: 'images/a.jpg', form: 'prefix' })).toBe(
      'qcs::cos:ap-guangzhou:uid/1250000000:prefix//1250000000/examplebucket/images/a.jpg',
    );
  });

  it('strips one leading slash, keeps non-ASCII literal and takes an explicit matching appId', () => {
    expect(cosResource({ ...base, key: '/images/a.jpg' })).toBe(RESOURCE);
    expect(cosResource({ ...base, key: '文件/a b.jpg' })).toBe(
      'qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/文件/a b.jpg',
    );
    expect(cosResource({ ...base, key: 'uploads/*', appId: '1250000000' })).toBe(
      'qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/*',
    );
    expect(cosResource({ region: 'ap-beijing', bucket: 'my-app-bucket-1300000001', key: 'k', form: 'prefix' })).toBe(
      'qcs::cos:ap-beijing:uid/1300000001:prefix//1300000001/my-app-bucket/k',
    );
  });

  it.each([
    ['a bucket without appid', { ...base, bucket: 'examplebucket', key: 'a' }],
    ['an upper-case bucket', { ...base, bucket: 'Example-1250000000', key: 'a' }],
    ['an invalid region', { ...base, region: 'AP GZ', key: 'a' }],
    ['an empty region', { ...base, region: '', key: 'a' }],
    ['an appId other than the bucket suffix', { ...base, appId: '1250000001', key: 'a' }],
  ])('refuses %s with SIGN_ERR_INVALID_ARGUMENT', (_what, input) => {
    expect(codeOf(() => cosResource(input))).toBe('SIGN_ERR_INVALID_ARGUMENT');
  });
});

describe('createObjectPolicy', () => {
  it('allows exactly one key with one statement when no limits are given', () => {
    expect(createObjectPolicy({ ...base, key: 'images/a.jpg', actions: UPLOAD_ACTIONS })).toEqual({
      version: '2.0',
      statement: [{ effect: 'allow', action: ['name/cos:PutObject'], resource: [RESOURCE] }],
    });
  });

  it('writes maxSize and contentType as an allow condition plus the matching _if_exist deny', () => {
    const p = createObjectPolicy({
      ...base,
      key: 'images/a.jpg',
      actions: ['PutObject', 'name/cos:PostObject'],
      maxSize: 1024,
      contentType: 'image/jpeg',
    });
    const action = ['name/cos:PutObject', 'name/cos:PostObject'];
    expect(p).toEqual({
      version: '2.0',
      statement: [
        {
          effect: 'allow',
          action,
          resource: [RESOURCE],
          condition: { numeric_less_than_equal: { 'cos:content-length': 1024 }, string_equal: { 'cos:content-type': 'image/jpeg' } },
        },
        {
          effect: 'deny',
          action,
          resource: [RESOURCE],
          condition: {
            numeric_greater_than_if_exist: { 'cos:content-length': 1024 },
            string_not_equal_if_exist: { 'cos:content-type': 'image/jpeg' },
          },
        },
      ],
    });
  });

  it.each([
    [
      'maxSize only',
      { maxSize: 0 },
      { numeric_less_than_equal: { 'cos:content-length': 0 } },
      { numeric_greater_than_if_exist: { 'cos:content-length': 0 } },
    ],
    [
      'contentType only',
      { contentType: 'video/mp4' },
      { string_equal: { 'cos:content-type': 'video/mp4' } },
      { string_not_equal_if_exist: { 'cos:content-type': 'video/mp4' } },
    ],
  ])('writes the hard-limit pattern for %s', (_what, limits, allow, deny) => {
    const p = createObjectPolicy({ ...base, key: 'images/a.jpg', actions: ['PutObject'], ...limits });
    expect(p.statement.map((s) => [s.effect, s.condition])).toEqual([
      ['allow', allow],
      ['deny', deny],
    ]);
  });

  it('covers a prefix in either resource form, with extra allow conditions merged', () => {
    const p = createObjectPolicy({
      ...base,
      prefix: 'uploads/user-1/',
      actions: MULTIPART_UPLOAD_ACTIONS,
      form: 'prefix',
      maxSize: 5,
      conditions: { numeric_less_than_equal: { 'cos:x-cos-traffic-limit': 100 }, ip_equal: { 'qcs:ip': ['10.0.0.0/8'] } },
    });
    expect(p.statement).toHaveLength(2);
    expect(p.statement[0]).toEqual({
      effect: 'allow',
      action: [...MULTIPART_UPLOAD_ACTIONS],
      resource: ['qcs::cos:ap-guangzhou:uid/1250000000:prefix//1250000000/examplebucket/uploads/user-1/*'],
      condition: {
        numeric_less_than_equal: { 'cos:x-cos-traffic-limit': 100, 'cos:content-length': 5 },
        ip_equal: { 'qcs:ip': ['10.0.0.0/8'] },
      },
    });
    expect(p.statement[1]!.condition).toEqual({ numeric_greater_than_if_exist: { 'cos:content-length': 5 } });
  });

  it('lists the upload actions', () => {
    expect(UPLOAD_ACTIONS).toEqual(['name/cos:PutObject']);
    expect(MULTIPART_UPLOAD_ACTIONS).toEqual([
      'name/cos:InitiateMultipartUpload',
      'name/cos:UploadPart',
      'name/cos:ListParts',
      'name/cos:CompleteMultipartUpload',
      'name/cos:AbortMultipartUpload',
    ]);
    expect(Object.isFrozen(MULTIPART_UPLOAD_ACTIONS)).toBe(true);
  });

  it('keeps wildcard and fully-qualified actions as given', () => {
    expect(createObjectPolicy({ ...base, key: 'a', actions: ['*', 'name/cos:GetObject', 'HeadObject'] }).statement[0]!.action).toEqual([
      '*',
      'name/cos:GetObject',
      'name/cos:HeadObject',
    ]);
  });

  const invalid: Array<[string, Partial<ObjectPolicyInput>]> = [
    ['neither key nor prefix', { key: undefined }],
    ['both key and prefix', { prefix: 'p/' }],
    ['an empty key', { key: '' }],
    ['a key with *', { key: 'a*' }],
    ['no actions', { actions: [] }],
    ['actions that are not an array', { actions: 'PutObject' as never }],
    ['a negative maxSize', { maxSize: -1 }],
    ['a fractional maxSize', { maxSize: 1.5 }],
    ['a bucket without appid', { bucket: 'nobucket' }],
    ['an invalid region', { region: 'AP GZ' }],
    ['a foreign appId', { appId: '1250000001' }],
  ];
  it.each(invalid)('refuses %s with SIGN_ERR_INVALID_ARGUMENT', (_what, change) => {
    const input = { ...base, key: 'images/a.jpg', actions: ['PutObject'], ...change } as ObjectPolicyInput;
    expect(codeOf(() => createObjectPolicy(input))).toBe('SIGN_ERR_INVALID_ARGUMENT');
  });
});
