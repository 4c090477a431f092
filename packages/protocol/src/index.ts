// What the sign server (`@cos-direct/server`) and its callers (`@cos-direct/client`, the demo page, your
// own code) agree on: endpoint paths, the answer envelope, the tickets and the confirmed upload. The server
// builds these shapes and the client reads them, both from this one file, so a field cannot be required on
// one side and optional on the other. Types and constants only: nothing here runs at import time.

/** The sign server's routes, relative to its base URL. */
export const SIGN_SERVER_PATHS = {
  /** The seed's ticket: a signed PUT of one new key. GET or POST, `ext`, and `sendsHeaders=1` from a client that sends `headers`. */
  directSign: '/sts-direct-sign',
  /** A temporary key for one multipart upload of one new key. GET or POST, `ext` and `size`. */
  multipart: '/sts-multipart',
  /** Form fields for a browser POST Object upload. GET or POST, `ext`. */
  postPolicy: '/post-policy',
  /** POST `{ confirmToken }` after a direct or POST upload: the server HEADs the key. */
  confirm: '/confirm',
  /** POST `{ confirmToken, uploadId }`: the server checks the parts' total and completes the upload. */
  completeMultipart: '/complete-multipart',
  /** POST `{ confirmToken, uploadId }`: a new temporary key for the same multipart upload, scoped as the first. */
  multipartRefresh: '/sts-multipart-refresh',
  /** What a ticket allows (extensions, sizes), for a page to check files before asking. GET. */
  limits: '/limits',
  /** Liveness: 200 while the process serves, whatever its upstreams do; the body carries the checks' detail. GET. */
  health: '/healthz',
  /** Liveness alone, for probes that should not read more than a status. GET. */
  live: '/livez',
  /** Readiness: 200 once the start-up checks passed and STS answers, 503 with each check's reason otherwise. GET. */
  ready: '/readyz',
  /** Prometheus text format; mounted only when the server's `metrics` option is on. GET. */
  metrics: '/metrics',
} as const;

/**
 * The /sts-direct-sign parameter by which a client says it sends every header of the ticket's `headers`
 * (`1` or `true`). Without it the ticket is the seed's: signed over `host` only, because the seed's
 * Flutter client sends nothing but `Authorization` and `x-cos-security-token`.
 */
export const SENDS_HEADERS_PARAM = 'sendsHeaders';

/** The header a direct ticket signs for a client that sends headers: COS then refuses a second PUT of the key (409 FileAlreadyExists). */
export const FORBID_OVERWRITE_HEADER = 'x-cos-forbid-overwrite';

/** How one readiness check stands: `pending` until it first ran, `skipped` when the configuration turns it off. */
export type ReadinessState = 'ok' | 'failed' | 'degraded' | 'pending' | 'skipped';

/** One readiness check: its state, and in words why when it is not `ok`. */
export interface ReadinessCheck {
  state: ReadinessState;
  reason?: string;
  /** What kind of failure: dns, connect, tls, timeout, refused (the service answered no), busy. */
  failure?: 'dns' | 'connect' | 'tls' | 'timeout' | 'refused' | 'busy';
  /** The upstream's own code when it gave one (an STS error code, a COS error code, ENOTFOUND…). */
  code?: string;
  /** ISO time of the run this state comes from. */
  checkedAt?: string;
}

/** GET /readyz (and the `checks` of GET /healthz): every check by name; `ready` is what the status code says. */
export interface SignServerReadiness {
  status: 'ready' | 'not-ready';
  ready: boolean;
  checks: {
    /** The region is one COS has (or an unknown one was allowed). */
    region: ReadinessCheck;
    /** STS issued a temporary key with the configured SecretId and SecretKey. */
    sts: ReadinessCheck;
    /** A HEAD of the bucket with that temporary key succeeded. */
    bucket: ReadinessCheck;
    /** The shared rate-limit store (Redis), when one is configured; `degraded` keeps the instance ready (limits fall back to it). */
    rateLimitStore: ReadinessCheck;
  };
}

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
  /**
   * Headers signed into `authorization`: the PUT must send each exactly as given, or COS answers 403
   * SignatureDoesNotMatch. Present only when the ticket was asked for with `sendsHeaders=1`; then it
   * holds `x-cos-forbid-overwrite: true`, so the signature cannot replace the object it uploaded.
   */
  headers?: Record<string, string>;
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
  /**
   * Unix seconds until which the ticket can still write another object at `key` (COS would take it): a
   * seed direct ticket (signed without `x-cos-forbid-overwrite`) until its signature expires, a multipart
   * ticket until its key does. Absent when COS refuses any second write (direct tickets with `headers`,
   * POST forms). No write with the ticket can start after this time; a check once a PUT started just
   * before it has had time to finish that still answers this ETag is final.
   */
  replaceableUntil?: number;
}

export interface ConfirmRequest {
  confirmToken: string;
}

export interface CompleteMultipartRequest {
  confirmToken: string;
  uploadId: string;
}

/** POST /sts-multipart-refresh: which upload of which ticket needs a new key. */
export interface MultipartRefreshRequest {
  confirmToken: string;
  uploadId: string;
}

/** POST /sts-multipart-refresh: a new temporary key for the same upload, allowed exactly what the ticket's was. */
export interface MultipartRefresh {
  credentials: TemporaryCredentials;
  startTime: number;
  expiredTime: number;
}

/**
 * A direct ticket as an uploader accepts it: the seed's four fields; the rest is what @cos-direct/server
 * adds, optional because a seed-style server (or an app's own ticket function) may not send it.
 */
export type DirectTicketInput = SeedDirectTicket & Partial<Omit<DirectTicket, keyof SeedDirectTicket>>;

/** A multipart ticket as an uploader accepts it: the key, the credentials and their expiry; the rest optional. */
export type MultipartTicketInput = Pick<MultipartTicket, 'cosHost' | 'cosKey' | 'credentials' | 'expiredTime'> &
  Partial<Omit<MultipartTicket, 'cosHost' | 'cosKey' | 'credentials' | 'expiredTime'>>;
