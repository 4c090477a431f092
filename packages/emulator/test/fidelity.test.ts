import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createObjectPolicy, createPostPolicy, signPostPolicy, signRequest } from '@cos-direct/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, call, emulator, raw, REGION, sdk, signed, temporaryKey, VHOST, xmlField } from './helpers.js';

const code = (text: string) => xmlField(text, 'Code');

/** A log stream whose lines a test can wait for. */
function logSink() {
  const lines: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line);
        for (const w of waiters.splice(0)) {
          if (w.match(line)) w.resolve(line);
          else waiters.push(w);
        }
      }
      done();
    },
  });
  const waitFor = (match: (line: string) => boolean) =>
    new Promise<string>((resolve) => {
      const seen = lines.find(match);
      if (seen) resolve(seen);
      else waiters.push({ match, resolve });
    });
  return { lines, stream, waitFor };
}

/** Sends headers and the first bytes of a body, then lets the test decide what happens to the socket. */
function partialUpload(emu: RunningEmulator, key: string, total: number, first: Buffer) {
  const headers = { host: VHOST, 'content-length': total };
  const auth = signRequest({ method: 'PUT', pathname: `/${key}`, headers }, { credentials: emu.info.credentials });
  const u = new URL(emu.info.cos.http);
  const req = httpRequest({
    host: u.hostname,
    port: u.port,
    path: `/${key}`,
    method: 'PUT',
    headers: { ...headers, authorization: auth.authorization },
  });
  const response = new Promise<{ status: number; text: string; headers: Record<string, unknown> }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
  });
  req.write(first);
  return { req, response };
}

describe('list actions are authorized against <bucket>/<prefix>', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  // The direct-upload policy COS documents (doc 436/31923): every upload action on <bucket>/doc/*.
  const docPolicy = createObjectPolicy({
    region: REGION,
    bucket: BUCKET,
    prefix: 'doc/',
    actions: [
      'PutObject',
      'PostObject',
      'InitiateMultipartUpload',
      'ListMultipartUploads',
      'ListParts',
      'UploadPart',
      'CompleteMultipartUpload',
      'AbortMultipartUpload',
      'GetBucket',
    ],
  });

  const docKey = async () => {
    const key = await temporaryKey(emu, docPolicy);
    return sdk(emu, { SecretId: key.tmpSecretId, SecretKey: key.tmpSecretKey, SecurityToken: key.sessionToken });
  };

  it('lets the official SDK upload with sliceUploadFile and uploadFile under the documented prefix-scoped policy', async () => {
    const cos = await docKey();
    const dir = await mkdtemp(join(tmpdir(), 'cos-prefix-'));
    const file = join(dir, 'big.bin');
    await writeFile(file, randomBytes(2 * 1024 * 1024 + 17));
    const slice = await call(cos, 'sliceUploadFile', { Key: 'doc/slice.bin', FilePath: file, ChunkSize: 1024 * 1024 });
    expect(slice.ETag).toMatch(/-3"$/);
    const upload = await call(cos, 'uploadFile', { Key: 'doc/upload.bin', FilePath: file, SliceSize: 1024 * 1024, ChunkSize: 1024 * 1024 });
    expect(upload.ETag).toMatch(/-3"$/);
    const head = await call(sdk(emu), 'headObject', { Key: 'doc/upload.bin' });
    expect(head.headers['content-length']).toBe(String(2 * 1024 * 1024 + 17));
  });

  it('checks the prefix parameter itself: a listing outside the prefix is refused, one inside is allowed', async () => {
    const cos = await docKey();
    await expect(call(cos, 'multipartList', { Prefix: 'other/' })).rejects.toMatchObject({ statusCode: 403 });
    await expect(call(cos, 'getBucket', {})).rejects.toMatchObject({ statusCode: 403 });
    const inside = await call(cos, 'getBucket', { Prefix: 'doc/' });
    expect(inside.Contents.map((c: { Key: string }) => c.Key)).toContain('doc/slice.bin');
    const refusal = emu.refusals(5).find((r) => r.operation === 'GetBucket');
    expect(refusal?.reason).toContain(`${BUCKET}/`);
  });
});

describe('signatures: q-key-time and q-ak as sent', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
    expect((await signed(emu, 'PUT', 'present.txt', { body: 'x' })).status).toBe(200);
  });
  afterAll(() => emu.close());

  /** A current signature whose Authorization is then edited. */
  const withAuthorization = (edit: (authorization: string) => string) => {
    const now = Math.floor(Date.now() / 1000);
    const headers = { host: VHOST };
    const auth = signRequest(
      { method: 'GET', pathname: '/present.txt', headers },
      { credentials: emu.info.credentials, keyTime: `${now - 1};${now + 600}` },
    );
    return raw(emu.info.cos.http, { path: '/present.txt', headers: { ...headers, authorization: edit(auth.authorization) } });
  };
  const keyTime = (value: string) => (a: string) => a.replace(/q-key-time=[^&]*/, `q-key-time=${value}`);

  it('refuses a q-key-time that ended long ago, even with a current q-sign-time', async () => {
    for (const value of ['1;2', `${Math.floor(Date.now() / 1000) - 7200};${Math.floor(Date.now() / 1000) - 3600}`]) {
      const res = await withAuthorization(keyTime(value));
      expect(res.status).toBe(403);
      expect(code(res.text)).toBe('AccessDenied');
      expect(xmlField(res.text, 'Message')).toBe('Request has expired');
      expect(xmlField(res.text, 'Reason')).toContain('q-key-time');
    }
  });

  it('refuses a q-key-time that starts tomorrow', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await withAuthorization(keyTime(`${now + 86400};${now + 90000}`));
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('RequestTimeTooSkewed');
  });

  it('refuses a q-sign-time outside q-key-time', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await withAuthorization(keyTime(`${now - 1};${now + 60}`));
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('AccessDenied');
    expect(xmlField(res.text, 'Reason')).toContain('does not lie within');
  });

  it('does not trim q-ak: a SecretId with a trailing space is malformed', async () => {
    const res = await withAuthorization((a) => a.replace(/q-ak=([^&]*)/, 'q-ak=$1 '));
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe('InvalidAccessKeyId');
    expect(xmlField(res.text, 'Message')).toBe('The access key Id format you provided is invalid.');
  });

  it('keeps "does not exist" for a well-formed unknown SecretId', async () => {
    const res = await withAuthorization((a) => a.replace(/q-ak=[^&]*/, 'q-ak=AKIDnobodyknowsthisone'));
    expect(code(res.text)).toBe('InvalidAccessKeyId');
    expect(xmlField(res.text, 'Message')).toBe('The Access Key Id you provided does not exist in our records.');
  });

  it('applies a signed response-* override whatever the case of its name', async () => {
    const query = { 'response-content-disposition': 'attachment' };
    const headers = { host: VHOST };
    const auth = signRequest({ method: 'GET', pathname: '/present.txt', query, headers }, { credentials: emu.info.credentials });
    const plain = await raw(emu.info.cos.http, {
      path: '/present.txt?response-content-disposition=attachment',
      headers: { ...headers, authorization: auth.authorization },
    });
    expect(plain.headers['content-disposition']).toBe('attachment');
    const recased = await raw(emu.info.cos.http, {
      path: '/present.txt?Response-Content-Disposition=attachment',
      headers: { ...headers, authorization: auth.authorization },
    });
    expect(recased.status).toBe(200);
    expect(recased.headers['content-disposition']).toBe('attachment');
  });
});

describe('addresses: path style, the admin endpoints, trace ids', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  it('sends x-cos-trace-id only on failures, matching the TraceId of the error body', async () => {
    const ok = await signed(emu, 'PUT', 'traced.txt', { body: 'x' });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-cos-request-id']).toBeTruthy();
    expect(ok.headers['x-cos-trace-id']).toBeUndefined();
    const missing = await signed(emu, 'GET', 'no-such-object.txt');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-cos-trace-id']).toBe(xmlField(missing.text, 'TraceId'));
  });

  it('refuses path style by default and serves it with pathStyle: true', async () => {
    const bare = new URL(emu.info.cos.http).host;
    const pathStyleGet = (e: RunningEmulator) => {
      const headers = { host: new URL(e.info.cos.http).host };
      const auth = signRequest({ method: 'GET', pathname: `/${BUCKET}/traced.txt`, headers }, { credentials: e.info.credentials });
      return raw(e.info.cos.http, { path: `/${BUCKET}/traced.txt`, headers: { ...headers, authorization: auth.authorization } });
    };
    const refused = await pathStyleGet(emu);
    expect(refused.status).toBe(403);
    expect(code(refused.text)).toBe('PathStyleDomainForbidden');
    expect(xmlField(refused.text, 'Reason')).toContain(`${BUCKET}.cos.`);
    expect(bare).toBeTruthy();
    const legacy = await emulator({ pathStyle: true, httpsPort: false });
    try {
      expect((await signed(legacy, 'PUT', 'traced.txt', { body: 'legacy' })).status).toBe(200);
      const served = await pathStyleGet(legacy);
      expect(served.status).toBe(200);
      expect(served.text).toBe('legacy');
    } finally {
      await legacy.close();
    }
  });

  it('serves the admin endpoints at //_emulator/, so an object named _emulator/... is readable at the bare address', async () => {
    expect((await signed(emu, 'PUT', '_emulator/health', { body: 'my object' })).status).toBe(200);
    const host = new URL(emu.info.cos.http).host;
    const object = await signed(emu, 'GET', '_emulator/health', { host });
    expect(object.status).toBe(200);
    expect(object.text).toBe('my object');
    const health = await raw(`${emu.info.cos.http}//_emulator/health`);
    expect(JSON.parse(health.text)).toMatchObject({ status: 'ok' });
  });
});

describe('malformed input gets COS XML', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
  });
  afterAll(() => emu.close());

  it('answers bad percent-encoding in the path with InvalidURI', async () => {
    const res = await raw(emu.info.cos.http, { method: 'PUT', path: '/bad%ff', headers: { host: VHOST, 'content-length': 1 }, body: 'x' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(code(res.text)).toBe('InvalidURI');
    expect(emu.refusals(1)[0]!.code).toBe('InvalidURI');
  });

  for (const [name, entry] of [
    ['an empty <Object/>', '<Object/>'],
    ['a nested <Key>', '<Object><Key><Inner>a</Inner></Key></Object>'],
  ] as const) {
    it(`refuses DeleteMultipleObjects with ${name} and deletes nothing`, async () => {
      expect((await signed(emu, 'PUT', 'keep.txt', { body: 'keep' })).status).toBe(200);
      const body = `<Delete><Quiet>false</Quiet><Object><Key>keep.txt</Key></Object>${entry}</Delete>`;
      const md5 = (await import('node:crypto')).createHash('md5').update(body).digest('base64');
      const res = await signed(emu, 'POST', '', {
        query: { delete: '' },
        body,
        headers: { 'content-md5': md5, 'content-type': 'application/xml' },
      });
      expect(res.status).toBe(400);
      expect(code(res.text)).toBe('MalformedXML');
      expect((await signed(emu, 'GET', 'keep.txt')).text).toBe('keep');
    });
  }

  for (const [name, key] of [
    ['a leading "/"', '/leading-slash'],
    ['a leading "\\"', '\\leading-backslash'],
    ['the character 0x19', 'arrow\x19down'],
  ] as const) {
    it(`refuses a key with ${name} as COS's naming rules do`, async () => {
      const headers = { host: VHOST, 'content-length': 1 };
      const pathname = `/${key}`;
      const auth = signRequest({ method: 'PUT', pathname, headers }, { credentials: emu.info.credentials });
      const path = `/${encodeURIComponent(key)}`;
      const res = await raw(emu.info.cos.http, {
        method: 'PUT',
        path,
        headers: { ...headers, authorization: auth.authorization },
        body: 'x',
      });
      expect(res.status).toBe(400);
      expect(code(res.text)).toBe('InvalidURI');
    });
  }

  it('merges the slashes that open a path, as COS does, and keeps the signature over the path as sent', async () => {
    const headers = { host: VHOST, 'content-length': 1 };
    const pathname = '///merged/.//a//b';
    const auth = signRequest({ method: 'PUT', pathname, headers }, { credentials: emu.info.credentials });
    const res = await raw(emu.info.cos.http, {
      method: 'PUT',
      path: pathname,
      headers: { ...headers, authorization: auth.authorization },
      body: 'm',
    });
    expect(res.status).toBe(200);
    expect((await signed(emu, 'GET', 'merged/.//a//b')).text).toBe('m');
    // A path of slashes alone names no key.
    const slashes = signRequest({ method: 'GET', pathname: '///////', headers: { host: VHOST } }, { credentials: emu.info.credentials });
    const none = await raw(emu.info.cos.http, { path: '///////', headers: { host: VHOST, authorization: slashes.authorization } });
    expect(none.status).toBe(400);
    expect(code(none.text)).toBe('InvalidURI');
  });

  it('takes no object at a path of "." segments, and keeps ".." in keys, as the official SDK suite expects of COS', async () => {
    // The official SDK with its key simplification off, as the suite's "Key is illegal" groups run it.
    const unchecked = new (await import('cos-nodejs-sdk-v5')).default({
      SecretId: emu.info.credentials.secretId,
      SecretKey: emu.info.credentials.secretKey,
      Protocol: 'http:',
      Ip: new URL(emu.info.cos.http).host,
      AutoSwitchHost: false,
      ObjectKeySimplifyCheck: false,
    } as never);
    for (const Key of ['/./', '/.', '/././']) {
      const put = await call(unchecked, 'putObject', { Key, Body: Key }).then(
        () => undefined,
        (e: { statusCode?: number; error?: { Code?: string } }) => e,
      );
      expect([put?.statusCode, put?.error?.Code], Key).toEqual([400, 'InvalidURI']);
      // The same refusal as the PUT's, without the body a HEAD answer cannot carry.
      await expect(call(unchecked, 'headObject', { Key }), Key).rejects.toMatchObject({ statusCode: 400 });
    }
    const list = await signed(emu, 'GET', '', { query: { prefix: '.' } });
    expect(list.text).not.toContain('<Key>.');
    for (const Key of ['/abc/../', '/././///abc/.//def//../../']) {
      await call(unchecked, 'putObject', { Key, Body: Key });
      expect(String((await call(unchecked, 'getObject', { Key })).Body)).toBe(Key);
    }
    // A "." segment within a key is part of it.
    expect((await signed(emu, 'PUT', 'dots/./a', { body: 'd' })).status).toBe(200);
    expect((await signed(emu, 'GET', 'dots/./a')).text).toBe('d');
  });

  it('writes control characters of keys in listings as character references', async () => {
    expect((await signed(emu, 'PUT', 'ctl/a\x01b\rc', { body: 'x' })).status).toBe(200);
    const list = await signed(emu, 'GET', '', { query: { prefix: 'ctl/' } });
    expect(list.status).toBe(200);
    expect(list.text.includes('\x01') || list.text.includes('\r')).toBe(false);
    expect(list.text).toContain('<Key>ctl/a&#x1;b&#xD;c</Key>');
  });
});

describe('POST Object reads one field per name', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
  });
  afterAll(() => emu.close());

  it('never stores a Content-Type other than the one its policy checked', async () => {
    const clock = Math.floor(Date.now() / 1000);
    const keyTime = `${clock - 1};${clock + 600}`;
    const policy = createPostPolicy({
      bucket: BUCKET,
      key: 'form/one.png',
      expiration: new Date((clock + 600) * 1000),
      credentials: emu.info.credentials,
      keyTime,
      contentType: 'image/png',
    });
    const fields = { key: 'form/one.png', ...signPostPolicy(policy, { credentials: emu.info.credentials, keyTime }) } as Record<
      string,
      string
    >;
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('Content-Type', 'image/png');
    form.append('content-type', 'text/html');
    form.append('file', new Blob(['<script>']), 'one.png');
    const req = new Request('http://placeholder/', { method: 'POST', body: form });
    const body = Buffer.from(await req.arrayBuffer());
    const res = await raw(`${emu.info.cos.http}/`, {
      method: 'POST',
      headers: { host: VHOST, 'content-type': req.headers.get('content-type')!, 'content-length': body.length },
      body,
    });
    const head = await signed(emu, 'HEAD', 'form/one.png');
    if (res.status === 204) expect(head.headers['content-type']).toBe('image/png');
    else {
      expect(res.status).toBe(403);
      expect(head.status).toBe(404);
    }
  });
});

describe('new options are validated like the others', () => {
  it('refuses mistyped pathStyle, loose and timeouts with EMU_ERR_CONFIG listing each', async () => {
    await expect(
      emulator({ pathStyle: 'yes' as never, loose: 1 as never, requestTimeoutMs: -1, bodyIdleTimeoutMs: 1.5 }),
    ).rejects.toMatchObject({
      code: 'EMU_ERR_CONFIG',
      problems: [
        'requestTimeoutMs -1 must be a non-negative integer of milliseconds',
        'bodyIdleTimeoutMs 1.5 must be a non-negative integer of milliseconds',
        'pathStyle must be true or false',
        'loose must be true or false',
      ],
    });
  });
});

describe('unimplemented headers', () => {
  it('refuses them with 501 naming the header, and accepts them with a warning when loose', async () => {
    const strict = await emulator({ httpsPort: false });
    const sink = logSink();
    const loose = await emulator({ httpsPort: false, loose: true, logger: { level: 'warn', stream: sink.stream } });
    try {
      for (const name of ['x-cos-content-sha1', 'x-cos-callback', 'x-cos-mime-limit']) {
        const res = await signed(strict, 'PUT', 'h.txt', { body: 'x', headers: { [name]: '1' } });
        expect(res.status, name).toBe(501);
        expect(code(res.text)).toBe('NotImplemented');
        expect(xmlField(res.text, 'Reason')).toContain(name.toLowerCase());
        expect(xmlField(res.text, 'Reason')).toContain('--loose');
      }
      expect(
        (await signed(strict, 'PUT', 'h.txt', { body: 'x', headers: { 'x-cos-acl': 'public-read', 'x-cos-meta-a': '1' } })).status,
      ).toBe(200);
      const accepted = await signed(loose, 'PUT', 'h.txt', { body: 'x', headers: { 'x-cos-mime-limit': 'text/plain' } });
      expect(accepted.status).toBe(200);
      expect(await sink.waitFor((line) => line.includes('x-cos-mime-limit'))).toContain('"level":40');
    } finally {
      await strict.close();
      await loose.close();
    }
  });
});

describe('x-cos-* headers COS does not define', () => {
  it('are accepted, as COS ignores them, with a note in the log', async () => {
    const sink = logSink();
    const emu = await emulator({ httpsPort: false, logger: { level: 'info', stream: sink.stream } });
    try {
      const put = await signed(emu, 'PUT', 'foreign.txt', { body: 'x', headers: { 'x-cos-test': 'a b!@#' } });
      expect(put.status).toBe(200);
      expect(await sink.waitFor((line) => line.includes('"header":"x-cos-test"'))).toContain('COS defines no such header');
      const list = await signed(emu, 'GET', '', { headers: { 'X-Cos-Test': '1' } });
      expect(list.status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});

describe('slow and vanishing clients', () => {
  it('answers a body that goes silent with RequestTimeout', async () => {
    const emu = await emulator({ httpsPort: false, bodyIdleTimeoutMs: 200 });
    try {
      const { req, response } = partialUpload(emu, 'slow.txt', 10, Buffer.from('12345'));
      const res = await response;
      req.destroy();
      expect(res.status).toBe(400);
      expect(code(res.text)).toBe('RequestTimeout');
      expect(res.headers.connection).toBe('close');
      expect((await signed(emu, 'HEAD', 'slow.txt')).status).toBe(404);
    } finally {
      await emu.close();
    }
  });

  it('cuts off a body trickled a byte at a time, which sends under a kilobyte per idle period', async () => {
    const emu = await emulator({ httpsPort: false, bodyIdleTimeoutMs: 300 });
    try {
      const { req, response } = partialUpload(emu, 'drip.txt', 100_000, Buffer.from('a'));
      const drip = setInterval(() => req.write('a'), 20);
      const res = await response.finally(() => clearInterval(drip));
      req.destroy();
      expect(code(res.text)).toBe('RequestTimeout');
      expect(xmlField(res.text, 'Reason')).toContain('sent less than 1024 bytes in 300 ms');
      expect((await signed(emu, 'HEAD', 'drip.txt')).status).toBe(404);
    } finally {
      await emu.close();
    }
  });

  it('answers a request that outlasts requestTimeoutMs with RequestTimeout, however steadily it sends', async () => {
    const emu = await emulator({ httpsPort: false, requestTimeoutMs: 300, bodyIdleTimeoutMs: 0 });
    try {
      const { req, response } = partialUpload(emu, 'trickle.txt', 1000, Buffer.from('a'));
      const trickle = setInterval(() => req.write('a'), 20);
      const res = await response.finally(() => clearInterval(trickle));
      req.destroy();
      expect(code(res.text)).toBe('RequestTimeout');
      expect(xmlField(res.text, 'Reason')).toContain('requestTimeoutMs');
    } finally {
      await emu.close();
    }
  });

  it('logs a client that hangs up mid-upload as such: no InternalError, no refusal, nothing stored', async () => {
    const sink = logSink();
    const emu = await emulator({ httpsPort: false, logger: { level: 'info', stream: sink.stream } });
    try {
      const { req, response } = partialUpload(emu, 'gone.txt', 1024 * 1024, randomBytes(64 * 1024));
      response.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      req.destroy();
      const line = await sink.waitFor((l) => l.includes('the client closed the connection'));
      expect(line).toContain('"level":30');
      expect(sink.lines.filter((l) => l.includes('"level":50'))).toEqual([]);
      expect(emu.refusals().map((r) => r.code)).not.toContain('InternalError');
      expect(emu.refusals()).toHaveLength(0);
      expect((await signed(emu, 'HEAD', 'gone.txt')).status).toBe(404);
    } finally {
      await emu.close();
    }
  });
});
