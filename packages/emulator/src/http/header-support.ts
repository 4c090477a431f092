import type { IncomingHttpHeaders } from 'node:http';
import { ALL_GRANT_HEADERS, ENCRYPTION_HEADERS, OBJECT_GRANT_HEADERS } from './header-names.js';

/**
 * The x-cos-* request headers the emulator implements (or that carry no behaviour, like the SDK's
 * retry marker). Any other header COS documents, and the CI header Pic-Operations outside the operations
 * that process it, asks for a feature the emulator does not have: it is refused with 501 naming it, or
 * with --loose accepted with a warning.
 */
const IMPLEMENTED = new Set([
  'x-cos-acl',
  'x-cos-storage-class',
  'x-cos-security-token',
  'x-cos-copy-source',
  'x-cos-copy-source-if-match',
  'x-cos-copy-source-if-none-match',
  'x-cos-copy-source-if-modified-since',
  'x-cos-copy-source-if-unmodified-since',
  'x-cos-copy-source-range',
  'x-cos-metadata-directive',
  'x-cos-forbid-overwrite',
  'x-cos-tagging',
  'x-cos-tagging-directive',
  'x-cos-sdk-retry',
  'x-cos-traffic-limit',
  'x-cos-website-redirect-location',
  ...ENCRYPTION_HEADERS,
]);

/**
 * The x-cos-* request headers COS documents for its APIs. COS ignores an x-cos-* header it does not
 * define (the official SDKs' own tests send `x-cos-test` and expect success), so only these can ask
 * for a feature; any other is not COS's and is accepted, with a note in the log.
 */
const DOCUMENTED = new Set([
  ...IMPLEMENTED,
  ...ALL_GRANT_HEADERS,
  'x-cos-server-side-encryption',
  'x-cos-server-side-encryption-cos-kms-key-id',
  'x-cos-server-side-encryption-context',
  'x-cos-server-side-encryption-customer-algorithm',
  'x-cos-server-side-encryption-customer-key',
  'x-cos-server-side-encryption-customer-key-md5',
  'x-cos-copy-source-server-side-encryption-customer-algorithm',
  'x-cos-copy-source-server-side-encryption-customer-key',
  'x-cos-copy-source-server-side-encryption-customer-key-md5',
  'x-cos-callback',
  'x-cos-mime-limit',
  'x-cos-content-sha1',
  'x-cos-rename-source',
  'x-cos-symlink-target',
  'x-cos-bucket-az-type',
  'x-cos-bucket-arch-type',
  'x-cos-mfa',
  'x-cos-website-redirect-location',
]);

// Headers only some operations implement: the grants of the writes that set an ACL. x-cos-grant-write
// is documented for buckets only, so on an object write it stays refused.
const BY_OPERATION: Record<string, readonly string[]> = {
  PutObjectAcl: ALL_GRANT_HEADERS,
  PutBucketAcl: ALL_GRANT_HEADERS,
  PutBucket: ALL_GRANT_HEADERS,
  PutObject: OBJECT_GRANT_HEADERS,
  PostObject: OBJECT_GRANT_HEADERS,
  CopyObject: OBJECT_GRANT_HEADERS,
  InitiateMultipartUpload: OBJECT_GRANT_HEADERS,
};

// Pic-Operations is processed on a simple upload, on Complete Multipart Upload and on POST ?image_process;
// Initiate takes it without effect (the official SDKs' sliceUploadFile sends it there too); elsewhere
// (POST Object, whose form fields COS documents without it) it is refused.
const PIC_OPERATIONS = ['PutObject', 'CompleteMultipartUpload', 'InitiateMultipartUpload', 'ImageProcess'];

/**
 * Whether a header or POST form field name asks for something the emulator does not implement
 * (in `operation`, when given: some headers only some operations take).
 */
export function isUnimplemented(name: string, operation?: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'pic-operations') return !PIC_OPERATIONS.includes(operation ?? '');
  if (operation && BY_OPERATION[operation]?.includes(lower)) return false;
  return DOCUMENTED.has(lower) && !IMPLEMENTED.has(lower);
}

/** An x-cos-* name COS does not define, which COS (and so the emulator) ignores. */
export function isForeign(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('x-cos-') && !lower.startsWith('x-cos-meta-') && !DOCUMENTED.has(lower);
}

/** The request headers the emulator would otherwise silently ignore (for `operation`, when given). */
export function unknownHeaders(headers: IncomingHttpHeaders, operation?: string): string[] {
  return Object.keys(headers).filter((name) => isUnimplemented(name, operation));
}

/** The request's x-cos-* headers that COS does not define. */
export function foreignHeaders(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers).filter(isForeign);
}
