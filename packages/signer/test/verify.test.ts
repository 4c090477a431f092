import { describe, expect, it } from 'vitest';
import { findAuthorization, formatAuthorization, parseAuthorization, presignRequest, signRequest, SignerError, verifyRequest, type AuthorizationFields } from '../src/index.js';

const credentials = { secretId: 'AKIDtest', secretKey: 'test-secret-key' };
const request = {
  method: 'PUT',
  pathname: '/photos/a b.jpg',
  query: { partNumber: '1', uploadId: 'abc' },
  headers: { host: 'dev-1250000000.cos.ap-guangzhou.myqcloud.com', 'content-length': '5', 'x-cos-meta-a': 'b' },
};
const signed = signRequest(request, { credentials, keyTime: '1700000000;1700000900' });

describe('verifyRequest', () => {
  it('accepts the unchanged request and reports what it computed', () => {
    const v = verifyRequest(request, signed.fields, credentials.secretKey);
    expect(v).toEqual({ valid: true, formatString: signed.formatString, stringToSign: signed.stringToSign });
  });

  const requestChanges: Array<[string, typeof request]> = [
    ['method', { ...request, method: 'POST' }],
    ['path', { ...request, pathname: '/photos/a-b.jpg' }],
    ['query value', { ...request, query: { ...request.query, partNumber: '2' } }],
    ['header value', { ...request, headers: { ...request.headers, 'x-cos-meta-a': 'c' } }],
    ['host', { ...request, headers: { ...request.headers, host: 'other-1250000000.cos.ap-guangzhou.myqcloud.com' } }],
  ];
  it.each(requestChanges)('rejects a changed %s', (_what, changed) => {
    const v = verifyRequest(changed, signed.fields, credentials.secretKey);
    expect(v.valid).toBe(false);
    if (!v.valid) {
      expect(v.code).toBe('SIGN_ERR_SIGNATURE_MISMATCH');
      expect(v.formatString).toContain('\n');
      expect(v.stringToSign).toMatch(/^sha1\n/);
    }
  });

  const fieldChanges: Array<[string, Partial<AuthorizationFields>, string]> = [
    ['q-sign-time', { signTime: '1700000000;1700000901' }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-key-time', { keyTime: '1700000001;1700000900' }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-header-list (dropped)', { headerList: ['content-length', 'host'] }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-header-list (absent header)', { headerList: [...signed.fields.headerList, 'range'] }, 'SIGN_ERR_SIGNED_HEADER_MISSING'],
    ['q-url-param-list (dropped)', { urlParamList: ['partnumber'] }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-url-param-list (absent param)', { urlParamList: ['partnumber', 'uploadid', 'versionid'] }, 'SIGN_ERR_SIGNED_PARAM_MISSING'],
    ['q-signature', { signature: '0'.repeat(40) }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
  ];
  it.each(fieldChanges)('rejects a changed %s', (_what, change, code) => {
    const v = verifyRequest(request, { ...signed.fields, ...change }, credentials.secretKey);
    expect(v.valid).toBe(false);
    if (!v.valid) expect(v.code).toBe(code);
  });

  it('rejects the right signature checked with another secret key', () => {
    expect(verifyRequest(request, signed.fields, 'another-secret').valid).toBe(false);
  });
});

describe('parseAuthorization and findAuthorization', () => {
  it('round-trips an Authorization value', () => {
    expect(parseAuthorization(signed.authorization)).toEqual(signed.fields);
    expect(formatAuthorization(parseAuthorization(signed.authorization))).toBe(signed.authorization);
  });

  it.each([
    ['', 'SIGN_ERR_AUTH_MALFORMED'],
    ['garbage', 'SIGN_ERR_AUTH_MALFORMED'],
    ['q-sign-algorithm=sha1&q-ak=x', 'SIGN_ERR_AUTH_MISSING_FIELD'],
    [signed.authorization.replace('sha1', 'md5'), 'SIGN_ERR_AUTH_ALGORITHM'],
    [signed.authorization.replace(/q-signature=\w+/, 'q-signature=xyz'), 'SIGN_ERR_AUTH_MALFORMED'],
  ])('refuses %j with %s', (value, code) => {
    try {
      parseAuthorization(value);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SignerError);
      expect((e as SignerError).code).toBe(code);
    }
  });

  it('finds the signature in the header, the presigned query or sign=', () => {
    const token = 'session-token';
    expect(findAuthorization({ headers: { Authorization: signed.authorization, 'x-cos-security-token': token }, query: {} })).toMatchObject({ source: 'header', securityToken: token });
    const presigned = presignRequest(
      { method: 'GET', pathname: '/a b.txt', query: { 'response-content-type': 'text/plain' }, headers: { host: 'h' } },
      { credentials: { ...credentials, securityToken: token }, keyTime: '1700000000;1700000900' },
    );
    const query = Object.fromEntries(new URLSearchParams(presigned.query));
    const found = findAuthorization({ headers: { host: 'h' }, query })!;
    expect(found.source).toBe('query');
    expect(found.securityToken).toBe(token);
    expect(verifyRequest({ method: 'GET', pathname: '/a b.txt', query, headers: { host: 'h' } }, found.fields, credentials.secretKey).valid).toBe(true);
    expect(findAuthorization({ headers: {}, query: { sign: signed.authorization } })?.source).toBe('sign');
    expect(findAuthorization({ headers: {}, query: {} })).toBeUndefined();
  });
});
