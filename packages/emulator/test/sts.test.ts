import { request } from 'node:https';
import { createObjectPolicy, signStsV1, signTc3 } from '@cos-direct/signer';
import STS from 'qcloud-cos-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, REGION, signed, temporaryKey, xmlField } from './helpers.js';

function postSts(emu: RunningEmulator, headers: Record<string, string>, body: string): Promise<any> {
  const u = new URL(emu.info.sts!.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: '/', method: 'POST', headers: { host: emu.info.sts!.endpoint, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const policy = createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'a.jpg', actions: ['PutObject'] });

describe('STS', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  it('issues keys to the unmodified qcloud-cos-sts SDK, bounded by DurationSeconds', async () => {
    const now = Math.floor(Date.now() / 1000);
    const result: any = await STS.getCredential({
      secretId: emu.info.credentials.secretId,
      secretKey: emu.info.credentials.secretKey,
      host: emu.info.sts!.endpoint,
      durationSeconds: 900,
      policy,
    } as never);
    expect(result.credentials.tmpSecretId).toMatch(/^AKID/);
    expect(result.credentials.sessionToken).toBeTruthy();
    expect(result.expiredTime).toBeGreaterThanOrEqual(now + 899);
    expect(result.expiredTime).toBeLessThanOrEqual(now + 902);
    await expect(
      STS.getCredential({
        secretId: emu.info.credentials.secretId,
        secretKey: emu.info.credentials.secretKey,
        host: emu.info.sts!.endpoint,
        durationSeconds: 99999,
        policy,
      } as never),
    ).rejects.toMatchObject({ Code: 'InvalidParameter.OverTimeError' });
  });

  it('names the STS action in the request log, as the console and the terminal show it', async () => {
    await temporaryKey(emu, createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'named.txt', actions: ['PutObject'] }));
    const entry = emu.requests.list().find((e) => e.operation?.startsWith('sts:'));
    expect(entry?.operation).toBe('sts:GetFederationToken');
  });

  it('refuses a wrong secret, an unknown SecretId and a stale timestamp with STS codes', async () => {
    const call = (secretId: string, secretKey: string) =>
      STS.getCredential({ secretId, secretKey, host: emu.info.sts!.endpoint, policy } as never);
    await expect(call(emu.info.credentials.secretId, 'wrong-secret-key')).rejects.toMatchObject({ Code: 'AuthFailure.SignatureFailure' });
    await expect(call('AKIDsomeoneelse', 'whatever-secret')).rejects.toMatchObject({ Code: 'AuthFailure.SecretIdNotFound' });
    const params: Record<string, string | number> = {
      SecretId: emu.info.credentials.secretId,
      Timestamp: Math.floor(Date.now() / 1000) - 3600,
      Nonce: 12345,
      Action: 'GetFederationToken',
      DurationSeconds: 1800,
      Version: '2018-08-13',
      Region: REGION,
      Policy: encodeURIComponent(JSON.stringify(policy)),
      Name: 'test',
    };
    params.Signature = signStsV1(params, emu.info.credentials.secretKey, { host: emu.info.sts!.endpoint });
    const res = await postSts(
      emu,
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams(params as never).toString(),
    );
    expect(res.json.Response.Error.Code).toBe('AuthFailure.SignatureExpire');
  });

  it('answers AssumeRole with a key bounded by its policy', async () => {
    const result: any = await STS.getRoleCredential({
      secretId: emu.info.credentials.secretId,
      secretKey: emu.info.credentials.secretKey,
      host: emu.info.sts!.endpoint,
      roleArn: 'qcs::cam::uin/100000000001:roleName/uploader',
      policy,
    } as never);
    expect(result.credentials.tmpSecretId).toMatch(/^AKID/);
    expect(result.expiredTime - result.startTime).toBe(1800);
    const credentials = {
      secretId: result.credentials.tmpSecretId,
      secretKey: result.credentials.tmpSecretKey,
      securityToken: result.credentials.sessionToken,
    };
    expect((await signed(emu, 'PUT', 'a.jpg', { body: 'role', credentials })).status).toBe(200);
    const stored = await signed(emu, 'GET', 'a.jpg');
    expect([stored.status, stored.text]).toEqual([200, 'role']);
    // Another key, and another action on the allowed key: the policy allows neither.
    for (const [method, key] of [
      ['PUT', 'b.jpg'],
      ['GET', 'a.jpg'],
    ] as const) {
      const refused = await signed(emu, method, key, { body: method === 'PUT' ? 'x' : undefined, credentials });
      expect([refused.status, xmlField(refused.text, 'Code')], `${method} ${key}`).toEqual([403, 'AccessDenied']);
    }
    expect((await signed(emu, 'HEAD', 'b.jpg')).status).toBe(404);
  });

  it('refuses a malformed policy with StrategyFormatError', async () => {
    await expect(
      STS.getCredential({
        secretId: emu.info.credentials.secretId,
        secretKey: emu.info.credentials.secretKey,
        host: emu.info.sts!.endpoint,
        policy: { version: '2.0', statement: [{ effect: 'maybe', action: ['x'], resource: ['*'] }] },
      } as never),
    ).rejects.toMatchObject({ Code: 'InvalidParameter.StrategyFormatError' });
  });

  it('answers the API 3.0 TC3-HMAC-SHA256 form', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({ Name: 'tc3', Policy: encodeURIComponent(JSON.stringify(policy)), DurationSeconds: 600 });
    const signed = signTc3({ ...emu.info.credentials, host: emu.info.sts!.endpoint, timestamp, payload });
    const headers = {
      'content-type': 'application/json',
      'x-tc-action': 'GetFederationToken',
      'x-tc-version': '2018-08-13',
      'x-tc-timestamp': String(timestamp),
      'x-tc-region': REGION,
      authorization: signed.authorization,
    };
    const ok = await postSts(emu, headers, payload);
    expect(ok.json.Response.Credentials.TmpSecretId).toMatch(/^AKID/);
    // DurationSeconds from the server's clock when it answered, which may have ticked since the timestamp.
    const answered = Math.floor(Date.now() / 1000);
    expect(ok.json.Response.ExpiredTime).toBeGreaterThanOrEqual(timestamp + 600);
    expect(ok.json.Response.ExpiredTime).toBeLessThanOrEqual(answered + 600);
    const tampered = await postSts(emu, headers, payload.replace('600', '601'));
    expect(tampered.json.Response.Error.Code).toBe('AuthFailure.SignatureFailure');
  });
});
