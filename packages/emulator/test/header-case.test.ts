import { createObjectPolicy, signTc3 } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COS_HEADER_CASE } from '../src/http/header-case.js';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, postSignedForm, raw, REGION, signed, VHOST, type RawResponse } from './helpers.js';

// Header names as they cross the wire, read from rawHeaders: clients that keep headers in a
// case-sensitive map (cos-python-sdk-v5, coscmd) look up `ETag` and `Content-Length` exactly.
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await emulator({ httpPort: 0, httpsPort: 0 });
});
afterAll(() => emu?.close());

const names = (res: RawResponse) => res.rawHeaders.filter((_, i) => i % 2 === 0);

/** Every name is in COS's case: the table's spelling for standard headers, lower case for COS's own. */
function expectCosCase(res: RawResponse, mustHave: string[]) {
  const sent = names(res);
  for (const name of mustHave) expect(sent, `${name} in ${sent.join(', ')}`).toContain(name);
  for (const name of sent) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-cos-')) expect(name).toBe(lower);
    else if (COS_HEADER_CASE[lower]) expect(name).toBe(COS_HEADER_CASE[lower]);
  }
}

describe("response header names in COS's case", () => {
  it('PUT, GET and HEAD Object', async () => {
    const put = await signed(emu, 'PUT', 'case/a.txt', { body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(200);
    expectCosCase(put, ['ETag', 'Content-Length', 'Server', 'Date', 'x-cos-request-id', 'x-cos-hash-crc64ecma']);
    const get = await signed(emu, 'GET', 'case/a.txt');
    expect(get.text).toBe('hello');
    expectCosCase(get, ['Content-Type', 'Content-Length', 'ETag', 'Last-Modified', 'Accept-Ranges', 'x-cos-request-id']);
    const head = await signed(emu, 'HEAD', 'case/a.txt');
    expectCosCase(head, ['Content-Type', 'Content-Length', 'ETag', 'Last-Modified', 'x-cos-request-id']);
    const range = await signed(emu, 'GET', 'case/a.txt', { headers: { range: 'bytes=0-1' } });
    expect(range.status).toBe(206);
    expectCosCase(range, ['Content-Range', 'Content-Length', 'ETag']);
  });

  it('GET Bucket', async () => {
    const list = await signed(emu, 'GET', '', { query: { prefix: 'case/' } });
    expect(list.status).toBe(200);
    expectCosCase(list, ['Content-Type', 'Content-Length', 'x-cos-request-id']);
  });

  it('an error', async () => {
    const missing = await signed(emu, 'GET', 'case/missing.txt');
    expect(missing.status).toBe(404);
    expectCosCase(missing, ['Content-Type', 'Content-Length', 'Server', 'x-cos-request-id', 'x-cos-trace-id']);
    const denied = await raw(`${emu.info.cos.http}/case/a.txt`, { headers: { host: VHOST } });
    expect(denied.status).toBe(403);
    expectCosCase(denied, ['Content-Type', 'x-cos-request-id']);
  });

  it('a CORS preflight and a CORS answer', async () => {
    const origin = 'https://app.example';
    const pre = await raw(`${emu.info.cos.http}/case/a.txt`, {
      method: 'OPTIONS',
      headers: { host: VHOST, origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(200);
    expectCosCase(pre, ['Access-Control-Allow-Origin', 'Access-Control-Allow-Methods', 'x-cos-request-id']);
    const get = await signed(emu, 'GET', 'case/a.txt', { headers: { origin } });
    expectCosCase(get, ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers', 'ETag']);
  });

  it('STS', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const policy = createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'case/sts.txt', actions: ['PutObject'] });
    const payload = JSON.stringify({ Name: 'case', Policy: encodeURIComponent(JSON.stringify(policy)), DurationSeconds: 600 });
    const tc3 = signTc3({ ...emu.info.credentials, host: emu.info.sts!.endpoint, timestamp, payload });
    const res = await raw(emu.info.sts!.url, {
      method: 'POST',
      ca: emu.info.caCert,
      headers: {
        'content-type': 'application/json',
        'x-tc-action': 'GetFederationToken',
        'x-tc-version': '2018-08-13',
        'x-tc-timestamp': String(timestamp),
        'x-tc-region': REGION,
        authorization: tc3.authorization,
      },
      body: payload,
    });
    expect(JSON.parse(res.text).Response.Credentials.TmpSecretId).toMatch(/^AKID/);
    expectCosCase(res, ['Content-Type', 'Content-Length']);
  });

  it('POST Object', async () => {
    const res = await postSignedForm(emu, 'case/form.txt', 'form body');
    expect(res.status).toBe(204);
    expectCosCase(res, ['ETag', 'Location', 'x-cos-request-id']);
  });

  it("the emulator's own endpoints", async () => {
    const health = await raw(emu.info.admin.health);
    expectCosCase(health, ['Content-Type', 'Content-Length']);
  });
});
