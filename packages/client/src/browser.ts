import { Crc64Ecma } from '@cos-direct/signer/crc64';
import { CosDirectError } from './errors.js';
import { fetchDirectTicket, fetchLimits, fetchMultipartTicket } from './tickets.js';
import { xhrTransport } from './transport/xhr.js';
import type {
  DirectTicket,
  MultipartTicket,
  ResumeState,
  SignServerLimits,
  ResumeStore,
  UploadOptions,
  UploadResult,
  UploadSource,
} from './types.js';
import { uploadWith } from './upload.js';

export { describeError, type ErrorLocale, formatBytes } from './describe.js';
export {
  ClientErrorCodes,
  CosDirectError,
  PERMANENT_ERROR_CODES,
  type ClientErrorCode,
  type ClientErrorDetails,
} from './errors.js';
export { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from './lib/retry-policy.js';
export type * from './types.js';

const PREFIX = 'cos-direct:upload:';

/** Resume state in localStorage, so an upload survives a page reload. */
export function localStorageResumeStore(storage: Storage = globalThis.localStorage): ResumeStore {
  return {
    async get(id) {
      try {
        const raw = storage.getItem(PREFIX + id);
        const state = raw ? (JSON.parse(raw) as ResumeState) : undefined;
        return state?.version === 1 ? state : undefined;
      } catch {
        return undefined;
      }
    },
    async set(id, state) {
      storage.setItem(PREFIX + id, JSON.stringify(state));
    },
    async delete(id) {
      storage.removeItem(PREFIX + id);
    },
  };
}

async function crcOf(blob: Blob): Promise<string> {
  const crc = new Crc64Ecma();
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return crc.digest();
    crc.update(value);
  }
}

function openBlob(source: Blob | Uint8Array, name?: string): UploadSource {
  const blob = source instanceof Blob ? source : new Blob([source as BlobPart]);
  const file = blob as Blob & { name?: string; lastModified?: number };
  return {
    size: blob.size,
    name: name ?? file.name,
    identity: file.name ? `file:${file.name}|${file.size}|${file.lastModified ?? 0}` : undefined,
    repeatable: true,
    slice: (start, end) => blob.slice(start, end),
    hashRange: async (start, end) => ({ crc64: await crcOf(blob.slice(start, end)) }),
  };
}

export interface BrowserUploadOptions extends UploadOptions {
  name?: string;
  resumeStore?: ResumeStore;
}

/** Uploads a File, Blob or bytes from a page, with upload progress. */
export async function upload(source: Blob | Uint8Array, options: BrowserUploadOptions): Promise<UploadResult> {
  if (!(source instanceof Blob) && !(source instanceof Uint8Array)) {
    throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'in browsers the source must be a File, Blob or Uint8Array');
  }
  const opened = openBlob(source, options.name);
  const store = options.resumeStore ?? (typeof localStorage !== 'undefined' ? localStorageResumeStore() : undefined);
  const result = await uploadWith({ transport: xhrTransport(), resumeStore: store }, opened, options);
  // XHR cannot hash what it sends: check the single PUT's CRC-64 against the local bytes afterwards.
  if (result.method === 'put' && result.crc64) {
    const local = await crcOf(source instanceof Blob ? source : new Blob([source as BlobPart]));
    if (local !== result.crc64) {
      throw new CosDirectError('CLIENT_ERR_INTEGRITY', `COS reports CRC-64 ${result.crc64}, the local file has ${local}`);
    }
  }
  return result;
}

export function getStsDirectSign(
  signUrl: string,
  ext: string,
  /** `sendsHeaders: true` when your PUT sends every header of the ticket's `headers` (then the ticket cannot overwrite). */
  options: { headers?: Record<string, string>; signal?: AbortSignal; sendsHeaders?: boolean } = {},
): Promise<DirectTicket> {
  return fetchDirectTicket(xhrTransport(), signUrl, ext, options);
}

export function getStsMultipart(
  signUrl: string,
  ext: string,
  size: number,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<MultipartTicket> {
  return fetchMultipartTicket(xhrTransport(), signUrl, ext, size, options);
}

/** GET <signUrl>/limits: the extensions and sizes a ticket would allow now; undefined when the server has no /limits. */
export function getLimits(
  signUrl: string,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<SignServerLimits | undefined> {
  return fetchLimits(xhrTransport(), signUrl, options);
}
