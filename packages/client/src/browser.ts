import { Crc64Ecma } from '@cos-direct/signer/crc64';
import { CosDirectError } from './errors.js';
import { abandonWith, listPending } from './pending.js';
import { fetchDirectTicket, fetchLimits, fetchMultipartTicket } from './tickets.js';
import { xhrTransport } from './transport/xhr.js';
import type {
  AbandonOptions,
  DirectTicket,
  MultipartTicket,
  PendingUpload,
  ResumeState,
  SignServerLimits,
  ResumeStore,
  UploadOptions,
  UploadResult,
  UploadSource,
} from './types.js';
import { uploadWith } from './upload.js';

export * from './exports.js';

const PREFIX = 'cos-direct:upload:';

/** Resume state in localStorage, so an upload survives a page reload. */
export function localStorageResumeStore(storage: Storage = globalThis.localStorage): ResumeStore {
  const read = (id: string): ResumeState | undefined => {
    try {
      const raw = storage.getItem(PREFIX + id);
      const state = raw ? (JSON.parse(raw) as ResumeState) : undefined;
      return state?.version === 1 ? state : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async get(id) {
      return read(id);
    },
    async set(id, state) {
      storage.setItem(PREFIX + id, JSON.stringify(state));
    },
    async delete(id) {
      storage.removeItem(PREFIX + id);
    },
    async list() {
      const names = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((n) => n?.startsWith(PREFIX));
      return names.flatMap((name) => {
        const id = name!.slice(PREFIX.length);
        const state = read(id);
        return state ? [{ id, state }] : [];
      });
    },
  };
}

const defaultStore = () => (typeof localStorage !== 'undefined' ? localStorageResumeStore() : undefined);

/**
 * What identifies a file across page loads: its name, size and modification time. A saved upload's
 * `fingerprint` is this of the file it came from, so the file the user picks again can be matched.
 */
export function fingerprintOf(file: Blob): string | undefined {
  const f = file as Blob & { name?: string; lastModified?: number };
  return f.name ? `file:${f.name}|${f.size}|${f.lastModified ?? 0}` : undefined;
}

/** The multipart uploads the resume store holds (localStorage by default), oldest first. */
export function pendingUploads(options: { resumeStore?: ResumeStore } = {}): Promise<PendingUpload[]> {
  return listPending(options.resumeStore ?? defaultStore());
}

/** Aborts a pending upload at COS (its parts are deleted) and forgets it; `signUrl` renews its key if needed. */
export function abandonUpload(id: string, options: AbandonOptions & { resumeStore?: ResumeStore } = {}): Promise<void> {
  return abandonWith(xhrTransport(), options.resumeStore ?? defaultStore(), id, options);
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
    identity: fingerprintOf(file),
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
  const store = options.resumeStore ?? defaultStore();
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
