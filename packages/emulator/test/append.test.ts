import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc64ecma } from '@cos-direct/signer/crc64';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { call, emulator, sdk, signed, storeEmulators, xmlField } from './helpers.js';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const code = (text: string) => xmlField(text, 'Code');
const append = (
  emu: RunningEmulator,
  key: string,
  position: number | string,
  body: Buffer | string,
  headers: Record<string, string> = {},
) => signed(emu, 'POST', key, { query: { append: '', position: String(position) }, body, headers });

describe('APPEND Object', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  it("lets the official SDK's appendObject make and extend an appendable object", async () => {
    const cos = sdk(emu);
    const first = await call(cos, 'appendObject', {
      Key: 'log/app.txt',
      Body: '12345',
      Position: 0,
      ContentType: 'text/plain',
      Headers: { 'x-cos-meta-run': '7' },
    });
    expect(first.headers['x-cos-next-append-position']).toBe('5');
    const head = await call(cos, 'headObject', { Key: 'log/app.txt' });
    expect(head.headers['x-cos-object-type']).toBe('appendable');
    const second = await call(cos, 'appendObject', { Key: 'log/app.txt', Body: '66666', Position: head.headers['content-length'] });
    expect(second.headers['x-cos-next-append-position']).toBe('10');
    // The ETag and CRC-64 describe the whole object; x-cos-content-sha1 the MD5 of this request's bytes (what the Go SDK checks).
    expect(second.headers.etag).toBe(`"${md5('1234566666')}"`);
    expect(second.headers['x-cos-hash-crc64ecma']).toBe(crc64ecma(Buffer.from('1234566666')));
    expect(second.headers['x-cos-content-sha1']).toBe(md5('66666'));
    const got = await call(cos, 'getObject', { Key: 'log/app.txt' });
    expect(got.Body.toString()).toBe('1234566666');
    expect(got.headers['x-cos-object-type']).toBe('appendable');
    expect(got.headers['x-cos-hash-crc64ecma']).toBe(crc64ecma(Buffer.from('1234566666')));
    // What the first append stored stays; a later append's headers do not replace it.
    expect(got.headers['content-type']).toBe('text/plain');
    expect(got.headers['x-cos-meta-run']).toBe('7');
  });

  it('refuses a position other than the length with 409 AppendPositionErr and keeps the object', async () => {
    await append(emu, 'log/pos.txt', 0, 'abc');
    for (const position of [0, 2, 4]) {
      const res = await append(emu, 'log/pos.txt', position, 'x');
      expect([position, res.status, code(res.text)]).toEqual([position, 409, 'AppendPositionErr']);
    }
    const fresh = await append(emu, 'log/none.txt', 3, 'x');
    expect([fresh.status, code(fresh.text)]).toEqual([409, 'AppendPositionErr']);
    expect((await signed(emu, 'HEAD', 'log/none.txt')).status).toBe(404);
    expect((await signed(emu, 'GET', 'log/pos.txt')).text).toBe('abc');
  });

  it('refuses to append to a normal object with 409 ObjectNotAppendable', async () => {
    await signed(emu, 'PUT', 'log/normal.txt', { body: 'normal' });
    for (const position of [0, 6]) {
      const res = await append(emu, 'log/normal.txt', position, 'x');
      expect([res.status, code(res.text)]).toEqual([409, 'ObjectNotAppendable']);
    }
    const head = await signed(emu, 'HEAD', 'log/normal.txt');
    expect(head.headers['x-cos-object-type']).toBeUndefined();
  });

  it('turns an appendable object into a normal one when a PUT replaces it', async () => {
    await append(emu, 'log/replaced.txt', 0, 'appended');
    await signed(emu, 'PUT', 'log/replaced.txt', { body: 'put' });
    const head = await signed(emu, 'HEAD', 'log/replaced.txt');
    expect(head.headers['x-cos-object-type']).toBeUndefined();
    const res = await append(emu, 'log/replaced.txt', 3, 'x');
    expect(code(res.text)).toBe('ObjectNotAppendable');
  });

  it('refuses to copy an appendable object, as a whole and as a part, and copies it once a PUT made it normal', async () => {
    await append(emu, 'log/copied.txt', 0, 'appended');
    const source = { 'x-cos-copy-source': 'dev-1250000000.cos.ap-guangzhou.myqcloud.com/log/copied.txt' };
    const copy = await signed(emu, 'PUT', 'log/copy.txt', { headers: source });
    expect([copy.status, code(copy.text)]).toEqual([400, 'InvalidRequest']);
    expect(xmlField(copy.text, 'Reason')).toContain('doc 436/7741');
    expect((await signed(emu, 'HEAD', 'log/copy.txt')).status).toBe(404);

    const uploadId = xmlField((await signed(emu, 'POST', 'log/part.txt', { query: { uploads: '' } })).text, 'UploadId')!;
    const part = await signed(emu, 'PUT', 'log/part.txt', { query: { partNumber: '1', uploadId }, headers: source });
    expect([part.status, code(part.text)]).toEqual([400, 'InvalidRequest']);

    await signed(emu, 'PUT', 'log/copied.txt', { body: 'normal now' });
    expect((await signed(emu, 'PUT', 'log/copy.txt', { headers: source })).status).toBe(200);
    expect((await signed(emu, 'GET', 'log/copy.txt')).text).toBe('normal now');
  });

  it('needs the position parameter and a Content-Length, and checks Content-MD5', async () => {
    const noPosition = await signed(emu, 'POST', 'log/args.txt', { query: { append: '' }, body: 'x' });
    expect([noPosition.status, code(noPosition.text)]).toEqual([400, 'InvalidArgument']);
    const badPosition = await append(emu, 'log/args.txt', '-1', 'x');
    expect([badPosition.status, code(badPosition.text)]).toEqual([400, 'InvalidArgument']);
    const chunked = await signed(emu, 'POST', 'log/args.txt', {
      query: { append: '', position: '0' },
      headers: { 'transfer-encoding': 'chunked' },
    });
    expect([chunked.status, code(chunked.text)]).toEqual([411, 'MissingContentLength']);
    const wrongMd5 = await append(emu, 'log/args.txt', 0, 'x', { 'content-md5': Buffer.from(md5('y'), 'hex').toString('base64') });
    expect([wrongMd5.status, code(wrongMd5.text)]).toEqual([400, 'BadDigest']);
    expect((await signed(emu, 'HEAD', 'log/args.txt')).status).toBe(404);
  });

  it('lets exactly one of two appends at the same position succeed', async () => {
    await append(emu, 'log/race.bin', 0, 'start');
    const a = randomBytes(200 * 1024);
    const b = randomBytes(300 * 1024);
    const results = await Promise.all([append(emu, 'log/race.bin', 5, a), append(emu, 'log/race.bin', 5, b)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(code(loser.text)).toBe('AppendPositionErr');
    const winner = results[0]!.status === 200 ? a : b;
    const got = await signed(emu, 'GET', 'log/race.bin');
    expect(md5(got.body)).toBe(md5(Buffer.concat([Buffer.from('start'), winner])));
  });
});

describe('APPEND Object in a data directory', () => {
  it('keeps every acknowledged append across a restart, small and large', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cos-append-'));
    try {
      const parts = [Buffer.from('head;'), randomBytes(100 * 1024), Buffer.from(';tail')];
      let emu = await emulator({ dataDir, httpPort: 0, httpsPort: 0 });
      let position = 0;
      for (const part of parts) {
        const res = await append(emu, 'log/durable.bin', position, part);
        expect(res.status).toBe(200);
        position = Number(res.headers['x-cos-next-append-position']);
      }
      await emu.close();
      emu = await emulator({ dataDir, httpPort: 0, httpsPort: 0 });
      const got = await signed(emu, 'GET', 'log/durable.bin');
      expect(md5(got.body)).toBe(md5(Buffer.concat(parts)));
      expect(got.headers['x-cos-object-type']).toBe('appendable');
      const more = await append(emu, 'log/durable.bin', position, 'more');
      expect(more.headers['x-cos-next-append-position']).toBe(String(position + 4));
      await emu.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

for (const kind of ['memory', 'filesystem'] as const) {
  describe(`APPEND Object with versioning (${kind})`, () => {
    const { start } = storeEmulators(kind, 'cos-append-versions-');
    const versions = async (emu: RunningEmulator, prefix: string) => {
      const res = await signed(emu, 'GET', '', { query: { versions: '', prefix } });
      return [...res.text.matchAll(/<(Version|DeleteMarker)>[\s\S]*?<VersionId>([^<]*)<\/VersionId>[\s\S]*?<IsLatest>([^<]*)</g)].map(
        (m) => `${m[1]} ${m[2]} ${m[3]}`,
      );
    };

    it('keeps the appendable object out of versioning while Enabled: one null version, replaced by each append', async () => {
      const emu = await start();
      const cos = sdk(emu);
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      const first = await append(emu, 'v/log.txt', 0, 'hello');
      expect(first.status).toBe(200);
      expect(first.headers['x-cos-version-id']).toBe('null');
      const second = await append(emu, 'v/log.txt', 5, ' world');
      expect([second.status, second.headers['x-cos-next-append-position']]).toEqual([200, '11']);
      expect(await versions(emu, 'v/log.txt')).toEqual(['Version null true']);
      const head = await signed(emu, 'HEAD', 'v/log.txt');
      expect([head.headers['x-cos-object-type'], head.headers['x-cos-version-id']]).toEqual(['appendable', 'null']);

      // A PUT makes a version over it; the appendable object stays as the null version, no longer appendable.
      const put = await call(cos, 'putObject', { Key: 'v/log.txt', Body: 'normal' });
      const v1 = put.headers['x-cos-version-id'] as string;
      expect(v1).not.toBe('null');
      expect(await versions(emu, 'v/log.txt')).toEqual([`Version ${v1} true`, 'Version null false']);
      expect((await signed(emu, 'GET', 'v/log.txt', { query: { versionId: 'null' } })).text).toBe('hello world');
      const refused = await append(emu, 'v/log.txt', 6, 'more');
      expect([refused.status, code(refused.text)]).toEqual([409, 'ObjectNotAppendable']);

      // Behind a delete marker the key is free again: an append at 0 makes a new null version (the old one is replaced).
      await call(cos, 'deleteObject', { Key: 'v/log.txt' });
      expect((await append(emu, 'v/log.txt', 0, 'again')).status).toBe(200);
      const listed = await versions(emu, 'v/log.txt');
      expect(listed[0]).toBe('Version null true');
      expect(listed).toHaveLength(3);
      expect((await signed(emu, 'GET', 'v/log.txt')).text).toBe('again');
      expect((await signed(emu, 'GET', 'v/log.txt', { query: { versionId: v1 } })).text).toBe('normal');
    });

    it("runs the official suite's appendObject in a Suspended bucket: delete, append, HEAD, append", async () => {
      const emu = await start();
      const cos = sdk(emu);
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      await call(cos, 'putObject', { Key: 'append.txt', Body: 'old' });
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Suspended' } });
      await call(cos, 'deleteObject', { Key: 'append.txt' });
      await call(cos, 'appendObject', { Key: 'append.txt', Body: '12345', Position: 0 });
      const head = await call(cos, 'headObject', { Key: 'append.txt' });
      await call(cos, 'appendObject', { Key: 'append.txt', Body: '66666', Position: head.headers['content-length'] });
      expect((await signed(emu, 'GET', 'append.txt')).text).toBe('1234566666');
      // The version made while Enabled is kept; the delete marker was the null version and the appendable object replaced it.
      const listed = await versions(emu, 'append.txt');
      expect(listed).toHaveLength(2);
      expect(listed[0]).toBe('Version null true');
    });
  });
}

describe('APPEND Object behind a delete marker', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  it('replaces the hidden null version only for a key that may also delete it', async () => {
    const { createObjectPolicy } = await import('@cos-direct/signer');
    const { REGION, BUCKET, temporaryKey } = await import('./helpers.js');
    const cos = sdk(emu);
    // The null version "kept", then versioning on and a delete: the marker hides it, history keeps it.
    await call(cos, 'putObject', { Key: 'hidden/log.txt', Body: 'kept' });
    await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
    await call(cos, 'deleteObject', { Key: 'hidden/log.txt' });
    const tmp = (actions: string[]) =>
      temporaryKey(emu, createObjectPolicy({ region: REGION, bucket: BUCKET, key: 'hidden/log.txt', actions }));
    const asKey = (k: { tmpSecretId: string; tmpSecretKey: string; sessionToken: string }) => ({
      credentials: { secretId: k.tmpSecretId, secretKey: k.tmpSecretKey, securityToken: k.sessionToken },
    });

    const appendOnly = await tmp(['AppendObject']);
    const refused = await signed(emu, 'POST', 'hidden/log.txt', {
      query: { append: '', position: '0' },
      body: 'new',
      headers: { 'x-cos-security-token': appendOnly.sessionToken },
      ...asKey(appendOnly),
    });
    expect([refused.status, code(refused.text)]).toEqual([403, 'AccessDenied']);
    expect(refused.text).toContain('DeleteObject');
    expect((await signed(emu, 'GET', 'hidden/log.txt', { query: { versionId: 'null' } })).text).toBe('kept');

    const appendAndDelete = await tmp(['AppendObject', 'DeleteObject']);
    const allowed = await signed(emu, 'POST', 'hidden/log.txt', {
      query: { append: '', position: '0' },
      body: 'new',
      headers: { 'x-cos-security-token': appendAndDelete.sessionToken },
      ...asKey(appendAndDelete),
    });
    expect(allowed.status).toBe(200);
    expect((await signed(emu, 'GET', 'hidden/log.txt', { query: { versionId: 'null' } })).text).toBe('new');
  });
});
