import { describe, expect, it } from 'vitest';
import { defaultCrypto as nodeCrypto } from '../src/crypto/node.js';
import { defaultCrypto as pureCrypto } from '../src/crypto/pure.js';
import { crc64ecma, Crc64Ecma } from '../src/crc64.js';
import { signRequest, signPostPolicy, signStsV1, signTc3, stsV1FormatString, verifyRequest, verifyTc3 } from '../src/index.js';
import { crcVectors, postPolicyVector, requestVectors, stsV1Vector, tc3Vector } from './vectors.fixture.js';

for (const [providerName, crypto] of [['node:crypto', nodeCrypto], ['pure TypeScript', pureCrypto]] as const) {
  describe(`vectors with the ${providerName} provider`, () => {
    for (const v of requestVectors) {
      it(v.name, () => {
        const request = { method: v.method, pathname: v.pathname, query: v.query, headers: v.headers };
        const signed = signRequest(request, { credentials: v.credentials, keyTime: v.keyTime, signHeaders: v.signHeaders, crypto });
        expect(signed.fields.signature).toBe(v.signature);
        if (v.formatString) expect(signed.formatString).toBe(v.formatString);
        if (v.headerList) expect(signed.fields.headerList.join(';')).toBe(v.headerList);
        if (v.authorization) expect(signed.authorization).toBe(v.authorization);
        expect(verifyRequest(request, signed.fields, v.credentials.secretKey, { crypto }).valid).toBe(true);
      });
    }

    it(postPolicyVector.name, () => {
      const signKey = crypto.hmacSha1Hex(postPolicyVector.secretKey, postPolicyVector.keyTime);
      expect(signKey).toBe(postPolicyVector.signKey);
      expect(crypto.hmacSha1Hex(signKey, postPolicyVector.stringToSign)).toBe(postPolicyVector.signature);
      // And signPostPolicy applies the same formula to the SHA-1 of the exact policy text.
      const text = '{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"q-sign-time":"1567150692;1567157892"}]}';
      const fields = signPostPolicy(text, { credentials: { secretId: 'AKIDx', secretKey: postPolicyVector.secretKey }, keyTime: postPolicyVector.keyTime, crypto });
      expect(fields['q-signature']).toBe(crypto.hmacSha1Hex(signKey, crypto.sha1Hex(text)));
      expect(atob(fields.policy)).toBe(text);
    });

    it(stsV1Vector.name, () => {
      expect(stsV1FormatString(stsV1Vector.params, { host: stsV1Vector.host }).startsWith(stsV1Vector.formatStringStart)).toBe(true);
      expect(signStsV1(stsV1Vector.params, stsV1Vector.secretKey, { host: stsV1Vector.host, crypto })).toBe(stsV1Vector.signature);
    });

    it(tc3Vector.name, () => {
      const signed = signTc3({ ...tc3Vector, crypto });
      expect(signed.authorization).toBe(tc3Vector.authorization);
      expect(verifyTc3({ ...tc3Vector, authorization: signed.authorization, crypto }).valid).toBe(true);
    });
  });
}

describe('CRC-64/ECMA vectors', () => {
  it.each(crcVectors)('crc64(%j) = %s', (input, expected) => {
    expect(crc64ecma(input)).toBe(expected);
    // Chunk boundaries must not matter: feed one byte at a time too.
    const c = new Crc64Ecma();
    for (const byte of new TextEncoder().encode(input)) c.update(new Uint8Array([byte]));
    expect(c.digest()).toBe(expected);
  });
});
