/**
 * The names of the request header families that both the pipeline (which headers are implemented) and
 * the handlers (which read them) need.
 */

/** The x-cos-grant-* headers, in the order their grants are stored. */
export const ALL_GRANT_HEADERS = [
  'x-cos-grant-read',
  'x-cos-grant-write',
  'x-cos-grant-full-control',
  'x-cos-grant-read-acp',
  'x-cos-grant-write-acp',
] as const;
export type GrantHeader = (typeof ALL_GRANT_HEADERS)[number];

/**
 * The grant headers an object write takes (PUT Object, POST Object as form fields, Initiate Multipart
 * Upload, PUT Object - Copy): COS documents x-cos-grant-write for buckets only.
 */
export const OBJECT_GRANT_HEADERS = [
  'x-cos-grant-read',
  'x-cos-grant-read-acp',
  'x-cos-grant-write-acp',
  'x-cos-grant-full-control',
] as const satisfies readonly GrantHeader[];

/** Server-side encryption (doc 436/7728, 436/18145). */
export const SSE_HEADER = 'x-cos-server-side-encryption';
export const KMS_KEY_ID_HEADER = 'x-cos-server-side-encryption-cos-kms-key-id';
export const KMS_CONTEXT_HEADER = 'x-cos-server-side-encryption-context';
export const CUSTOMER_KEY_PARTS = ['algorithm', 'key', 'key-md5'] as const;
/** The SSE-C headers of the request's own object, and those of a copy's source. */
export const REQUEST_PREFIX = 'x-cos-';
export const COPY_SOURCE_PREFIX = 'x-cos-copy-source-';
export const customerKeyHeader = (prefix: string, part: (typeof CUSTOMER_KEY_PARTS)[number]) =>
  `${prefix}server-side-encryption-customer-${part}`;

/** Every encryption header the emulator reads (lower case). */
export const ENCRYPTION_HEADERS = [
  SSE_HEADER,
  KMS_KEY_ID_HEADER,
  KMS_CONTEXT_HEADER,
  ...CUSTOMER_KEY_PARTS.map((p) => customerKeyHeader(REQUEST_PREFIX, p)),
  ...CUSTOMER_KEY_PARTS.map((p) => customerKeyHeader(COPY_SOURCE_PREFIX, p)),
];
