import type { ConfirmedUpload, DirectTicketInput, MultipartRefresh, MultipartTicketInput, SignServerLimits } from '@cos-direct/protocol';
import type { RetryPolicyInput } from './lib/retry-policy.js';

export type { Backoff, Jitter, LegacyRetrySettings, RetryPolicy, RetryPolicyInput } from './lib/retry-policy.js';

// The wire types live in @cos-direct/protocol, shared with the sign server; the client re-exports them.
export type {
  CompleteMultipartRequest,
  ConfirmedThumbnail,
  ConfirmedUpload,
  MultipartCompletion,
  MultipartRefresh,
  MultipartRefreshRequest,
  PostPolicyTicket,
  SeedDirectTicket,
  SignServerLimits,
  TemporaryCredentials,
} from '@cos-direct/protocol';
export type { DirectTicket as ServerDirectTicket, MultipartTicket as ServerMultipartTicket } from '@cos-direct/protocol';

/**
 * A ticket for one signed PUT: the seed's four fields, plus what @cos-direct/server adds (cosUrl,
 * contentType, contentTypes, maxSize, confirmToken…), which a seed-style server may leave out.
 */
export type DirectTicket = DirectTicketInput;

/** A temporary key for one multipart upload, as /sts-multipart answers; `completion` absent means 'client'. */
export type MultipartTicket = MultipartTicketInput;

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
  /** Checksums of the bytes the request body carried, when the transport computed them. */
  sent?: { size: number; crc64: string; md5?: string };
}

/** What a transport sends: `body` is a platform value made by the same platform's source. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  bodySize?: number;
  signal?: AbortSignal;
  onProgress?: (sent: number) => void;
}

export interface Transport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** Bytes to upload, opened by the platform. */
export interface UploadSource {
  size: number;
  name?: string;
  /** Stable across runs for the same file (path or name, size and modification time); enables resume. */
  identity?: string;
  /** Whether `slice` can be called more than once (false for a one-shot stream). */
  repeatable: boolean;
  slice(start: number, end: number): unknown;
  /** Checksums of a range, read locally (used to verify resumed parts). */
  hashRange?(start: number, end: number): Promise<{ crc64: string; md5?: string }>;
}

/** A part COS accepted, as the resume store records it. */
export interface SavedPart {
  n: number;
  etag: string;
  size: number;
  crc64?: string;
}

export interface ResumeState {
  version: 1;
  /** The id the store keeps it under (absent in states saved before it was recorded). */
  id?: string;
  cosHost: string;
  cosKey: string;
  cosUrl: string;
  uploadId: string;
  partSize: number;
  size: number;
  /**
   * The temporary key, only when it is stored (`storeCredentials`, or no way to refresh it): otherwise a
   * resumed upload asks the sign server for a new one.
   */
  credentials?: MultipartTicket['credentials'];
  expiredTime?: number;
  /** The key's start, as the server's clock had it (absent: unknown). */
  startTime?: number;
  contentType: string;
  downloadUrl?: string;
  /** The ticket's, for POST /complete-multipart and /sts-multipart-refresh (absent in states saved before it existed). */
  confirmToken?: string;
  /** Who completes: 'server' (POST /complete-multipart) or 'client' (absent: 'client'). */
  completion?: MultipartTicket['completion'];
  /** The parts COS accepted, recorded as each one finished. */
  parts?: SavedPart[];
  /** The source's name and fingerprint (name or path, size, modification time), to match it when it is picked again. */
  name?: string;
  fingerprint?: string;
  signUrl?: string;
  /** Milliseconds since the epoch: when the upload started, and when its state last changed. */
  startedAt?: number;
  updatedAt?: number;
}

export interface ResumeStore {
  get(id: string): Promise<ResumeState | undefined>;
  set(id: string, state: ResumeState): Promise<void>;
  delete(id: string): Promise<void>;
  /** Every saved upload, for pendingUploads(); a store without it lists nothing. */
  list?(): Promise<Array<{ id: string; state: ResumeState }>>;
}

/** Which upload a refreshed key is for. */
export interface MultipartUploadRef {
  cosKey: string;
  uploadId: string;
  confirmToken?: string;
}

/** A saved upload that can be resumed (by uploading the same file again) or abandoned. */
export interface PendingUpload {
  /** Its id in the resume store: pass it to abandonUpload. */
  id: string;
  name?: string;
  size: number;
  /** Bytes in finished parts. */
  uploaded: number;
  /** uploaded / size, from 0 to 1. */
  progress: number;
  parts: number;
  partsDone: number;
  /** Milliseconds since the epoch (0 when the state predates the record). */
  startedAt: number;
  updatedAt: number;
  /** Milliseconds since it started. */
  age: number;
  /** The object key COS will hold. */
  key: string;
  /** What fingerprintOf gives for the file it came from. */
  fingerprint?: string;
  signUrl?: string;
}

/** How abandonUpload gets a key for the abort when the saved one is gone: as upload does. */
export interface AbandonOptions {
  signUrl?: string;
  headers?: Record<string, string>;
  refreshMultipart?: (upload: MultipartUploadRef) => Promise<MultipartRefresh>;
  retryPolicy?: RetryPolicyInput;
  retries?: number;
  signal?: AbortSignal;
}

export interface TicketSource {
  direct(ext: string): Promise<DirectTicket>;
  multipart(ext: string, size: number): Promise<MultipartTicket>;
  /** POST /complete-multipart (or options.completeMultipart); undefined when neither is available. */
  complete?: (ticket: MultipartTicket, uploadId: string) => Promise<ConfirmedUpload>;
  /** A new key for an upload in progress (POST /sts-multipart-refresh, or options.refreshMultipart). */
  refresh?: (upload: MultipartUploadRef) => Promise<MultipartRefresh>;
  /** Whether `refresh` needs the ticket's confirmToken (the sign server's does). */
  refreshNeedsToken?: boolean;
  /** POST /confirm with a direct ticket's confirmToken; undefined without a sign server. */
  confirm?: (confirmToken: string) => Promise<ConfirmedUpload>;
  /** GET /limits, the sign server's limits now; undefined without a sign server, or when it has no /limits. */
  limits?: () => Promise<SignServerLimits | undefined>;
}

export interface UploadOptions {
  /** Base URL of the sign server (e.g. http://127.0.0.1:3000), or */
  signUrl?: string;
  /** Headers for the sign server, e.g. { authorization: 'Bearer …' }. */
  headers?: Record<string, string>;
  /** your own ticket functions. */
  getTicket?: (ext: string) => Promise<DirectTicket>;
  getMultipartTicket?: (ext: string, size: number) => Promise<MultipartTicket>;
  /**
   * Completes a multipart upload whose ticket says `completion: 'server'`, when there is no signUrl
   * (a custom getMultipartTicket): ask your sign server's POST /complete-multipart and return its data.
   * Default: POST <signUrl>/complete-multipart with `headers`.
   */
  completeMultipart?: (ticket: MultipartTicket, uploadId: string) => Promise<ConfirmedUpload>;
  /**
   * A new temporary key for a multipart upload whose key is about to expire, when there is no signUrl
   * (a custom getMultipartTicket). Default: POST <signUrl>/sts-multipart-refresh with the ticket's confirmToken.
   */
  refreshMultipart?: (upload: MultipartUploadRef) => Promise<MultipartRefresh>;
  /**
   * Keep the temporary key in the resume store too. Default: only when it cannot be refreshed; otherwise
   * the store holds no secret and a resumed upload gets a new key from the sign server.
   */
  storeCredentials?: boolean;
  /**
   * The type to store; it must be one the ticket allows (its `contentType`, or one of its `contentTypes`),
   * or the upload fails with CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED before a byte is sent. Default: the
   * extension's own type when the ticket allows it, so browsers can preview the object; otherwise
   * application/octet-stream.
   */
  contentType?: string;
  /** Extension sent to the sign server. Default: from the file name. */
  ext?: string;
  /** Bytes sent of all; multipart uploads add a ProgressDetail (how many parts are done, how many were resumed). */
  onProgress?: (sent: number, total: number, detail?: ProgressDetail) => void;
  signal?: AbortSignal;
  /**
   * When the signal aborts a multipart upload, leave the upload at COS and its resume state in place, so that
   * the next upload of the same source resumes it (what the CLI does on Ctrl-C). Default false: aborting
   * deletes the uploaded parts and forgets the state.
   */
  keepResumeOnAbort?: boolean;
  /** Retries per request after the first attempt: a shorthand for `retryPolicy.maxAttempts` (retries + 1). Default 3. */
  retries?: number;
  /**
   * When a failed request is tried again: statuses, COS and network error codes, attempts, backoff and
   * Retry-After. Any part; the rest from DEFAULT_RETRY_POLICY. Checked when the upload starts.
   */
  retryPolicy?: RetryPolicyInput;
  /** Files at least this big go multipart. Default 8 MiB. */
  multipartThreshold?: number;
  /** Default 8 MiB (at least 1 MiB). */
  partSize?: number;
  /** Parts in flight at once. Default 4. */
  concurrency?: number;
  /** Resume interrupted multipart uploads. Default true. */
  resume?: boolean;
  /**
   * After a PUT, have the sign server confirm it (POST <signUrl>/confirm with the ticket's confirmToken):
   * its answer, with the thumbnail its THUMBNAIL_RULE made, is `result.confirmed`. Skipped when the ticket
   * has no confirmToken (a seed-style server). Multipart uploads the server completes are confirmed anyway.
   * Default false.
   */
  confirm?: boolean;
}

/** What a multipart upload's progress reports add to the byte counts. */
export interface ProgressDetail {
  /** Parts of the whole upload. */
  parts: number;
  /** Parts finished so far, counting those a resumed upload found already uploaded. */
  partsDone: number;
  /** Parts a resumed upload found already uploaded and verified (0 for a fresh upload). */
  partsResumed: number;
  /** Whether the upload goes on from a saved one (possibly with no part finished yet). */
  resumed: boolean;
}

export interface UploadResult {
  key: string;
  host: string;
  url: string;
  /** A presigned GET of the object, when the sign server issues one (its DOWNLOAD_URL_SECONDS). */
  downloadUrl?: string;
  etag: string;
  size: number;
  crc64: string;
  /** 'put' or 'multipart' */
  method: 'put' | 'multipart';
  /** Parts this run sent (multipart; resumed parts are not counted). */
  partsUploaded?: number;
  /** The Content-Type the upload sent (what COS stores). */
  contentType: string;
  /**
   * The sign server's own reading of the object, when it completed the upload (multipart, completion
   * 'server') or confirmed it (`confirm: true`); `confirmed.thumbnail` is the copy its THUMBNAIL_RULE made.
   */
  confirmed?: ConfirmedUpload;
}
