import { describe, expect, it } from 'vitest';
import { crc64ecma, Crc64Ecma } from '../src/crc64.js';
import { defaultCrypto as nodeCrypto } from '../src/crypto/node.js';
import { defaultCrypto as pureCrypto } from '../src/crypto/pure.js';
import type { SignerCrypto } from '../src/crypto/types.js';
import {
  checkPostPolicy,
  decodePolicyField,
  findAuthorization,
  presignRequest,
  signPostPolicy,
  signRequest,
  signStsV1,
  signTc3,
  stsV1FormatString,
  verifyPostSignature,
  verifyRequest,
  verifyStsV1,
  verifyTc3,
} from '../src/index.js';
import { crcVectors, postPolicyVectors, requestVectors, stsV1Vector, tc3Vector } from './vectors.fixture.js';

const providers: Array<[string, SignerCrypto]> = [
  ['node:crypto', nodeCrypto],
  ['pure', pureCrypto],
];

for (const [providerName, crypto] of providers) {
  describe(`spec vectors, ${providerName} provider`, () => {
    for (const v of requestVectors) {
      it(`${v.id}: ${v.title}`, () => {
        const request = { method: v.method, pathname: v.pathname, query: v.query, headers: v.headers };
        const signed = signRequest(request, {
          credentials: v.credentials,
          keyTime: v.keyTime,
          signHeaders: v.signHeaders ?? 'sdk',
          crypto,
        });
        const e = v.expected;

        if (e.signKey) expect(crypto.hmacSha1Hex(v.credentials.secretKey, v.keyTime)).toBe(e.signKey);
        if (e.formatString !== undefined) expect(signed.formatString).toBe(e.formatString);
        if (e.formatStringSha1) {
          expect(crypto.sha1Hex(signed.formatString)).toBe(e.formatStringSha1);
          expect(signed.stringToSign).toBe(`sha1\n${v.keyTime}\n${e.formatStringSha1}\n`);
        }
        if (e.headerList !== undefined) expect(signed.fields.headerList.join(';')).toBe(e.headerList);
        if (e.urlParamList !== undefined) expect(signed.fields.urlParamList.join(';')).toBe(e.urlParamList);
        expect(signed.fields.signature).toBe(e.signature);
        expect(signed.fields).toMatchObject({
          algorithm: 'sha1',
          secretId: v.credentials.secretId,
          signTime: v.keyTime,
          keyTime: v.keyTime,
        });
        if (e.authorization) expect(signed.authorization).toBe(e.authorization);

        // A server recomputes the same signature from what travelled on the wire.
        const wire = { ...request, headers: v.wireHeaders ?? v.headers };
        const verified = verifyRequest(wire, signed.fields, v.credentials.secretKey, { crypto });
        expect(verified).toEqual({ valid: true, formatString: signed.formatString, stringToSign: signed.stringToSign });
      });
    }

    const v3 = requestVectors.find((v) => v.presignedUrl)!;
    it(`${v3.id}: presignRequest carries the same fields and parameters as the SDK's URL`, () => {
      const request = { method: v3.method, pathname: v3.pathname, query: v3.query, headers: v3.headers };
      const presigned = presignRequest(request, { credentials: v3.credentials, keyTime: v3.keyTime, crypto });
      const sdkUrl = new URL(v3.presignedUrl!);
      const ours = new URLSearchParams(presigned.query);
      // Same names in the same order with the same decoded values; only the escaping of ';' differs.
      expect([...ours]).toEqual([...sdkUrl.searchParams]);
      expect(decodeURIComponent(sdkUrl.pathname)).toBe(v3.pathname);
      const found = findAuthorization({ headers: v3.headers, query: Object.fromEntries(ours) })!;
      expect(found.source).toBe('query');
      expect(found.fields.signature).toBe(v3.expected.signature);
      expect(
        verifyRequest({ ...request, query: Object.fromEntries(sdkUrl.searchParams) }, found.fields, v3.credentials.secretKey, { crypto })
          .valid,
      ).toBe(true);
    });

    for (const p of postPolicyVectors) {
      it(`${p.id}: ${p.title}`, () => {
        expect(crypto.hmacSha1Hex(p.credentials.secretKey, p.keyTime)).toBe(p.expected.signKey);
        expect(crypto.sha1Hex(p.policyText)).toBe(p.expected.stringToSign);
        const fields = signPostPolicy(p.policyText, { credentials: p.credentials, keyTime: p.keyTime, crypto });
        expect(fields).toEqual({
          policy: p.expected.policy,
          'q-sign-algorithm': 'sha1',
          'q-ak': p.credentials.secretId,
          'q-key-time': p.keyTime,
          'q-signature': p.expected.signature,
        });
        expect(decodePolicyField(p.expected.policy)).toBe(p.policyText);
        expect(verifyPostSignature({ ...fields }, p.credentials.secretKey, { crypto })).toEqual({
          valid: true,
          stringToSign: p.expected.stringToSign,
        });

        // The doc's form satisfies the doc's policy while the policy is unexpired.
        const form = {
          ...fields,
          key: 'folder/subfolder/photo.jpg',
          acl: 'default',
          'Content-Type': 'image/jpeg',
          success_action_redirect: 'https://my.website/done.html',
          'x-cos-server-side-encryption': 'AES256',
        };
        const now = Date.parse('2019-08-30T09:00:00Z') / 1000;
        expect(checkPostPolicy(p.policyText, form, { bucket: 'examplebucket-1250000000', fileSize: 10, now })).toMatchObject({ ok: true });
      });
    }

    it(`${stsV1Vector.id}: ${stsV1Vector.title}`, () => {
      const opts = { host: stsV1Vector.host, crypto };
      expect(stsV1FormatString(stsV1Vector.params, opts)).toBe(stsV1Vector.formatString);
      expect(signStsV1(stsV1Vector.params, stsV1Vector.secretKey, opts)).toBe(stsV1Vector.signature);
      expect(crypto.hmacSha1Base64(stsV1Vector.secretKey, stsV1Vector.formatString)).toBe(stsV1Vector.signature);
      expect(new URLSearchParams({ Signature: stsV1Vector.signature }).toString()).toBe(stsV1Vector.bodySignature);
      expect(verifyStsV1({ ...stsV1Vector.params, Signature: stsV1Vector.signature }, stsV1Vector.secretKey, opts)).toMatchObject({
        valid: true,
      });
    });

    it(`${tc3Vector.id}: ${tc3Vector.title}`, () => {
      expect(crypto.sha256Hex(tc3Vector.payload)).toBe(tc3Vector.payloadSha256);
      const signed = signTc3({ ...tc3Vector, crypto });
      expect(crypto.sha256Hex(signed.canonicalRequest)).toBe(tc3Vector.canonicalRequestSha256);
      expect(signed.stringToSign).toBe(`TC3-HMAC-SHA256\n1700000000\n2023-11-14/sts/tc3_request\n${tc3Vector.canonicalRequestSha256}`);
      expect(signed.authorization).toBe(tc3Vector.authorization);
      expect(verifyTc3({ ...tc3Vector, crypto })).toMatchObject({ valid: true });
    });
  });
}

describe('CRC-64/ECMA vectors (§4.10)', () => {
  for (const c of crcVectors) {
    it(`${c.id}: crc64(${JSON.stringify(c.input)}) = ${c.expected}`, () => {
      expect(crc64ecma(c.input)).toBe(c.expected);
      expect(crc64ecma(new TextEncoder().encode(c.input))).toBe(c.expected);
      // Chunk boundaries do not matter: one byte at a time gives the same digest.
      const crc = new Crc64Ecma();
      for (const byte of new TextEncoder().encode(c.input)) crc.update(new Uint8Array([byte]));
      expect(crc.digest()).toBe(c.expected);
    });
  }
});
