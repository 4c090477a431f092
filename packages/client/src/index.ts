// `@cos-direct/client` when neither the `node` nor the `browser` export condition applies. That is what
// TypeScript sees under `moduleResolution: "bundler"` without `customConditions`, while the same import
// runs the Node build in Node and the browser build in a browser bundle. So this entry promises only what
// both builds export with the same meaning, and runs the browser build (it needs no Node built-ins).
// The Node-only API (file paths, streams, `dispatcher`, `fileResumeStore`) is `@cos-direct/client/node`;
// the browser-only API (`localStorageResumeStore`, `resumeStore`) is `@cos-direct/client/browser`.
import * as browser from './browser.js';
import type {
  AbandonOptions,
  DirectTicket,
  MultipartTicket,
  PendingUpload,
  SignServerLimits,
  UploadOptions,
  UploadResult,
} from './types.js';

export * from './exports.js';

/** Upload options both builds honour. */
export interface SharedUploadOptions extends UploadOptions {
  /** Name of the source, for its extension (a File's own name otherwise). */
  name?: string;
}

/** Options of the ticket requests both builds honour. */
export interface TicketRequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Uploads a File, Blob or bytes to COS through tickets from your sign server. */
export const upload: (source: Blob | Uint8Array, options: SharedUploadOptions) => Promise<UploadResult> = browser.upload;

/** The seed's getStsDirectSign: asks the sign server for a PUT ticket. */
export const getStsDirectSign: (signUrl: string, ext: string, options?: TicketRequestOptions) => Promise<DirectTicket> =
  browser.getStsDirectSign;

/** Asks the sign server for a temporary key for one multipart upload. */
export const getStsMultipart: (signUrl: string, ext: string, size: number, options?: TicketRequestOptions) => Promise<MultipartTicket> =
  browser.getStsMultipart;

/** GET <signUrl>/limits: the extensions and sizes a ticket would allow now; undefined when the server has no /limits. */
export const getLimits: (signUrl: string, options?: TicketRequestOptions) => Promise<SignServerLimits | undefined> = browser.getLimits;

/** A File's fingerprint (name, size, modification time), as a pending upload's `fingerprint` names it. */
export const fingerprintOf: (file: Blob) => string | undefined = browser.fingerprintOf;

/** The multipart uploads that can be resumed by uploading the same file again, oldest first. */
export const pendingUploads: () => Promise<PendingUpload[]> = browser.pendingUploads;

/** Aborts a pending upload at COS and forgets it; `signUrl` (and `headers`) renew its key when needed. */
export const abandonUpload: (id: string, options?: AbandonOptions) => Promise<void> = browser.abandonUpload;
