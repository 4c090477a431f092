// What the sign server (`@cos-direct/server`) and its callers (`@cos-direct/client`, the demo page, your
// own code) agree on: endpoint paths, the answer envelope, the tickets and the confirmed upload. The server
// builds these shapes and the client reads them, both from this one file, so a field cannot be required on
// one side and optional on the other. Types and constants only: nothing here runs at import time.

/** The sign server's routes, relative to its base URL. */
export const SIGN_SERVER_PATHS = {
  /** The seed's ticket: a signed PUT of one new key. GET or POST, `ext`. */
  directSign: '/sts-direct-sign',
  /** A temporary key for one multipart upload of one new key. GET or POST, `ext` and `size`. */
  multipart: '/sts-multipart',
  /** Form fields for a browser POST Object upload. GET or POST, `ext`. */
  postPolicy: '/post-policy',
  /** POST `{ confirmToken }` after a direct or POST upload: the server HEADs the key. */
  confirm: '/confirm',
  /** POST `{ confirmToken, uploadId }`: the server checks the parts' total and completes the upload. */
  completeMultipart: '/complete-multipart',
  /** What a ticket allows (extensions, sizes), for a page to check files before asking. GET. */
  limits: '/limits',
  health: '/healthz',
} as const;

/** What COS stores when a request names no type, and what the seed's Flutter client sends. */
export const OCTET_STREAM = 'application/octet-stream';

/**
 * Who completes a multipart upload. `server`: the ticket's key may not; the client calls
 * POST /complete-multipart, which holds the parts' total to the ticket's `size`. `client`: the ticket's
 * key completes (what the official SDKs' sliceUploadFile does), and only each part is size-limited.
 */
export type MultipartCompletion = 'server' | 'client';

export const MULTIPART_COMPLETIONS: readonly MultipartCompletion[] = ['server', 'client'];

/** Every answer: `{ code: 0, data }` on success, a non-zero code and a message (with a fitting HTTP status) otherwise. */
export type SignServerAnswer<T> = { code: 0; data: T } | SignServerFailure;

/**
 * Every code @cos-direct/server answers a refusal with. Its catalog (status and message per code) is
 * checked against this list at compile time, so a code cannot be added on one side only.
 */
export const SERVER_ERROR_CODES = [
  'SRV_ERR_BAD_REQUEST',
  'SRV_ERR_INVALID_EXTENSION',
  'SRV_ERR_INVALID_CONTENT_TYPE',
  'SRV_ERR_INVALID_SIZE',
  'SRV_ERR_INVALID_CONFIRM_TOKEN',
  'SRV_ERR_UNAUTHENTICATED',
  'SRV_ERR_FORBIDDEN',
  'SRV_ERR_NOT_FOUND',
  'SRV_ERR_METHOD_NOT_ALLOWED',
  'SRV_ERR_NOT_UPLOADED',
  'SRV_ERR_ALREADY_COMPLETED',
  'SRV_ERR_OBJECT_CHANGED',
  'SRV_ERR_BODY_TOO_LARGE',
  'SRV_ERR_UPLOAD_TOO_LARGE',
  'SRV_ERR_RATE_LIMITED',
  'SRV_ERR_STS_FAILED',
  'SRV_ERR_STS_TIMEOUT',
  'SRV_ERR_STS_UNREACHABLE',
  'SRV_ERR_COS_FAILED',
  'SRV_ERR_BUSY',
  'SRV_ERR_INVALID_KEY_FOLDER',
  'SRV_ERR_INTERNAL',
] as const;

/** A stable `SRV_ERR_*` code of @cos-direct/server. */
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

export interface SignServerFailure {
  /** A stable `SRV_ERR_*` code from @cos-direct/server; other sign servers may answer other strings or numbers. */
  code: ServerErrorCode | (string & {}) | number;
  message: string;
}

/** GET /limits: what a ticket would allow now, for a check before asking for one (or before resuming one). */
export interface SignServerLimits {
  allowedExtensions: string[];
  /** The largest object a direct ticket allows, or null without a limit. */
  maxSize: number | null;
  /** The largest object a multipart ticket allows. */
  maxMultipartSize?: number;
  enforceContentType?: boolean;
}

/** What every upload ticket of @cos-direct/server says about the types and size it allows. */
interface TicketLimits {
  /** Present when the type limit is on: the request must send exactly this Content-Type. */
  contentType?: string;
  /**
   * The Content-Types the upload may store (COS refuses any other). With the type limit off this is
   * `application/octet-stream` and, unless it is an active type (HTML, SVG, script, XML), the
   * extension's own type, so a client can store a file as what it is and a browser can preview it.
   */
  contentTypes?: string[];
  /** The largest object in bytes, when the server has a limit (its MAX_SIZE, or a multipart ticket's size). */
  maxSize?: number;
  /** A presigned GET of `cosKey`, when the server sets DOWNLOAD_URL_SECONDS. */
  downloadUrl?: string;
  /** Pass back to POST /confirm (or /complete-multipart) to have the server check and record the upload. */
  confirmToken: string;
}

/** The seed's ticket fields: what the Flutter guide's client reads. */
export interface SeedDirectTicket {
  cosHost: string;
  cosKey: string;
  /** A signed PUT of cosKey; send it as `Authorization`. */
  authorization: string;
  /** Send as `x-cos-security-token`. */
  securityToken: string;
}

/** GET /sts-direct-sign, as @cos-direct/server answers it. */
export interface DirectTicket extends SeedDirectTicket, TicketLimits {
  /** The exact URL to PUT, the key encoded. */
  cosUrl: string;
  /** Unix seconds after which the signature is refused. */
  expiredTime: number;
}

/** Temporary credentials, as STS issues them. */
export interface TemporaryCredentials {
  tmpSecretId: string;
  tmpSecretKey: string;
  sessionToken: string;
}

/** GET /sts-multipart: a temporary key allowed only the multipart actions (and PutObject) on `cosKey`. */
export interface MultipartTicket extends TicketLimits {
  cosHost: string;
  cosKey: string;
  cosUrl: string;
  bucket: string;
  region: string;
  credentials: TemporaryCredentials;
  startTime: number;
  expiredTime: number;
  completion: MultipartCompletion;
}

/** GET /post-policy: form fields in order; the file goes last. */
export interface PostPolicyTicket {
  cosHost: string;
  cosKey: string;
  /** Where the form is POSTed. */
  url: string;
  fields: Record<string, string>;
  maxSize?: number;
  downloadUrl?: string;
  confirmToken: string;
}

/** POST /confirm and POST /complete-multipart: the object as COS holds it, read with the server's key. */
export interface ConfirmedUpload {
  key: string;
  size: number;
  /** As COS sends it, quoted. */
  etag: string;
  crc64?: string;
  contentType: string;
  kind: 'direct' | 'post' | 'multipart';
}

export interface ConfirmRequest {
  confirmToken: string;
}

export interface CompleteMultipartRequest {
  confirmToken: string;
  uploadId: string;
}

/**
 * A direct ticket as an uploader accepts it: the seed's four fields; the rest is what @cos-direct/server
 * adds, optional because a seed-style server (or an app's own ticket function) may not send it.
 */
export type DirectTicketInput = SeedDirectTicket & Partial<Omit<DirectTicket, keyof SeedDirectTicket>>;

/** A multipart ticket as an uploader accepts it: the key, the credentials and their expiry; the rest optional. */
export type MultipartTicketInput = Pick<MultipartTicket, 'cosHost' | 'cosKey' | 'credentials' | 'expiredTime'> &
  Partial<Omit<MultipartTicket, 'cosHost' | 'cosKey' | 'credentials' | 'expiredTime'>>;
