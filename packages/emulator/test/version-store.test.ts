import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isDeleteMarker,
  MemoryBlobStore,
  MemoryMetadataStore,
  type MetadataStore,
  type ObjectRecord,
  openStores,
  type Stores,
  type VersionRecord,
} from '../src/persistence/index.js';

// The version history contract, run against both metadata stores.
const B = 'dev-1250000000';
const kinds = {
  memory: async () => ({ metadata: new MemoryMetadataStore(), blobs: new MemoryBlobStore(), dataDir: undefined as string | undefined }),
  lmdb: async (dataDir?: string) => {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'cos-lmdb-versions-')));
    return { ...(await openStores(dir)), dataDir: dir as string | undefined };
  },
};
// Blob ids as the file store makes them (the sweep at start removes released ones), named for reading.
const names = new Map<string, string>();
const blobId = (name: string) => {
  const id = createHash('md5').update(name).digest('hex');
  names.set(id, name);
  return id;
};
const nameOf = (id: string | undefined) => (id === undefined ? undefined : (names.get(id) ?? id));
const object = (key: string, name: string): ObjectRecord => ({
  bucket: B,
  key,
  blobId: blobId(name),
  size: 1,
  etag: 'e',
  crc64: '0',
  lastModified: 0,
  headers: { 'content-type': 'text/plain' },
  meta: {},
  acl: 'default',
  storageClass: 'STANDARD',
});
const label = (v: VersionRecord) => `${v.key}:${isDeleteMarker(v) ? 'marker' : nameOf(v.blobId)}`;
const bucket = (versioning?: 'Enabled' | 'Suspended') => ({
  name: B,
  region: 'ap-guangzhou',
  created: 0,
  acl: 'private' as const,
  ...(versioning ? { versioning } : {}),
});

for (const [kind, open] of Object.entries(kinds)) {
  describe(`version history (${kind})`, () => {
    const opened: Stores[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) {
        await s.metadata.close();
        await s.blobs.close();
      }
    });
    const start = async (dataDir?: string) => {
      const s = await open(dataDir);
      opened.push(s);
      return s;
    };

    it('lists every version by key in UTF-8 binary order, newest first, merging objects written before versioning', async () => {
      const s = await start();
      const m: MetadataStore = s.metadata;
      await m.putBucket(bucket());
      await m.writeObject(object('a\u0001', 'old-a1'));
      await m.writeObject(object('c', 'old-c'));
      await m.putBucket(bucket('Enabled'));
      for (const [key, blob] of [
        ['a', 'a1'],
        ['a\u0000z', 'az1'],
        ['a', 'a2'],
        ['ab', 'ab1'],
        ['a\u0001', 'a1-2'],
        ['a/1', 's1'],
      ]) {
        expect((await m.writeObject(object(key!, blob!))).versionId).toMatch(/^[A-Za-z0-9+/]+$/);
      }
      const marker = await m.removeObject(B, 'ab', 5);
      expect(marker.deleteMarker?.versionId).toBeTruthy();
      expect([...m.listVersions(B)].map(label)).toEqual([
        'a:a2',
        'a:a1',
        'a\u0000z:az1',
        'a\u0001:a1-2',
        'a\u0001:old-a1',
        'a/1:s1',
        'ab:marker',
        'ab:ab1',
        'c:old-c',
      ]);
      // Plain listings see the latest objects only.
      expect([...m.listObjects(B)].map((o) => `${o.key}:${nameOf(o.blobId)}`)).toEqual([
        'a:a2',
        'a\u0000z:az1',
        'a\u0001:a1-2',
        'a/1:s1',
        'c:old-c',
      ]);
      const a2 = m.getObject(B, 'a')!;
      expect([...m.listVersions(B, { after: 'a', afterSeq: a2.versionSeq! })].map(label)[0]).toBe('a:a1');
      expect([...m.listVersions(B, { after: 'a' })].map(label)[0]).toBe('a\u0000z:az1');
      expect([...m.listVersions(B, { prefix: 'a', after: 'a/', skipDescendants: true })].map(label)).toEqual(['ab:marker', 'ab:ab1']);
      expect([...m.listVersions(B, { prefix: 'c' })].map(label)).toEqual(['c:old-c']);
      expect(m.getVersion(B, 'a\u0001', 'null')).toMatchObject({ blobId: blobId('old-a1'), versionId: 'null' });
      expect(m.getVersion(B, 'c', 'null')).toMatchObject({ blobId: blobId('old-c') });
      expect(m.getVersion(B, 'c', 'null')?.versionId).toBeUndefined();

      // Removing the latest version brings the next one back; removing a marker reveals what it hid.
      expect(await m.deleteVersion(B, 'a', a2.versionId!)).toMatchObject({ blobId: blobId('a2') });
      expect(nameOf(m.getObject(B, 'a')?.blobId)).toBe('a1');
      expect(m.getObject(B, 'ab')).toBeUndefined();
      await m.deleteVersion(B, 'ab', marker.deleteMarker!.versionId);
      expect(nameOf(m.getObject(B, 'ab')?.blobId)).toBe('ab1');
      expect(await m.deleteVersion(B, 'c', 'null')).toMatchObject({ blobId: blobId('old-c') });
      expect(m.getObject(B, 'c')).toBeUndefined();
      expect(await m.deleteVersion(B, 'c', 'null')).toBeUndefined();
    });

    it('replaces only the null version while Suspended, completes uploads as versions, and keeps history across a restart', async () => {
      const s = await start();
      const m = s.metadata;
      await m.putBucket(bucket('Enabled'));
      const v1 = (await m.writeObject(object('k', 'v1'))).versionId!;
      await m.putBucket(bucket('Suspended'));
      expect(await m.writeObject(object('k', 'n1'))).toEqual({ versionId: 'null' });
      const replaced = await m.writeObject(object('k', 'n2'));
      expect(replaced.versionId).toBe('null');
      expect(nameOf(replaced.released?.blobId)).toBe('n1');
      await m.putBucket(bucket('Enabled'));
      await m.putUpload({
        bucket: B,
        key: 'k',
        uploadId: 'u1',
        initiated: 0,
        headers: { 'content-type': 'x' },
        meta: {},
        acl: 'default',
        storageClass: 'STANDARD',
      });
      const completion = await m.completeUpload('u1', object('k', 'mp'));
      expect(completion?.versionId).toMatch(/^[A-Za-z0-9+/]+$/);
      expect(completion?.previous).toBeUndefined();
      // An ACL change is made in place, to history and to the key's object.
      const current = m.getObject(B, 'k')!;
      await m.putObject({ ...current, acl: 'public-read' });
      expect(m.getVersion(B, 'k', current.versionId!)).toMatchObject({ acl: 'public-read' });
      const expected = ['k:mp', 'k:n2', 'k:v1'];
      expect([...m.listVersions(B)].map(label)).toEqual(expected);
      expect(m.getVersion(B, 'k', v1)).toMatchObject({ blobId: blobId('v1') });
      if (s.dataDir) {
        await m.close();
        await s.blobs.close();
        opened.splice(opened.indexOf(s), 1);
        const again = await start(s.dataDir);
        expect([...again.metadata.listVersions(B)].map(label)).toEqual(expected);
        expect(again.metadata.getObject(B, 'k')).toMatchObject({ blobId: blobId('mp'), acl: 'public-read' });
      }
    });
  });
}
