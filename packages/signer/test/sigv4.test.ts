import { describe, expect, it } from 'vitest';
import { toHex } from '../src/crypto/encoding.js';
import { defaultCrypto as nodeCrypto } from '../src/crypto/node.js';
import { defaultCrypto as pureCrypto } from '../src/crypto/pure.js';
import type { SignerCrypto } from '../src/crypto/types.js';
import {
  amzDate,
  canonicalQueryV4,
  canonicalUriV4,
  deriveSigningKeyV4,
  findSigV4,
  parseAmzDate,
  presignV4,
  signV4,
  verifyV4,
} from '../src/index.js';
import { signingKeyVector, sigv4Vectors } from './sigv4.fixture.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const providers: Array<[string, SignerCrypto]> = [
  ['node:crypto', nodeCrypto],
  ['pure', pureCrypto],
];

for (const [providerName, crypto] of providers) {
  describe(`SigV4 published vectors, ${providerName} provider`, () => {
    it('derives the documented signing key', () => {
      const v = signingKeyVector;
      expect(toHex(deriveSigningKeyV4(v.secretAccessKey, v.date, v.region, v.service, crypto))).toBe(v.expected);
    });

    for (const v of sigv4Vectors) {
      it(v.id, () => {
        const request = { method: v.method, pathname: v.pathname, query: v.query, headers: v.headers };
        const options = {
          credentials: v.credentials,
          region: v.region,
          service: v.service,
          signingTime: v.signingTime,
          crypto,
          ...(v.body === undefined ? {} : { body: v.body }),
          ...(v.payloadHash === undefined ? {} : { payloadHash: v.payloadHash }),
        };
        if (v.expiresIn !== undefined) {
          const presigned = presignV4(request, { ...options, expiresIn: v.expiresIn });
          expect(presigned.signedHeaders.join(';')).toBe(v.expected.signedHeaders);
          expect(presigned.signature).toBe(v.expected.signature);
          expect(presigned.query['X-Amz-Signature']).toBe(v.expected.signature);
          // A server finds it in the query and recomputes the same signature.
          const found = findSigV4({ headers: v.headers, query: presigned.query })!;
          expect(found).toMatchObject({ source: 'query', accessKeyId: v.credentials.accessKeyId, expiresIn: v.expiresIn });
          const verified = verifyV4({ ...request, query: presigned.query }, found, v.credentials.secretAccessKey, { crypto });
          expect(verified).toEqual({ valid: true, canonicalRequest: presigned.canonicalRequest, stringToSign: presigned.stringToSign });
          return;
        }
        const signed = signV4(request, options);
        expect(signed.signedHeaders.join(';')).toBe(v.expected.signedHeaders);
        if (v.expected.canonicalRequest) expect(signed.canonicalRequest).toBe(v.expected.canonicalRequest);
        expect(signed.signature).toBe(v.expected.signature);
        expect(signed.authorization).toBe(
          `AWS4-HMAC-SHA256 Credential=${v.credentials.accessKeyId}/${signed.credentialScope}, SignedHeaders=${v.expected.signedHeaders}, Signature=${v.expected.signature}`,
        );
        expect(signed.headers['x-amz-date']).toBe(amzDate(v.signingTime));

        const wire = { ...request, headers: { ...v.headers, ...signed.headers, Authorization: signed.authorization } };
        const found = findSigV4(wire)!;
        expect(found).toMatchObject({ source: 'header', region: v.region, service: v.service, signature: v.expected.signature });
        const payloadHash = v.service === 's3' ? undefined : crypto.sha256Hex(v.body ?? '');
        const verified = verifyV4(wire, found, v.credentials.secretAccessKey, { crypto, ...(payloadHash ? { payloadHash } : {}) });
        expect(verified).toEqual({ valid: true, canonicalRequest: signed.canonicalRequest, stringToSign: signed.stringToSign });
      });
    }
  });
}

describe('SigV4 verification explains a mismatch', () => {
  const v = sigv4Vectors.find((x) => x.id === 's3-doc/get-object')!;
  const signed = signV4(
    { method: v.method, pathname: v.pathname, headers: v.headers },
    { credentials: v.credentials, region: v.region, signingTime: v.signingTime, payloadHash: v.payloadHash! },
  );
  const headers: Record<string, string | string[]> = { ...v.headers, ...signed.headers, Authorization: signed.authorization };
  const wire = { method: 'GET', pathname: v.pathname, headers };

  it('a wrong secret: SIGNATURE_MISMATCH with the canonical request and string to sign it computed', () => {
    const r = verifyV4(wire, findSigV4(wire)!, 'not-the-secret');
    expect(r).toMatchObject({
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      canonicalRequest: signed.canonicalRequest,
      stringToSign: signed.stringToSign,
    });
  });

  it('a changed header: the canonical request shows the value the server saw', () => {
    const changed = { ...wire, headers: { ...wire.headers, Range: 'bytes=0-99' } };
    const r = verifyV4(changed, findSigV4(changed)!, v.credentials.secretAccessKey);
    expect(r.valid).toBe(false);
    expect(r.canonicalRequest).toContain('range:bytes=0-99\n');
  });

  it('a signed header that is absent', () => {
    const { Range: _range, ...rest } = wire.headers;
    const r = verifyV4({ ...wire, headers: rest }, findSigV4({ ...wire, headers: rest })!, v.credentials.secretAccessKey);
    expect(r).toMatchObject({ valid: false, code: 'SIGN_ERR_SIGNED_HEADER_MISSING', missing: 'range' });
  });

  it('a credential date that is not the date of X-Amz-Date', () => {
    const found = { ...findSigV4(wire)!, date: '20130525' };
    expect(verifyV4(wire, found, v.credentials.secretAccessKey)).toMatchObject({ valid: false, code: 'SIGN_ERR_SIGNATURE_MISMATCH' });
  });
});

describe('SigV4 parsing', () => {
  const malformed = expect.objectContaining({ code: 'SIGN_ERR_SIGV4_MALFORMED' });
  const host = { host: 'h' };

  it('ignores requests signed another way', () => {
    expect(findSigV4({ headers: { ...host, authorization: 'q-sign-algorithm=sha1&q-ak=x' } })).toBeUndefined();
    expect(findSigV4({ headers: host, query: { 'q-sign-algorithm': 'sha1' } })).toBeUndefined();
  });

  it.each([
    ['no scope', `AWS4-HMAC-SHA256 Credential=AK, SignedHeaders=host, Signature=${'a'.repeat(64)}`],
    ['bad terminator', `AWS4-HMAC-SHA256 Credential=AK/20130524/r/s3/aws3_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`],
    ['short signature', 'AWS4-HMAC-SHA256 Credential=AK/20130524/r/s3/aws4_request, SignedHeaders=host, Signature=abc'],
    [
      'unsorted headers',
      `AWS4-HMAC-SHA256 Credential=AK/20130524/r/s3/aws4_request, SignedHeaders=x-amz-date;host, Signature=${'a'.repeat(64)}`,
    ],
    ['no fields', 'AWS4-HMAC-SHA256'],
  ])('refuses an Authorization header with %s', (_name, authorization) => {
    expect(() => findSigV4({ headers: { ...host, authorization, 'x-amz-date': '20130524T000000Z' } })).toThrow(malformed);
  });

  it('refuses a header signature without a valid X-Amz-Date', () => {
    const authorization = `AWS4-HMAC-SHA256 Credential=AK/20130524/r/s3/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`;
    expect(() => findSigV4({ headers: { ...host, authorization } })).toThrow(malformed);
    expect(() => findSigV4({ headers: { ...host, authorization, 'x-amz-date': '20130532T000000Z' } })).toThrow(malformed);
  });

  it('refuses a presigned query missing a parameter or with a bad expiry', () => {
    const base = {
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AK/20130524/r/s3/aws4_request',
      'X-Amz-Date': '20130524T000000Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': 'a'.repeat(64),
    };
    expect(findSigV4({ headers: host, query: base })).toMatchObject({ source: 'query', payloadHash: 'UNSIGNED-PAYLOAD' });
    expect(() => findSigV4({ headers: host, query: { ...base, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' } })).toThrow(malformed);
    expect(() => findSigV4({ headers: host, query: { ...base, 'X-Amz-Expires': '604801' } })).toThrow(malformed);
    const { 'X-Amz-Signature': _s, ...unsigned } = base;
    expect(() => findSigV4({ headers: host, query: unsigned })).toThrow(malformed);
  });

  it('round-trips X-Amz-Date', () => {
    expect(amzDate(1369353600)).toBe('20130524T000000Z');
    expect(parseAmzDate('20130524T000000Z')).toBe(1369353600);
    expect(parseAmzDate('2013-05-24T00:00:00Z')).toBeUndefined();
  });

  it('refuses bad arguments', () => {
    const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
    expect(() => signV4({ method: 'GET', pathname: 'x', headers: host }, { credentials, region: 'r', signingTime: 1 })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => signV4({ method: 'GET', pathname: '/', headers: {} }, { credentials, region: 'r', signingTime: 1 })).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }),
    );
    expect(() =>
      presignV4({ method: 'GET', pathname: '/', headers: host }, { credentials, region: 'r', signingTime: 1, expiresIn: 0 }),
    ).toThrow(expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }));
  });
});

describe('SigV4 canonical forms', () => {
  const credentials = { accessKeyId: 'AK', secretAccessKey: 'SK' };
  const base = { credentials, region: 'ap-guangzhou', signingTime: 1700000000 };

  it('sorts repeated parameters by value and signs array values once each', () => {
    expect(canonicalQueryV4({ b: ['2', '1'], a: '', 'a b': 'x/y', skip: undefined, 'X-Amz-Signature': 'x' }, 'X-Amz-Signature')).toBe(
      'a=&a%20b=x%2Fy&b=1&b=2',
    );
    expect(canonicalQueryV4({ k: ['v', 'v'] })).toBe('k=v&k=v');
  });

  it('S3 keeps dot segments and repeated slashes; other services normalise them', () => {
    expect(canonicalUriV4('/a/./b/../c//', false)).toBe('/a/./b/../c//');
    expect(canonicalUriV4('/a/./b/../c/', true)).toBe('/a/c/');
    expect(canonicalUriV4('/a/b/..', true)).toBe('/a/');
    expect(canonicalUriV4("/photos/a b(1)!*'.jpg", false)).toBe('/photos/a%20b%281%29%21%2A%27.jpg');
  });

  it('skips absent header values and leaves unsignable headers out', () => {
    const signed = signV4(
      { method: 'GET', pathname: '/', headers: { Host: 'h', 'User-Agent': 'sdk', 'X-Empty': null, 'X-Num': 3 } },
      { ...base, service: 'other' },
    );
    expect(signed.signedHeaders).toEqual(['host', 'x-amz-date', 'x-num']);
    expect(signed.canonicalRequest.endsWith(EMPTY_SHA256)).toBe(true);
    expect(signed.headers['x-amz-content-sha256']).toBeUndefined();
  });

  it('S3 header signatures default to UNSIGNED-PAYLOAD and carry the session token', () => {
    const signed = signV4(
      { method: 'GET', pathname: '/k', headers: { host: 'h', 'x-amz-date': 'stale' } },
      { ...base, credentials: { ...credentials, sessionToken: 'TOKEN' } },
    );
    expect(signed.headers).toEqual({
      'x-amz-date': '20231114T221320Z',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-security-token': 'TOKEN',
    });
    expect(signed.signedHeaders).toEqual(['host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']);
    const presigned = presignV4(
      { method: 'GET', pathname: '/k', query: { a: '1' }, headers: { host: 'h' } },
      { ...base, credentials: { ...credentials, sessionToken: 'TOKEN' }, expiresIn: 60, body: 'x' },
    );
    expect(presigned.query).toMatchObject({ a: '1', 'X-Amz-Security-Token': 'TOKEN' });
    expect(presigned.canonicalRequest.endsWith(pureCrypto.sha256Hex('x'))).toBe(true);
    expect(() =>
      presignV4({ method: 'GET', pathname: '/', query: { a: ['1', '2'] }, headers: { host: 'h' } }, { ...base, expiresIn: 60 }),
    ).toThrow(expect.objectContaining({ code: 'SIGN_ERR_INVALID_ARGUMENT' }));
  });

  it('refuses a signature that does not sign host', () => {
    const signed = signV4({ method: 'GET', pathname: '/', headers: { host: 'h' } }, base);
    const wire = { method: 'GET', pathname: '/', headers: { host: 'h', ...signed.headers, authorization: signed.authorization } };
    const found = { ...findSigV4(wire)!, signedHeaders: ['x-amz-date'] };
    expect(verifyV4(wire, found, 'SK')).toMatchObject({ valid: false, code: 'SIGN_ERR_SIGV4_MALFORMED' });
  });
});
