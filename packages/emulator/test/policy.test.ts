import type { CamPolicy } from '@cos-direct/signer';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, validatePolicy } from '../src/policy/index.js';

const resource = { region: 'ap-guangzhou', appId: '1250000000', bucket: 'dev-1250000000', key: 'images/a.jpg' };
const req = (action: string, context: Record<string, string | number | boolean | undefined> = {}, key = resource.key) => ({
  action,
  resource: { ...resource, key },
  context,
});
const allow = (extra: Partial<CamPolicy['statement'][number]> = {}): CamPolicy => ({
  version: '2.0',
  statement: [
    {
      effect: 'allow',
      action: ['name/cos:PutObject'],
      resource: ['qcs::cos:ap-guangzhou:uid/1250000000:dev-1250000000/images/*'],
      ...extra,
    },
  ],
});

describe('CAM policy evaluation', () => {
  it('allows a matching action and resource, and denies by default', () => {
    expect(evaluatePolicy(allow(), req('name/cos:PutObject')).allowed).toBe(true);
    const other = evaluatePolicy(allow(), req('name/cos:GetObject'));
    expect(other.allowed).toBe(false);
    expect(!other.allowed && other.reason).toContain('name/cos:GetObject');
    expect(evaluatePolicy(allow(), req('name/cos:PutObject', {}, 'docs/a.jpg')).allowed).toBe(false);
  });

  it('reads both resource forms and wildcards', () => {
    const prefixForm = allow({ resource: ['qcs::cos:ap-guangzhou:uid/1250000000:prefix//1250000000/dev/images/a.jpg'] });
    expect(evaluatePolicy(prefixForm, req('name/cos:PutObject')).allowed).toBe(true);
    expect(evaluatePolicy(prefixForm, req('name/cos:PutObject', {}, 'images/b.jpg')).allowed).toBe(false);
    expect(evaluatePolicy(allow({ resource: ['*'], action: ['name/cos:*'] }), req('name/cos:GetObject')).allowed).toBe(true);
    expect(
      evaluatePolicy(allow({ resource: ['qcs::cos:ap-beijing:uid/1250000000:dev-1250000000/*'] }), req('name/cos:PutObject')).allowed,
    ).toBe(false);
  });

  it('lets a deny override an allow', () => {
    const p: CamPolicy = {
      version: '2.0',
      statement: [
        ...allow().statement,
        {
          effect: 'deny',
          action: ['name/cos:PutObject'],
          resource: ['*'],
          condition: { numeric_greater_than_if_exist: { 'cos:content-length': 10 } },
        },
      ],
    };
    expect(evaluatePolicy(p, req('name/cos:PutObject', { 'cos:content-length': 5 })).allowed).toBe(true);
    const denied = evaluatePolicy(p, req('name/cos:PutObject', { 'cos:content-length': 11 }));
    expect(denied.allowed).toBe(false);
    expect(!denied.allowed && denied.reason).toContain('deny');
    // _if_exist holds when the key is absent, so the deny also refuses a request that declares no size.
    expect(evaluatePolicy(p, req('name/cos:PutObject', {})).allowed).toBe(false);
  });

  it.each([
    ['string_equal', { 'cos:content-type': 'image/jpeg' }, { 'cos:content-type': 'image/jpeg' }, { 'cos:content-type': 'image/png' }],
    ['string_not_equal', { 'cos:content-type': 'text/html' }, { 'cos:content-type': 'image/png' }, { 'cos:content-type': 'text/html' }],
    [
      'string_equal_ignore_case',
      { 'cos:content-type': 'IMAGE/JPEG' },
      { 'cos:content-type': 'image/jpeg' },
      { 'cos:content-type': 'image/png' },
    ],
    ['string_like', { 'cos:content-type': 'image/*' }, { 'cos:content-type': 'image/webp' }, { 'cos:content-type': 'text/plain' }],
    ['string_not_like', { 'cos:content-type': 'text/*' }, { 'cos:content-type': 'image/webp' }, { 'cos:content-type': 'text/plain' }],
    ['numeric_less_than_equal', { 'cos:content-length': 10 }, { 'cos:content-length': 10 }, { 'cos:content-length': 11 }],
    ['numeric_greater_than', { 'cos:content-length': 10 }, { 'cos:content-length': 11 }, { 'cos:content-length': 10 }],
    ['numeric_equal', { 'cos:content-length': 3 }, { 'cos:content-length': 3 }, { 'cos:content-length': 4 }],
    ['ip_equal', { 'qcs:ip': '10.0.0.0/8' }, { 'qcs:ip': '10.1.2.3' }, { 'qcs:ip': '192.168.0.1' }],
    ['ip_equal', { 'qcs:ip': '127.0.0.1' }, { 'qcs:ip': '::ffff:127.0.0.1' }, { 'qcs:ip': '127.0.0.2' }],
    ['ip_not_equal', { 'qcs:ip': '10.0.0.0/8' }, { 'qcs:ip': '192.168.0.1' }, { 'qcs:ip': '10.1.2.3' }],
    ['bool_equal', { 'cos:secure-transport': 'true' }, { 'cos:secure-transport': true }, { 'cos:secure-transport': false }],
    [
      'date_less_than',
      { 'qcs:current_time': '2030-01-01T00:00:00Z' },
      { 'qcs:current_time': 1700000000 },
      { 'qcs:current_time': 2000000000 },
    ],
  ])('%s %j', (op, values, pass, fail) => {
    const p = allow({ condition: { [op]: values } });
    expect(evaluatePolicy(p, req('name/cos:PutObject', pass)).allowed).toBe(true);
    const r = evaluatePolicy(p, req('name/cos:PutObject', fail));
    expect(r.allowed).toBe(false);
    expect(!r.allowed && r.reason).toContain(op);
  });

  it('treats an absent key as failing unless _if_exist', () => {
    expect(
      evaluatePolicy(allow({ condition: { string_equal: { 'cos:content-type': 'image/jpeg' } } }), req('name/cos:PutObject')).allowed,
    ).toBe(false);
    expect(
      evaluatePolicy(allow({ condition: { string_equal_if_exist: { 'cos:content-type': 'image/jpeg' } } }), req('name/cos:PutObject'))
        .allowed,
    ).toBe(true);
    expect(evaluatePolicy(allow({ condition: { null_equal: { 'cos:content-type': 'true' } } }), req('name/cos:PutObject')).allowed).toBe(
      true,
    );
  });

  it('validates policies at issue time', () => {
    expect(validatePolicy(allow()).ok).toBe(true);
    expect(validatePolicy({ statement: [] }).ok).toBe(false);
    const badOp = validatePolicy(allow({ condition: { string_sorta_equal: { a: 'b' } } }));
    expect(!badOp.ok && badOp.reason).toContain('string_sorta_equal');
    expect(validatePolicy(allow({ resource: ['arn:aws:s3:::x'] })).ok).toBe(false);
  });
});
