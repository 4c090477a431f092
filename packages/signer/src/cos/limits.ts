/**
 * COS's size limits, as its documentation states them: one place for the emulator that enforces them,
 * the client that plans uploads within them, and the sign server.
 */
export const COS_LIMITS = {
  /** An object key, in UTF-8 bytes (doc 436/13324). */
  maxKeyBytes: 850,
  /** A simple upload (PUT, POST, APPEND) or a copy in one request. */
  maxObjectBytes: 5 * 1024 ** 3,
  /** Parts of one multipart upload, numbered 1 to this. */
  maxParts: 10_000,
  /** One part. */
  maxPartBytes: 5 * 1024 ** 3,
  /** Every part but the last. */
  minPartBytes: 1024 ** 2,
} as const;
