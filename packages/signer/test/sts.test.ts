import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import STS from 'qcloud-cos-sts';
import { describe, expect, it } from 'vitest';
import { signStsV1, signTc3, verifyStsV1, verifyTc3 } from '../src/index.js';

describe('STS v1 signatures', () => {
  it('verify what the real qcloud-cos-sts SDK sends', async () => {
    let captured: { host?: string; body: string } | undefined;
    // A loopback HTTPS server stands in for sts.tencentcloudapi.com; its certificate is a fixture, so
    // verification is switched off for this one request (the SDK offers no CA option).
    const server = createServer(
      { key: readFileSync(new URL('./fixtures/loopback-key.pem', import.meta.url)), cert: readFileSync(new URL('./fixtures/loopback-cert.pem', import.meta.url)) },
      (req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          captured = { host: req.headers.host, body };
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ Response: { Credentials: { Token: 't', TmpSecretId: 'a', TmpSecretKey: 'b' }, ExpiredTime: 1, Expiration: 'x', RequestId: 'r' } }));
        });
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      await STS.getCredential({
        secretId: 'AKIDsts',
        secretKey: 'sts-secret-key',
        host,
        region: 'ap-guangzhou',
        durationSeconds: 1800,
        policy: { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:PutObject'], resource: ['*'] }] },
      } as never);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      server.close();
    }
    expect(captured?.host).toBe(host);
    const params = Object.fromEntries(new URLSearchParams(captured!.body));
    expect(params.Signature).toBeTruthy();
    expect(signStsV1(params, 'sts-secret-key', { host })).toBe(params.Signature);
    expect(verifyStsV1(params, 'sts-secret-key', { host }).valid).toBe(true);
    expect(verifyStsV1({ ...params, DurationSeconds: '7200' }, 'sts-secret-key', { host }).valid).toBe(false);
    expect(verifyStsV1(params, 'sts-secret-key', { host: 'sts.other.test' }).valid).toBe(false);
  });

  it('sign and verify with HmacSHA256', () => {
    const params = { SecretId: 'id', Timestamp: 1, Nonce: 2, Action: 'GetFederationToken', SignatureMethod: 'HmacSHA256' };
    const Signature = signStsV1(params, 'k', { host: 'h' });
    expect(Signature).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(verifyStsV1({ ...params, Signature }, 'k', { host: 'h' }).valid).toBe(true);
    expect(verifyStsV1({ ...params, SignatureMethod: 'HmacMD5', Signature }, 'k', { host: 'h' })).toMatchObject({ valid: false, code: 'SIGN_ERR_STS_PARAMS' });
  });
});

describe('TC3-HMAC-SHA256', () => {
  const input = { secretId: 'AKIDtc3', secretKey: 'tc3-secret', host: 'sts.tencentcloudapi.com', timestamp: 1700000000, payload: '{"Name":"x"}' };
  it('verifies its own signature and refuses a tampered payload, date or key', () => {
    const { authorization } = signTc3(input);
    expect(verifyTc3({ ...input, authorization }).valid).toBe(true);
    expect(verifyTc3({ ...input, authorization, payload: '{"Name":"y"}' })).toMatchObject({ valid: false, code: 'SIGN_ERR_SIGNATURE_MISMATCH' });
    expect(verifyTc3({ ...input, authorization, timestamp: input.timestamp + 86400 }).valid).toBe(false);
    expect(verifyTc3({ ...input, authorization, secretKey: 'other' }).valid).toBe(false);
    expect(verifyTc3({ ...input, authorization: 'Bearer x' })).toMatchObject({ valid: false, code: 'SIGN_ERR_TC3_MALFORMED' });
  });
});
