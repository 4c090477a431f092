import { readFileSync, realpathSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import STS from 'qcloud-cos-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCrypto as nodeCrypto } from '../src/crypto/node.js';
import { defaultCrypto as pureCrypto } from '../src/crypto/pure.js';
import { parseTc3Authorization, SignerError, signStsV1, signTc3, stsV1FormatString, verifyStsV1, verifyTc3 } from '../src/index.js';
import { stsV1Vector, tc3Vector } from './vectors.fixture.js';

const STS_HOST = 'sts.example.test';
const SECRET_ID = 'AKIDstsCaptureTest0000000000000000';
const SECRET_KEY = 'sts-capture-secret-key-000000000000';
const POLICY = {
  version: '2.0',
  statement: [
    {
      effect: 'allow',
      action: ['name/cos:PutObject'],
      resource: ["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/a b+c(1)!*'~.txt"],
    },
  ],
};
const STS_REPLY = JSON.stringify({
  Response: { Credentials: { Token: 't', TmpSecretId: 'a', TmpSecretKey: 'b' }, ExpiredTime: 1, Expiration: 'x', RequestId: 'r' },
});

const cert = readFileSync(new URL('./fixtures/sts-example-cert.pem', import.meta.url));
const key = readFileSync(new URL('./fixtures/sts-example-key.pem', import.meta.url));

interface Captured {
  route: 'absolute-uri' | 'connect';
  method: string;
  url: string;
  host: string | undefined;
  contentType: string | undefined;
  body: string;
}

/**
 * Captures what qcloud-cos-sts really sends. The SDK passes its `proxy` option to axios; axios either
 * sends the https URL as an absolute-URI request to the HTTP proxy (older releases) or opens a CONNECT
 * tunnel (current releases). Both are served here: a tunnel is handed to an in-process HTTPS server
 * whose certificate (for sts.example.test) is trusted through axios' httpsAgent for the test only.
 */
describe('STS v1 signatures of the real qcloud-cos-sts SDK', () => {
  const captured: Captured[] = [];
  const handler = (route: Captured['route']) => (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      captured.push({ route, method: req.method!, url: req.url!, host: req.headers.host, contentType: req.headers['content-type'], body });
      res.setHeader('content-type', 'application/json');
      res.end(STS_REPLY);
    });
  };
  const origin = createHttpsServer({ key, cert }, handler('connect'));
  const proxy = createHttpServer(handler('absolute-uri'));
  proxy.on('connect', (_req, socket) => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    origin.emit('connection', socket);
  });

  // qcloud-cos-sts resolves its own axios; configure exactly that instance.
  const stsRequire = createRequire(realpathSync(fileURLToPath(import.meta.resolve('qcloud-cos-sts'))));
  const axios = stsRequire('axios') as { defaults: { httpsAgent?: unknown } };
  const previousAgent = axios.defaults.httpsAgent;
  let proxyUrl = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    axios.defaults.httpsAgent = new HttpsAgent({ ca: cert, keepAlive: false });
  });
  afterAll(async () => {
    axios.defaults.httpsAgent = previousAgent;
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });

  async function getCredential(proxyOption: unknown, extra: Record<string, unknown> = {}) {
    const before = captured.length;
    const result = await STS.getCredential({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      policy: POLICY,
      proxy: proxyOption,
      host: STS_HOST,
      region: 'ap-guangzhou',
      durationSeconds: 1800,
      ...extra,
    } as never);
    expect(captured.length).toBe(before + 1);
    return { result: result as unknown as Record<string, unknown>, request: captured[captured.length - 1]! };
  }

  it('verifies the captured form body and reproduces its Signature', async () => {
    // The string form of `proxy` in the brief is not understood by axios 1.x (it reads hostname/port
    // fields), so the proxy is given as a URL, which axios accepts like its { host, port } object.
    const { result, request } = await getCredential(new URL(proxyUrl));
    expect((result.credentials as Record<string, unknown>).tmpSecretId).toBe('a');
    // axios 1.x tunnels (CONNECT, origin-form '/'); older releases send the absolute URI to the proxy.
    expect(request.route === 'connect' ? request.url : request.url.replace(/^https:\/\/sts\.example\.test/, '')).toBe('/');
    expect(request.method).toBe('POST');
    expect(request.host).toBe(STS_HOST);
    expect(request.contentType).toBe('application/x-www-form-urlencoded');

    const params = Object.fromEntries(new URLSearchParams(request.body));
    expect(Object.keys(params).sort()).toEqual(
      ['Action', 'DurationSeconds', 'Name', 'Nonce', 'Policy', 'Region', 'SecretId', 'Signature', 'Timestamp', 'Version'].sort(),
    );
    expect(params).toMatchObject({ Action: 'GetFederationToken', SecretId: SECRET_ID, DurationSeconds: '1800', Region: 'ap-guangzhou' });
    expect(JSON.parse(decodeURIComponent(params.Policy!))).toEqual(POLICY);

    for (const crypto of [nodeCrypto, pureCrypto]) {
      expect(verifyStsV1(params, SECRET_KEY, { host: STS_HOST, crypto })).toMatchObject({ valid: true });
      expect(signStsV1(params, SECRET_KEY, { host: STS_HOST, crypto })).toBe(params.Signature);
    }
  });

  it('rejects the captured request once any signed input changes', async () => {
    const { request } = await getCredential(new URL(proxyUrl));
    const params = Object.fromEntries(new URLSearchParams(request.body));
    for (const name of Object.keys(params).filter((n) => n !== 'Signature')) {
      const changed = { ...params, [name]: `${params[name]}0` };
      expect(verifyStsV1(changed, SECRET_KEY, { host: STS_HOST }), name).toMatchObject({
        valid: false,
        code: 'SIGN_ERR_SIGNATURE_MISMATCH',
      });
    }
    expect(verifyStsV1({ ...params, Extra: 'x' }, SECRET_KEY, { host: STS_HOST }).valid).toBe(false);
    expect(verifyStsV1(params, SECRET_KEY, { host: 'sts.tencentcloudapi.com' }).valid).toBe(false);
    expect(verifyStsV1(params, SECRET_KEY, { host: STS_HOST, method: 'GET' }).valid).toBe(false);
    expect(verifyStsV1(params, 'another-secret', { host: STS_HOST }).valid).toBe(false);
    const { Signature: _signature, ...unsigned } = params;
    expect(verifyStsV1(unsigned, SECRET_KEY, { host: STS_HOST })).toMatchObject({ valid: false, code: 'SIGN_ERR_STS_PARAMS' });
  });

  it('verifies an AssumeRole request too', async () => {
    const before = captured.length;
    await STS.getRoleCredential({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      policy: POLICY,
      proxy: new URL(proxyUrl),
      host: STS_HOST,
      region: 'ap-guangzhou',
      roleArn: 'qcs::cam::uin/100000000001:roleName/uploader',
    } as never);
    const params = Object.fromEntries(new URLSearchParams(captured[before]!.body));
    expect(params).toMatchObject({ Action: 'AssumeRole', RoleSessionName: 'cos-sts-nodejs' });
    expect(verifyStsV1(params, SECRET_KEY, { host: STS_HOST }).valid).toBe(true);
  });
});

describe('STS v1 with HmacSHA256', () => {
  const params = {
    SecretId: 'AKIDsha256',
    Timestamp: 1700000000,
    Nonce: 12345,
    Action: 'GetFederationToken',
    SignatureMethod: 'HmacSHA256',
  };
  const opts = { host: 'sts.tencentcloudapi.com' };

  it.each([
    ['node:crypto', nodeCrypto],
    ['pure', pureCrypto],
  ] as const)('signs and verifies with the %s provider', (_name, crypto) => {
    const Signature = signStsV1(params, 'k', { ...opts, crypto });
    expect(Signature).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const expected = Buffer.from(nodeCrypto.hmacSha256('k', stsV1FormatString(params, opts))).toString('base64');
    expect(Signature).toBe(expected);
    expect(verifyStsV1({ ...params, Signature }, 'k', { ...opts, crypto })).toMatchObject({ valid: true });
    expect(verifyStsV1({ ...params, Nonce: 12346, Signature }, 'k', { ...opts, crypto })).toMatchObject({
      valid: false,
      code: 'SIGN_ERR_SIGNATURE_MISMATCH',
    });
  });

  it('signs SignatureMethod itself, so a downgrade to HmacSHA1 fails', () => {
    const Signature = signStsV1(params, 'k', opts);
    expect(verifyStsV1({ ...params, SignatureMethod: 'HmacSHA1', Signature }, 'k', opts).valid).toBe(false);
    const { SignatureMethod: _m, ...sha1Params } = params;
    expect(verifyStsV1({ ...sha1Params, Signature }, 'k', opts).valid).toBe(false);
  });

  it('refuses an unknown SignatureMethod with SIGN_ERR_STS_PARAMS', () => {
    expect(verifyStsV1({ ...params, SignatureMethod: 'HmacMD5', Signature: 'x' }, 'k', opts)).toMatchObject({
      valid: false,
      code: 'SIGN_ERR_STS_PARAMS',
    });
    expect(() => signStsV1({ ...params, SignatureMethod: 'HmacMD5' }, 'k', opts)).toThrow(SignerError);
    expect(() => signStsV1({ ...params, SignatureMethod: 'HmacMD5' }, 'k', opts)).toThrow(
      expect.objectContaining({ code: 'SIGN_ERR_STS_PARAMS' }),
    );
  });
});

describe('STS vectors S1 and T1', () => {
  it('S1: format string and HmacSHA1 signature', () => {
    expect(stsV1FormatString(stsV1Vector.params, { host: stsV1Vector.host })).toBe(stsV1Vector.formatString);
    expect(signStsV1(stsV1Vector.params, stsV1Vector.secretKey, { host: stsV1Vector.host })).toBe(stsV1Vector.signature);
    expect(
      verifyStsV1({ ...stsV1Vector.params, Signature: stsV1Vector.signature }, stsV1Vector.secretKey, { host: stsV1Vector.host }).valid,
    ).toBe(true);
  });

  it('T1: TC3-HMAC-SHA256 authorization', () => {
    const signed = signTc3(tc3Vector);
    expect(signed.authorization).toBe(tc3Vector.authorization);
    expect(nodeCrypto.sha256Hex(signed.canonicalRequest)).toBe(tc3Vector.canonicalRequestSha256);
  });
});

describe('TC3-HMAC-SHA256 sign and verify', () => {
  const input = {
    secretId: 'AKIDtc3',
    secretKey: 'tc3-secret',
    host: 'sts.tencentcloudapi.com',
    timestamp: 1700000000,
    payload: '{"Name":"x","DurationSeconds":1800}',
  };

  it.each([
    ['node:crypto', nodeCrypto],
    ['pure', pureCrypto],
  ] as const)('round-trips with the %s provider', (_name, crypto) => {
    const signed = signTc3({ ...input, crypto });
    expect(signed.credentialScope).toBe('2023-11-14/sts/tc3_request');
    expect(signed.canonicalRequest).toBe(
      `POST\n/\n\ncontent-type:application/json\nhost:sts.tencentcloudapi.com\n\ncontent-type;host\n${nodeCrypto.sha256Hex(input.payload)}`,
    );
    expect(parseTc3Authorization(signed.authorization)).toEqual({
      secretId: 'AKIDtc3',
      date: '2023-11-14',
      service: 'sts',
      signedHeaders: ['content-type', 'host'],
      signature: signed.signature,
    });
    expect(verifyTc3({ ...input, authorization: signed.authorization, crypto })).toMatchObject({ valid: true });
  });

  it('rejects a tampered payload, timestamp, host, content type or key', () => {
    const { authorization } = signTc3(input);
    const tampered = verifyTc3({ ...input, authorization, payload: '{"Name":"y","DurationSeconds":1800}' });
    expect(tampered).toMatchObject({ valid: false, code: 'SIGN_ERR_SIGNATURE_MISMATCH' });
    if (!tampered.valid) {
      expect(tampered.canonicalRequest).toContain('content-type;host');
      expect(tampered.stringToSign).toMatch(/^TC3-HMAC-SHA256\n1700000000\n/);
    }
    expect(verifyTc3({ ...input, authorization, timestamp: input.timestamp + 1 }).valid).toBe(false);
    expect(verifyTc3({ ...input, authorization, timestamp: input.timestamp + 86400 }).valid).toBe(false);
    expect(verifyTc3({ ...input, authorization, host: 'sts.internal.tencentcloudapi.com' }).valid).toBe(false);
    expect(verifyTc3({ ...input, authorization, contentType: 'application/x-www-form-urlencoded' }).valid).toBe(false);
    expect(verifyTc3({ ...input, authorization, secretKey: 'other' }).valid).toBe(false);
  });

  it('reports malformed Authorization values with SIGN_ERR_TC3_MALFORMED', () => {
    const { authorization } = signTc3(input);
    for (const value of [
      'Bearer x',
      '',
      authorization.replace('SignedHeaders=content-type;host', 'SignedHeaders=host'),
      authorization.slice(0, -1),
    ]) {
      expect(verifyTc3({ ...input, authorization: value }), value).toMatchObject({ valid: false, code: 'SIGN_ERR_TC3_MALFORMED' });
    }
    expect(() => parseTc3Authorization('TC3-HMAC-SHA256 Credential=x')).toThrow(SignerError);
  });
});
