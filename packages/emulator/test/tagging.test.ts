import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectPolicy } from '@cos-direct/signer';
import { describe, expect, it } from 'vitest';
import { BUCKET, call, postSignedForm, REGION, sdk, signed, storeEmulators, temporaryKey, VHOST, xmlField } from './helpers.js';

const md5 = (s: string) => createHash('md5').update(s).digest('base64');
// The official SDK suite's own way of writing x-cos-tagging.
const tagging2str = (tags: Array<{ Key: string; Value: string }>) => tags.map((t) => `${t.Key}=${encodeURIComponent(t.Value)}`).join('&');
const tagsOf = async (cos: ReturnType<typeof sdk>, Key: string, VersionId?: string) =>
  (await call(cos, 'getObjectTagging', { Key, ...(VersionId ? { VersionId } : {}) })).Tags;
const tagXml = (tags: Array<[string, string]>) =>
  `<Tagging><TagSet>${tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join('')}</TagSet></Tagging>`;

for (const kind of ['memory', 'filesystem'] as const) {
  describe(`object tagging (${kind})`, () => {
    const { start, stop } = storeEmulators(kind, 'cos-tags-');

    it('stores x-cos-tagging from PUT, counts it on HEAD and GET, and sets, reads and deletes ?tagging', async () => {
      const dataDir = kind === 'filesystem' ? await mkdtemp(join(tmpdir(), 'cos-tags-')) : undefined;
      let emu = await start(dataDir);
      let cos = sdk(emu);
      const tags = [
        { Key: 'k1', Value: 'v 1/中文' },
        { Key: 'k2', Value: 'v2' },
      ];
      await call(cos, 'putObject', { Key: '1.txt', Body: 'hello!', Headers: { 'x-cos-tagging': tagging2str(tags) } });
      expect((await call(cos, 'headObject', { Key: '1.txt' })).headers['x-cos-tagging-count']).toBe('2');
      expect((await call(cos, 'getObject', { Key: '1.txt' })).headers['x-cos-tagging-count']).toBe('2');
      expect(await tagsOf(cos, '1.txt')).toEqual(tags);

      const replaced = [
        { Key: 'age', Value: '18' },
        { Key: 'name', Value: 'xiaoming' },
        { Key: 'a@b', Value: '+-=._:/' },
      ];
      await call(cos, 'putObjectTagging', { Key: '1.txt', Tagging: { Tags: replaced } });
      if (dataDir) {
        await stop(emu);
        emu = await start(dataDir);
        cos = sdk(emu);
      }
      expect(await tagsOf(cos, '1.txt')).toEqual(replaced);
      expect((await call(cos, 'headObject', { Key: '1.txt' })).headers['x-cos-tagging-count']).toBe('3');
      const deleted = await call(cos, 'deleteObjectTagging', { Key: '1.txt' });
      expect(deleted.statusCode).toBe(204);
      expect(await tagsOf(cos, '1.txt')).toEqual([]);
      expect((await call(cos, 'headObject', { Key: '1.txt' })).headers['x-cos-tagging-count']).toBeUndefined();
      const empty = await signed(emu, 'GET', '1.txt', { query: { tagging: '' } });
      expect(empty.status).toBe(200);
      expect(empty.text).toContain('<TagSet/>');
      for (const method of ['putObjectTagging', 'getObjectTagging', 'deleteObjectTagging']) {
        await expect(call(cos, method, { Key: 'missing.txt', Tagging: { Tags: tags } })).rejects.toMatchObject({ statusCode: 404 });
      }
    });

    it('refuses what COS refuses: over ten tags, a key twice, bad characters and lengths, malformed documents', async () => {
      const emu = await start();
      const cos = sdk(emu);
      await call(cos, 'putObject', { Key: 't', Body: 'x' });
      const eleven = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');
      const cases: Array<[string, string]> = [
        [eleven, 'BadRequest'],
        ['a=1&a=2', 'InvalidTag'],
        [`${'k'.repeat(128)}=v`, 'InvalidTag'],
        [`k=${'v'.repeat(256)}`, 'InvalidTag'],
        ['k=a%23b', 'InvalidTag'],
        ['k=', 'InvalidTag'],
        ['k=%E0%A4%A', 'InvalidArgument'],
      ];
      for (const [value, code] of cases) {
        const res = await signed(emu, 'PUT', 'tagged', { body: 'x', headers: { 'x-cos-tagging': value } });
        expect([value, res.status, xmlField(res.text, 'Code')]).toEqual([value, 400, code]);
      }
      expect((await signed(emu, 'HEAD', 'tagged')).status).toBe(404);
      const ok = await signed(emu, 'PUT', 'tagged', {
        body: 'x',
        headers: { 'x-cos-tagging': `${Array.from({ length: 10 }, (_, i) => `k${i}=v`).join('&')}` },
      });
      expect(ok.status).toBe(200);
      expect((await signed(emu, 'HEAD', 'tagged')).headers['x-cos-tagging-count']).toBe('10');
      const docs: Array<[string, string]> = [
        [tagXml(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])), 'BadRequest'],
        [
          tagXml([
            ['a', '1'],
            ['a', '2'],
          ]),
          'InvalidTag',
        ],
        [tagXml([['a', '&lt;b&gt;']]), 'InvalidTag'],
        ['<Tagging></Tagging>', 'MalformedXML'],
        ['tags', 'MalformedXML'],
      ];
      for (const [doc, code] of docs) {
        const res = await signed(emu, 'PUT', 't', { query: { tagging: '' }, body: doc, headers: { 'content-md5': md5(doc) } });
        expect([doc, res.status, xmlField(res.text, 'Code')]).toEqual([doc, 400, code]);
      }
      expect(await tagsOf(cos, 't')).toEqual([]);
    });

    it('gives tags to multipart uploads, POST forms and copies (x-cos-tagging-directive), and to each version', async () => {
      const emu = await start();
      const cos = sdk(emu);
      const init = await call(cos, 'multipartInit', { Key: 'mp', Headers: { 'x-cos-tagging': 'stage=upload' } });
      const part = await call(cos, 'multipartUpload', { Key: 'mp', UploadId: init.UploadId, PartNumber: 1, Body: 'part' });
      await call(cos, 'multipartComplete', { Key: 'mp', UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
      expect(await tagsOf(cos, 'mp')).toEqual([{ Key: 'stage', Value: 'upload' }]);

      const posted = await postSignedForm(emu, 'form', 'posted', { 'x-cos-tagging': 'from=form' });
      expect(posted.status).toBe(204);
      expect(await tagsOf(cos, 'form')).toEqual([{ Key: 'from', Value: 'form' }]);

      await call(cos, 'putObjectCopy', { Key: 'copied', CopySource: `${VHOST}/mp` });
      expect(await tagsOf(cos, 'copied')).toEqual([{ Key: 'stage', Value: 'upload' }]);
      await call(cos, 'putObjectCopy', {
        Key: 'retagged',
        CopySource: `${VHOST}/mp`,
        Headers: { 'x-cos-tagging-directive': 'Replaced', 'x-cos-tagging': 'stage=final' },
      });
      expect(await tagsOf(cos, 'retagged')).toEqual([{ Key: 'stage', Value: 'final' }]);
      await call(cos, 'putObjectCopy', { Key: 'untagged', CopySource: `${VHOST}/mp`, Headers: { 'x-cos-tagging-directive': 'Replaced' } });
      expect(await tagsOf(cos, 'untagged')).toEqual([]);
      const bad = await signed(emu, 'PUT', 'x', { headers: { 'x-cos-copy-source': `${VHOST}/mp`, 'x-cos-tagging-directive': 'Merge' } });
      expect(xmlField(bad.text, 'Code')).toBe('InvalidArgument');

      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      const v1 = (await call(cos, 'putObject', { Key: 'v', Body: '1', Headers: { 'x-cos-tagging': 'n=1' } })).headers['x-cos-version-id'];
      await call(cos, 'putObject', { Key: 'v', Body: '2', Headers: { 'x-cos-tagging': 'n=2' } });
      await call(cos, 'putObjectTagging', { Key: 'v', VersionId: v1, Tagging: { Tags: [{ Key: 'n', Value: 'one' }] } });
      expect(await tagsOf(cos, 'v', v1)).toEqual([{ Key: 'n', Value: 'one' }]);
      expect(await tagsOf(cos, 'v')).toEqual([{ Key: 'n', Value: '2' }]);
      const versioned = await signed(emu, 'GET', 'v', { query: { tagging: '', versionId: v1 } });
      expect(versioned.headers['x-cos-version-id']).toBe(v1);
      await call(cos, 'deleteObjectTagging', { Key: 'v', VersionId: v1 });
      expect(await tagsOf(cos, 'v', v1)).toEqual([]);
      expect(await tagsOf(cos, 'v')).toEqual([{ Key: 'n', Value: '2' }]);
      // A bucket's own tags are not an object's: the bucket has none.
      expect((await signed(emu, 'GET', '', { query: { tagging: '' } })).status).toBe(404);
    });

    it('authorizes ?tagging as its own actions and compares cos:x-cos-tagging as sent', async () => {
      const emu = await start(undefined, true);
      const admin = sdk(emu);
      await call(admin, 'putObject', { Key: 'p/k', Body: '1', Headers: { 'x-cos-tagging': 'team=a' } });
      const policy = createObjectPolicy({ region: REGION, bucket: BUCKET, prefix: 'p/', actions: ['PutObject', 'GetObjectTagging'] });
      policy.statement[0]!.condition = { string_equal_if_exist: { 'cos:x-cos-tagging': 'team=a' } };
      const key = await temporaryKey(emu, policy);
      const cos = sdk(emu, { SecretId: key.tmpSecretId, SecretKey: key.tmpSecretKey, SecurityToken: key.sessionToken });
      await call(cos, 'putObject', { Key: 'p/a', Body: 'a', Headers: { 'x-cos-tagging': 'team=a' } });
      await call(cos, 'putObject', { Key: 'p/none', Body: 'a' });
      await expect(call(cos, 'putObject', { Key: 'p/b', Body: 'b', Headers: { 'x-cos-tagging': 'team=b' } })).rejects.toMatchObject({
        statusCode: 403,
      });
      expect(await tagsOf(cos, 'p/k')).toEqual([{ Key: 'team', Value: 'a' }]);
      await expect(call(cos, 'putObjectTagging', { Key: 'p/k', Tagging: { Tags: [{ Key: 'team', Value: 'b' }] } })).rejects.toMatchObject({
        statusCode: 403,
      });
      await expect(call(cos, 'deleteObjectTagging', { Key: 'p/k' })).rejects.toMatchObject({ statusCode: 403 });
    });
  });
}
