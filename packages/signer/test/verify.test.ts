import { describe, expect, it } from 'vitest';
import { defaultCrypto as nodeCrypto } from '../src/crypto/node.js';
import { defaultCrypto as pureCrypto } from '../src/crypto/pure.js';
import {
  findAuthorization,
  formatAuthorization,
  parseAuthorization,
  presignRequest,
  signRequest,
  SignerError,
  verifyRequest,
  type AuthorizationFields,
  type CosRequest,
  type VerifyResult,
} from '../src/index.js';

const keys: Record<string, string> = {
  AKIDalice0000000000000000000000000000: 'alice-secret-key-0000000000000000',
  AKIDbob000000000000000000000000000000: 'bob-secret-key-00000000000000000000',
};
const credentials = { secretId: 'AKIDalice0000000000000000000000000000', secretKey: keys.AKIDalice0000000000000000000000000000! };
const keyTime = '1700000000;1700000900';

const request = {
  method: 'PUT',
  pathname: '/photos/a b+(1).jpg',
  query: { partNumber: '1', uploadId: 'abc', 'response-content-type': 'image/jpeg' },
  headers: {
    Host: 'dev-1250000000.cos.ap-guangzhou.myqcloud.com',
    'Content-Length': '5',
    'Content-MD5': 'XUFAKrxLKna5cZ2REBfFkg==',
    'x-cos-meta-author': 'Zhang San',
    'x-cos-storage-class': 'STANDARD',
    'User-Agent': 'not signed',
  },
} satisfies CosRequest;
const signed = signRequest(request, { credentials, keyTime });

function expectFailure(v: VerifyResult, code: string): void {
  expect(v.valid).toBe(false);
  if (v.valid) return;
  expect(v.code).toBe(code);
  expect(v.reason).toEqual(expect.any(String));
  expect(v.formatString).toMatch(/^[a-z]+\n\//);
  expect(v.stringToSign).toMatch(/^sha1\n\d+;\d+\n[0-9a-f]{40}\n$/);
}

describe('verifyRequest', () => {
  it('returns plain data that survives spreading, cloning and JSON', () => {
    const copy = structuredClone(signed);
    expect(copy).toEqual(signed);
    expect({ ...signed }.fields).toEqual(parseAuthorization(signed.authorization));
    expect(JSON.parse(JSON.stringify(signed))).toEqual(signed);
    // Each result owns its lists.
    const other = signRequest({ method: 'GET', pathname: '/' }, { credentials, keyTime });
    other.fields.headerList.push('x');
    expect(signRequest({ method: 'GET', pathname: '/' }, { credentials, keyTime }).fields.headerList).toEqual([]);
  });

  it('signs what it should', () => {
    expect(signed.fields.headerList).toEqual(['content-length', 'content-md5', 'host', 'x-cos-meta-author', 'x-cos-storage-class']);
    expect(signed.fields.urlParamList).toEqual(['partnumber', 'response-content-type', 'uploadid']);
  });

  it.each([
    ['node:crypto', nodeCrypto],
    ['pure', pureCrypto],
  ] as const)('accepts the unchanged request (%s provider)', (_name, crypto) => {
    expect(verifyRequest(request, signed.fields, credentials.secretKey, { crypto })).toEqual({
      valid: true,
      formatString: signed.formatString,
      stringToSign: signed.stringToSign,
    });
  });

  it('accepts the request with other header-name case, unsigned extras and parsed Authorization', () => {
    const lowered = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const wire = {
      ...request,
      method: 'put',
      headers: { ...lowered, 'x-cos-security-token': 'tok', 'cache-control': 'no-cache' },
      query: { ...request.query, unsigned: 'x' },
    };
    expect(verifyRequest(wire, parseAuthorization(signed.authorization), credentials.secretKey).valid).toBe(true);
  });

  const mismatches: Array<[string, CosRequest]> = [
    ['method', { ...request, method: 'POST' }],
    ['path', { ...request, pathname: '/photos/a b+(2).jpg' }],
    ['path (encoded instead of decoded)', { ...request, pathname: '/photos/a%20b%2B%281%29.jpg' }],
    ['path (case)', { ...request, pathname: '/Photos/a b+(1).jpg' }],
    ...Object.keys(request.query).map((name): [string, CosRequest] => [
      `query parameter ${name}`,
      { ...request, query: { ...request.query, [name]: `${request.query[name as keyof typeof request.query]}x` } },
    ]),
    ...signed.fields.headerList.map((lower): [string, CosRequest] => {
      const name = Object.keys(request.headers).find((k) => k.toLowerCase() === lower)!;
      return [
        `header ${name}`,
        { ...request, headers: { ...request.headers, [name]: `${request.headers[name as keyof typeof request.headers]}0` } },
      ];
    }),
  ];
  it.each(mismatches)('rejects a changed %s with SIGN_ERR_SIGNATURE_MISMATCH', (_what, changed) => {
    const v = verifyRequest(changed, signed.fields, credentials.secretKey);
    expectFailure(v, 'SIGN_ERR_SIGNATURE_MISMATCH');
    if (!v.valid) {
      expect(v.expectedSignature).toMatch(/^[0-9a-f]{40}$/);
      expect(v.expectedSignature).not.toBe(signed.fields.signature);
      expect(v.formatString).not.toBe(signed.formatString);
    }
  });

  it('ignores changes to what is not signed', () => {
    expect(
      verifyRequest({ ...request, headers: { ...request.headers, 'User-Agent': 'other' } }, signed.fields, credentials.secretKey).valid,
    ).toBe(true);
    expect(verifyRequest({ ...request, query: { ...request.query, extra: '1' } }, signed.fields, credentials.secretKey).valid).toBe(true);
  });

  it.each(signed.fields.headerList)('reports a removed signed header %s as SIGN_ERR_SIGNED_HEADER_MISSING', (lower) => {
    const headers: Record<string, string> = { ...request.headers };
    for (const k of Object.keys(headers)) if (k.toLowerCase() === lower) delete headers[k];
    const v = verifyRequest({ ...request, headers }, signed.fields, credentials.secretKey);
    expectFailure(v, 'SIGN_ERR_SIGNED_HEADER_MISSING');
    if (!v.valid) expect(v.missing).toBe(lower);
  });

  it.each(Object.keys(request.query))('reports a removed signed parameter %s as SIGN_ERR_SIGNED_PARAM_MISSING', (name) => {
    const query: Record<string, string> = { ...request.query };
    delete query[name];
    const v = verifyRequest({ ...request, query }, signed.fields, credentials.secretKey);
    expectFailure(v, 'SIGN_ERR_SIGNED_PARAM_MISSING');
    if (!v.valid) expect(v.missing).toBe(name.toLowerCase());
  });

  const fieldChanges: Array<[string, Partial<AuthorizationFields>, string]> = [
    ['q-sign-time', { signTime: '1700000000;1700000901' }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-key-time', { keyTime: '1700000001;1700000900' }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-header-list (one dropped)', { headerList: signed.fields.headerList.slice(1) }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-header-list (reordered)', { headerList: [...signed.fields.headerList].reverse() }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-header-list (unsigned header added)', { headerList: [...signed.fields.headerList, 'user-agent'] }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-header-list (absent header added)', { headerList: [...signed.fields.headerList, 'range'] }, 'SIGN_ERR_SIGNED_HEADER_MISSING'],
    ['q-url-param-list (one dropped)', { urlParamList: signed.fields.urlParamList.slice(1) }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-url-param-list (reordered)', { urlParamList: [...signed.fields.urlParamList].reverse() }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    [
      'q-url-param-list (absent parameter added)',
      { urlParamList: [...signed.fields.urlParamList, 'versionid'] },
      'SIGN_ERR_SIGNED_PARAM_MISSING',
    ],
    ['q-signature', { signature: signed.fields.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
    ['q-signature (truncated)', { signature: signed.fields.signature.slice(0, 39) }, 'SIGN_ERR_SIGNATURE_MISMATCH'],
  ];
  it.each(fieldChanges)('rejects a changed %s', (_what, change, code) => {
    expectFailure(verifyRequest(request, { ...signed.fields, ...change }, credentials.secretKey), code);
  });

  it('rejects q-ak swapped for another key: the server checks with that key’s secret', () => {
    const fields = { ...signed.fields, secretId: 'AKIDbob000000000000000000000000000000' };
    expectFailure(verifyRequest(request, fields, keys[fields.secretId]!), 'SIGN_ERR_SIGNATURE_MISMATCH');
    // And bob's own signature over the same request differs from alice's.
    const bob = signRequest(request, { credentials: { secretId: fields.secretId, secretKey: keys[fields.secretId]! }, keyTime });
    expect(bob.fields.signature).not.toBe(signed.fields.signature);
    expect(verifyRequest(request, bob.fields, keys[bob.fields.secretId]!).valid).toBe(true);
  });

  it('accepts an upper-case q-signature', () => {
    expect(
      verifyRequest(request, { ...signed.fields, signature: signed.fields.signature.toUpperCase() }, credentials.secretKey).valid,
    ).toBe(true);
  });
});

describe('parseAuthorization', () => {
  it('round-trips an Authorization value', () => {
    expect(parseAuthorization(signed.authorization)).toEqual(signed.fields);
    expect(formatAuthorization(parseAuthorization(signed.authorization))).toBe(signed.authorization);
  });

  const fieldNames = ['q-sign-algorithm', 'q-ak', 'q-sign-time', 'q-key-time', 'q-header-list', 'q-url-param-list', 'q-signature'];
  const without = (name: string) =>
    signed.authorization
      .split('&')
      .filter((p) => !p.startsWith(`${name}=`))
      .join('&');

  const cases: Array<[string, string, string]> = [
    ...fieldNames.map((name): [string, string, string] => [`missing ${name}`, without(name), 'SIGN_ERR_AUTH_MISSING_FIELD']),
    ['empty q-ak', signed.authorization.replace(/q-ak=[^&]+/, 'q-ak='), 'SIGN_ERR_AUTH_MISSING_FIELD'],
    ['algorithm md5', signed.authorization.replace('q-sign-algorithm=sha1', 'q-sign-algorithm=md5'), 'SIGN_ERR_AUTH_ALGORITHM'],
    ['algorithm hmac-sha256', signed.authorization.replace('q-sign-algorithm=sha1', 'q-sign-algorithm=sha256'), 'SIGN_ERR_AUTH_ALGORITHM'],
    ['empty value', '', 'SIGN_ERR_AUTH_MALFORMED'],
    ['blank value', '   ', 'SIGN_ERR_AUTH_MALFORMED'],
    ['not key=value', 'garbage', 'SIGN_ERR_AUTH_MALFORMED'],
    ['a part without a name', `=x&${signed.authorization}`, 'SIGN_ERR_AUTH_MALFORMED'],
    ['a repeated field', `${signed.authorization}&q-ak=AKIDother`, 'SIGN_ERR_AUTH_MALFORMED'],
    [
      'a signature that is not 40 hex digits',
      signed.authorization.replace(/q-signature=\w+/, 'q-signature=xyz'),
      'SIGN_ERR_AUTH_MALFORMED',
    ],
    ['a signature of 41 hex digits', `${signed.authorization}a`, 'SIGN_ERR_AUTH_MALFORMED'],
    [
      'an AWS-style header (one key=value pair, no q-* fields)',
      'AWS4-HMAC-SHA256 Credential=x/20230101/ap/s3/aws4_request',
      'SIGN_ERR_AUTH_MISSING_FIELD',
    ],
  ];
  it.each(cases)('refuses %s', (_what, value, code) => {
    let thrown: unknown;
    try {
      parseAuthorization(value);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SignerError);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as SignerError).code).toBe(code);
  });
});

describe('findAuthorization', () => {
  it('finds the Authorization header in any case, with the token header', () => {
    const found = findAuthorization({ headers: { AUTHORIZATION: signed.authorization, 'X-Cos-Security-Token': 'tok' }, query: {} });
    expect(found).toEqual({ source: 'header', fields: signed.fields, securityToken: 'tok' });
  });

  it('finds sign= and returns undefined for an anonymous request', () => {
    expect(findAuthorization({ headers: {}, query: { sign: signed.authorization } })).toEqual({ source: 'sign', fields: signed.fields });
    expect(findAuthorization({ headers: {}, query: {} })).toBeUndefined();
    expect(findAuthorization({ headers: { authorization: '' }, query: { prefix: 'a' } })).toBeUndefined();
  });

  it('carries the documented codes for broken signatures', () => {
    const code = (input: Parameters<typeof findAuthorization>[0]) => {
      try {
        findAuthorization(input);
        return 'no error';
      } catch (e) {
        expect(e).toBeInstanceOf(SignerError);
        return (e as SignerError).code;
      }
    };
    expect(code({ headers: { authorization: 'garbage' }, query: {} })).toBe('SIGN_ERR_AUTH_MALFORMED');
    expect(code({ headers: {}, query: { 'q-sign-algorithm': 'sha1', 'q-ak': 'x' } })).toBe('SIGN_ERR_AUTH_MISSING_FIELD');
    const presigned = Object.fromEntries(new URLSearchParams(presignRequest(request, { credentials, keyTime }).query));
    expect(code({ headers: {}, query: { ...presigned, 'q-sign-algorithm': 'md5' } })).toBe('SIGN_ERR_AUTH_ALGORITHM');
    expect(code({ headers: {}, query: { ...presigned, 'q-signature': 'nothex' } })).toBe('SIGN_ERR_AUTH_MALFORMED');
    expect(code({ headers: {}, query: { sign: signed.authorization.replace('sha1', 'sha256') } })).toBe('SIGN_ERR_AUTH_ALGORITHM');
  });
});

describe('presignRequest round trip', () => {
  const getRequest = {
    method: 'GET',
    pathname: '/reports/2024 Q1 (final)+.pdf',
    query: { 'response-content-disposition': 'attachment; filename="q1.pdf"', 'response-content-type': 'application/pdf', 'x-empty': '' },
    headers: { host: 'dev-1250000000.cos.ap-guangzhou.myqcloud.com' },
  } satisfies CosRequest;

  it.each([
    ['permanent', credentials],
    ['temporary', { ...credentials, securityToken: 'session token/+=' }],
  ])('verifies a %s-key URL through findAuthorization + verifyRequest', (_kind, creds) => {
    const presigned = presignRequest(getRequest, { credentials: creds, keyTime });
    expect(presigned.query.startsWith(`q-sign-algorithm=sha1&q-ak=${creds.secretId}&q-sign-time=`)).toBe(true);
    const url = new URL(`https://${getRequest.headers.host}/x?${presigned.query}`);
    const query = Object.fromEntries(url.searchParams);
    expect(query['x-cos-security-token']).toBe('securityToken' in creds ? creds.securityToken : undefined);
    const found = findAuthorization({ headers: getRequest.headers, query })!;
    expect(found.source).toBe('query');
    expect(found.fields).toEqual(presigned.fields);
    expect(found.securityToken).toBe('securityToken' in creds ? creds.securityToken : undefined);
    const verified = verifyRequest({ ...getRequest, query }, found.fields, creds.secretKey);
    expect(verified).toEqual({ valid: true, formatString: presigned.formatString, stringToSign: presigned.stringToSign });

    // A tampered parameter in the URL breaks it.
    url.searchParams.set('response-content-type', 'text/html');
    const tampered = verifyRequest({ ...getRequest, query: Object.fromEntries(url.searchParams) }, found.fields, creds.secretKey);
    expectFailure(tampered, 'SIGN_ERR_SIGNATURE_MISMATCH');
  });
});

// Names that collide after lower-casing (?A=1&a=2) are signed as two pairs, as cos-nodejs-sdk-v5 does;
// verification must hand out their values in the same order.
describe('names that differ only in case', () => {
  it('verifies a request whose query has A and a', () => {
    const r = { method: 'GET', pathname: '/a', query: { A: '1', a: '2' }, headers: { host: 'h' } };
    const s = signRequest(r, { credentials, keyTime });
    expect(s.fields.urlParamList).toEqual(['a', 'a']);
    expect(verifyRequest(r, s.fields, credentials.secretKey).valid).toBe(true);
  });

  it('verifies a request whose header object has Host and host', () => {
    const r = { method: 'GET', pathname: '/a', headers: { Host: 'h1', host: 'h2' } };
    const s = signRequest(r, { credentials, keyTime });
    expect(s.fields.headerList).toEqual(['host', 'host']);
    expect(verifyRequest(r, s.fields, credentials.secretKey).valid).toBe(true);
  });
});
