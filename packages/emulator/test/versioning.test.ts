import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectPolicy } from '@cos-direct/signer';
import { describe, expect, it } from 'vitest';
import { BUCKET, call, postSignedForm, REGION, sdk, signed, storeEmulators, temporaryKey, VHOST, xmlField } from './helpers.js';

const md5 = (s: string) => createHash('md5').update(s).digest('base64');
const body = async (cos: ReturnType<typeof sdk>, Key: string, VersionId?: string) =>
  String((await call(cos, 'getObject', { Key, ...(VersionId ? { VersionId } : {}) })).Body);

for (const kind of ['memory', 'filesystem'] as const) {
  describe(`versioning (${kind})`, () => {
    const { start, stop } = storeEmulators(kind, 'cos-versions-');

    it('configures versioning: Enabled, Suspended, never back to unversioned; a bad document is MalformedXML', async () => {
      const emu = await start();
      const cos = sdk(emu);
      const before = await call(cos, 'getBucketVersioning', {});
      expect(before.VersioningConfiguration?.Status).toBeUndefined();
      // The SDK refuses to send it without a configuration.
      await expect(call(cos, 'putBucketVersioning', {})).rejects.toMatchObject({ message: 'missing param VersioningConfiguration' });
      for (const doc of [
        '<VersioningConfiguration><Status>On</Status></VersioningConfiguration>',
        '<VersioningConfiguration></VersioningConfiguration>',
        'Enabled',
      ]) {
        const res = await signed(emu, 'PUT', '', { query: { versioning: '' }, body: doc, headers: { 'content-md5': md5(doc) } });
        expect(res.status).toBe(400);
        expect(xmlField(res.text, 'Code')).toBe('MalformedXML');
      }
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      expect((await call(cos, 'getBucketVersioning', {})).VersioningConfiguration.Status).toBe('Enabled');
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Suspended' } });
      expect((await call(cos, 'getBucketVersioning', {})).VersioningConfiguration.Status).toBe('Suspended');
    });

    it('keeps versions, hides a key behind a delete marker, reads and deletes any version, and survives a restart', async () => {
      const dataDir = kind === 'filesystem' ? await mkdtemp(join(tmpdir(), 'cos-versions-')) : undefined;
      let emu = await start(dataDir);
      let cos = sdk(emu);
      const key = 'docs/a.txt';
      const v0 = await call(cos, 'putObject', { Key: key, Body: 'before versioning' });
      expect(v0.headers['x-cos-version-id']).toBeUndefined();
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      const v1 = (await call(cos, 'putObject', { Key: key, Body: 'one' })).headers['x-cos-version-id'] as string;
      // Past the database's inline limit, so a file blob is kept by history too.
      const big = 'x'.repeat(100 * 1024);
      const v2 = (await call(cos, 'putObject', { Key: key, Body: big })).headers['x-cos-version-id'] as string;
      expect(v1).toMatch(/^[A-Za-z0-9+/]+$/);
      expect(Buffer.from(v1, 'base64').toString()).toMatch(/^\d{20}$/);
      expect(v2).not.toBe(v1);

      const head = await call(cos, 'headObject', { Key: key });
      expect(head.headers['x-cos-version-id']).toBe(v2);
      expect(await body(cos, key, v1)).toBe('one');
      expect(await body(cos, key, 'null')).toBe('before versioning');
      expect(await body(cos, key)).toBe(big);

      const del = await call(cos, 'deleteObject', { Key: key });
      expect(del.headers['x-cos-delete-marker']).toBe('true');
      const marker = del.headers['x-cos-version-id'] as string;
      expect(marker).toBeTruthy();
      const gone = await signed(emu, 'GET', key);
      expect(gone.status).toBe(404);
      expect(xmlField(gone.text, 'Code')).toBe('NoSuchKey');
      expect(gone.headers['x-cos-delete-marker']).toBe('true');
      expect(gone.headers['x-cos-version-id']).toBe(marker);
      const atMarker = await signed(emu, 'HEAD', key, { query: { versionId: marker } });
      expect(atMarker.status).toBe(404);
      expect(atMarker.headers['x-cos-delete-marker']).toBe('true');
      expect((await call(cos, 'getBucket', { Prefix: 'docs/' })).Contents).toEqual([]);
      expect(await body(cos, key, v1)).toBe('one');

      if (dataDir) {
        await stop(emu);
        emu = await start(dataDir);
        cos = sdk(emu);
      }
      const list = await call(cos, 'listObjectVersions', { Prefix: 'docs/' });
      expect(list.Versions.map((v: any) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
        [v2, 'false', String(big.length)],
        [v1, 'false', '3'],
        ['null', 'false', '17'],
      ]);
      expect(list.DeleteMarkers.map((m: any) => [m.Key, m.VersionId, m.IsLatest])).toEqual([[key, marker, 'true']]);
      // In listing order: the marker is the newest, so it comes first.
      const listed = await signed(emu, 'GET', '', { query: { versions: '', prefix: 'docs/' } });
      expect([...listed.text.matchAll(/<(Version|DeleteMarker)>/g)].map((m) => m[1])).toEqual([
        'DeleteMarker',
        'Version',
        'Version',
        'Version',
      ]);

      const undo = await call(cos, 'deleteObject', { Key: key, VersionId: marker });
      expect(undo.headers['x-cos-delete-marker']).toBe('true');
      expect(undo.headers['x-cos-version-id']).toBe(marker);
      expect(await body(cos, key)).toBe(big);
      await call(cos, 'deleteObject', { Key: key, VersionId: v2 });
      expect(await body(cos, key)).toBe('one');
      expect((await call(cos, 'getBucket', { Prefix: 'docs/' })).Contents.map((c: any) => c.Key)).toEqual([key]);
      await expect(call(cos, 'getObject', { Key: key, VersionId: v2 })).rejects.toMatchObject({ statusCode: 404 });
      const missing = await signed(emu, 'GET', key, { query: { versionId: v2 } });
      expect(xmlField(missing.text, 'Code')).toBe('NoSuchVersion');
      const malformed = await signed(emu, 'GET', key, { query: { versionId: 'not-a-version' } });
      expect(malformed.status).toBe(400);
      expect(xmlField(malformed.text, 'Code')).toBe('InvalidArgument');
    });

    it('replaces the null version while Suspended, and keeps the versions made before', async () => {
      const emu = await start();
      const cos = sdk(emu);
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      const v1 = (await call(cos, 'putObject', { Key: 's.txt', Body: 'one' })).headers['x-cos-version-id'];
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Suspended' } });
      const n1 = await call(cos, 'putObject', { Key: 's.txt', Body: 'two' });
      expect(n1.headers['x-cos-version-id']).toBe('null');
      await call(cos, 'putObject', { Key: 's.txt', Body: 'three' });
      const list = await call(cos, 'listObjectVersions', {});
      expect(list.Versions.map((v: any) => [v.VersionId, v.IsLatest])).toEqual([
        ['null', 'true'],
        [v1, 'false'],
      ]);
      expect(await body(cos, 's.txt', 'null')).toBe('three');
      const del = await call(cos, 'deleteObject', { Key: 's.txt' });
      expect(del.headers['x-cos-delete-marker']).toBe('true');
      expect(del.headers['x-cos-version-id']).toBe('null');
      const after = await call(cos, 'listObjectVersions', {});
      expect(after.Versions.map((v: any) => v.VersionId)).toEqual([v1]);
      expect(after.DeleteMarkers.map((m: any) => m.VersionId)).toEqual(['null']);
      // Only an empty history lets the bucket go.
      await call(cos, 'deleteObject', { Key: 's.txt', VersionId: v1 });
      const notEmpty = await signed(emu, 'DELETE', '');
      expect(xmlField(notEmpty.text, 'Code')).toBe('BucketNotEmpty');
      await call(cos, 'deleteObject', { Key: 's.txt', VersionId: 'null' });
      expect((await signed(emu, 'DELETE', '')).status).toBe(204);
    });

    it('pages ListVersions with key and version-id markers, prefix, delimiter and encoding-type', async () => {
      const emu = await start();
      const cos = sdk(emu);
      await call(cos, 'putObject', { Key: 'a', Body: 'a0' });
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      for (const k of ['a', 'b', 'b', 'c/1', 'c/2', 'd 1']) await call(cos, 'putObject', { Key: k, Body: k });
      await call(cos, 'deleteObject', { Key: 'b' });
      const all = await call(cos, 'listObjectVersions', {});
      const flat = (l: any) =>
        [...l.Versions, ...l.DeleteMarkers].map((v: any) => `${v.Key}@${v.VersionId}`).sort((x: string, y: string) => x.localeCompare(y));
      expect(all.Versions.length + all.DeleteMarkers.length).toBe(8);
      const walked: string[] = [];
      let keyMarker: string | undefined;
      let versionMarker: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await call(cos, 'listObjectVersions', { MaxKeys: 1, KeyMarker: keyMarker, VersionIdMarker: versionMarker });
        walked.push(...[...page.Versions, ...page.DeleteMarkers].map((v: any) => `${v.Key}@${v.VersionId}`));
        if (page.IsTruncated !== 'true') break;
        keyMarker = page.NextKeyMarker;
        versionMarker = page.NextVersionIdMarker;
      }
      expect(walked.sort((x, y) => x.localeCompare(y))).toEqual(flat(all));
      expect(new Set(walked).size).toBe(8);

      const grouped = await call(cos, 'listObjectVersions', { Delimiter: '/' });
      expect([grouped.CommonPrefixes].flat()).toEqual([{ Prefix: 'c/' }]);
      expect(grouped.Versions.some((v: any) => v.Key.startsWith('c/'))).toBe(false);
      const prefixed = await call(cos, 'listObjectVersions', { Prefix: 'c/' });
      expect(prefixed.Versions.map((v: any) => v.Key)).toEqual(['c/1', 'c/2']);
      const encoded = await signed(emu, 'GET', '', { query: { versions: '', prefix: 'd ', 'encoding-type': 'url' } });
      expect(xmlField(encoded.text, 'Key')).toBe('d%201');
      expect(xmlField(encoded.text, 'EncodingType')).toBe('url');
      const lonely = await signed(emu, 'GET', '', { query: { versions: '', 'version-id-marker': 'null' } });
      expect(lonely.status).toBe(400);
    });

    it('copies a chosen version, completes multipart uploads and POSTs as new versions, and deletes versions in bulk', async () => {
      const emu = await start();
      const cos = sdk(emu);
      await call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      const v1 = (await call(cos, 'putObject', { Key: 'src', Body: 'first' })).headers['x-cos-version-id'];
      await call(cos, 'putObject', { Key: 'src', Body: 'second' });
      const copy = await call(cos, 'putObjectCopy', {
        Key: 'dst',
        CopySource: `${VHOST}/src?versionId=${encodeURIComponent(v1)}`,
      });
      expect(copy.headers['x-cos-copy-source-version-id']).toBe(v1);
      expect(copy.headers['x-cos-version-id']).toBeTruthy();
      expect(await body(cos, 'dst')).toBe('first');

      const init = await call(cos, 'multipartInit', { Key: 'mp' });
      const part = await call(cos, 'multipartUpload', { Key: 'mp', UploadId: init.UploadId, PartNumber: 1, Body: 'part' });
      const done = await call(cos, 'multipartComplete', {
        Key: 'mp',
        UploadId: init.UploadId,
        Parts: [{ PartNumber: 1, ETag: part.ETag }],
      });
      const mpVersion = done.headers['x-cos-version-id'];
      expect(mpVersion).toBeTruthy();
      expect((await call(cos, 'headObject', { Key: 'mp' })).headers['x-cos-version-id']).toBe(mpVersion);

      // POST Object (a browser form) answers the version it made too.
      const posted = await postSignedForm(emu, 'form', 'posted');
      expect(posted.status).toBe(204);
      expect(posted.headers['x-cos-version-id']).toBe((await call(cos, 'headObject', { Key: 'form' })).headers['x-cos-version-id']);

      const bulk = await call(cos, 'deleteMultipleObject', {
        Objects: [{ Key: 'src', VersionId: v1 }, { Key: 'mp' }],
      });
      const byKey = Object.fromEntries(bulk.Deleted.map((d: any) => [d.Key, d]));
      expect(byKey.src).toMatchObject({ Key: 'src', VersionId: v1 });
      expect(byKey.mp.DeleteMarker).toBe('true');
      expect(byKey.mp.DeleteMarkerVersionId).toBeTruthy();
      const versions = await call(cos, 'listObjectVersions', {});
      expect(versions.Versions.filter((v: any) => v.Key === 'src').length).toBe(1);
      expect(versions.DeleteMarkers.map((m: any) => m.Key)).toEqual(['mp']);
    });

    it('authorizes ListVersions as GetBucketObjectVersions on the prefix, versioning as its own actions, and cos:versionid', async () => {
      const emu = await start(undefined, true);
      const admin = sdk(emu);
      await call(admin, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } });
      const v1 = (await call(admin, 'putObject', { Key: 'p/k', Body: '1' })).headers['x-cos-version-id'];
      await call(admin, 'putObject', { Key: 'p/k', Body: '2' });
      const policy = createObjectPolicy({
        region: REGION,
        bucket: BUCKET,
        prefix: 'p/',
        actions: ['GetBucketObjectVersions', 'GetObject'],
      });
      const statement = policy.statement[0]!;
      policy.statement.push({
        ...statement,
        effect: 'deny',
        action: ['name/cos:GetObject'],
        condition: { string_equal: { 'cos:versionid': v1 } },
      });
      const key = await temporaryKey(emu, policy);
      const cos = sdk(emu, { SecretId: key.tmpSecretId, SecretKey: key.tmpSecretKey, SecurityToken: key.sessionToken });
      expect((await call(cos, 'listObjectVersions', { Prefix: 'p/' })).Versions.length).toBe(2);
      await expect(call(cos, 'listObjectVersions', { Prefix: '' })).rejects.toMatchObject({ statusCode: 403 });
      await expect(call(cos, 'getBucketVersioning', {})).rejects.toMatchObject({ statusCode: 403 });
      await expect(call(cos, 'putBucketVersioning', { VersioningConfiguration: { Status: 'Suspended' } })).rejects.toMatchObject({
        statusCode: 403,
      });
      expect(await body(cos, 'p/k')).toBe('2');
      await expect(call(cos, 'getObject', { Key: 'p/k', VersionId: v1 })).rejects.toMatchObject({ statusCode: 403 });
    });
  });
}
