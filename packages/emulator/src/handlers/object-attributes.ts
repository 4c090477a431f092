import { OBJECT_GRANT_HEADERS } from '../http/header-names.js';
import type { HeaderSource } from '../http/headers.js';
import type { ObjectRecord } from '../persistence/index.js';
import { creationAcl } from './acl.js';
import { requestedEncryption } from './encryption.js';
import { storageClassOf, storedHeadersOf, userMetaOf } from './metadata-headers.js';
import { requestTags, tagFields } from './tagging.js';

/** What a write stores with a new object (or a multipart upload, until its Complete), besides its bytes. */
export type ObjectAttributes = Pick<ObjectRecord, 'headers' | 'meta' | 'acl' | 'grants' | 'storageClass' | 'tags' | 'sse' | 'appendable'>;

/** How the write makes the object: from an upload (PUT, POST, Initiate), a first append, or a copy. */
export type NewObject =
  | { from: 'upload' }
  /** APPEND Object takes no grants, tags or encryption; its object is appendable. */
  | { from: 'append' }
  /**
   * A copy keeps its source's headers and metadata, and its tags, unless the request's directives
   * replace them, and its storage class unless the request names one.
   */
  | { from: 'copy'; source: ObjectRecord; replaceMetadata: boolean; replaceTags: boolean };

/**
 * A new object's attributes, read once for every write that makes one: content type and the other
 * stored headers (the key's extension decides a missing Content-Type), x-cos-meta-*, x-cos-acl and the
 * grants, the storage class, x-cos-tagging and server-side encryption. Every value is checked as COS
 * checks it, in this order, before any byte is stored.
 */
export function objectAttributesOf(
  request: HeaderSource,
  key: string,
  account: { appId: string; region: string },
  made: NewObject = { from: 'upload' },
): ObjectAttributes {
  const appending = made.from === 'append';
  const copy = made.from === 'copy' ? made : undefined;
  const { acl, grants } = creationAcl(request.get, appending ? [] : OBJECT_GRANT_HEADERS, 'default');
  const storageClassHeader = request.get('x-cos-storage-class');
  const storageClass = copy && !storageClassHeader ? copy.source.storageClass : storageClassOf(storageClassHeader);
  const keep = copy && !copy.replaceMetadata ? copy.source : undefined;
  const meta = keep ? keep.meta : userMetaOf(request.entries());
  const asked = appending ? undefined : requestTags(request);
  const sse = appending ? undefined : requestedEncryption(request.get, account);
  return {
    headers: keep ? keep.headers : storedHeadersOf(request.get, key),
    meta,
    acl,
    ...(grants ? { grants } : {}),
    storageClass,
    ...tagFields(copy && !copy.replaceTags ? copy.source.tags : asked),
    ...(sse ? { sse } : {}),
    ...(appending ? { appendable: true as const } : {}),
  };
}
