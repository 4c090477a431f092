import { isoDate } from '../http/reply.js';
import type { ObjectRecord } from '../persistence/index.js';

/** How a listing writes keys: as stored, or with `encoding-type=url` percent-encoded with `/` kept. */
export function keyEncoder(url: boolean): (key: string) => string {
  return url ? (k) => encodeURIComponent(k).replace(/%2F/g, '/') : (k) => k;
}

/** One `<Contents>` entry of GET Bucket (v1 and v2 alike). */
export function listedObject(o: ObjectRecord, enc: (key: string) => string, owner: { ID: string; DisplayName: string } | undefined) {
  return {
    Key: enc(o.key),
    LastModified: isoDate(o.lastModified),
    ETag: `"${o.etag}"`,
    Size: o.size,
    Owner: owner,
    StorageClass: o.storageClass,
  };
}
