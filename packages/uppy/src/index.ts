import {
  type BrowserUploadOptions,
  CosDirectError,
  describeError,
  type ErrorLocale,
  type UploadResult,
  upload,
} from '@cos-direct/client/browser';
import { BasePlugin, type Body, type DefinePluginOpts, type Meta, type PluginOpts, type Uppy, type UppyFile } from '@uppy/core';

export { CosDirectError } from '@cos-direct/client/browser';

/** Options of the CosDirect plugin: where tickets come from, and how big files are split. */
export interface CosDirectOptions extends PluginOpts {
  /** Base URL of the sign server (its /sts-direct-sign and /sts-multipart), or pass getTicket and getMultipartTicket. */
  signUrl?: string;
  /** Headers for the sign server, e.g. { authorization: 'Bearer …' }; a function is called once per file. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  getTicket?: BrowserUploadOptions['getTicket'];
  getMultipartTicket?: BrowserUploadOptions['getMultipartTicket'];
  /** Files at least this big go multipart with a temporary key. Default 8 MiB. */
  multipartThreshold?: number;
  /** Default 8 MiB. */
  partSize?: number;
  /** Parts of one file in flight at once. Default 4. */
  concurrency?: number;
  /** Files uploading at once. Default 3. */
  limit?: number;
  /** Retries per request (network errors, 5xx, 429). Default 3. */
  retries?: number;
  /**
   * Keep multipart state in localStorage, so that a file restored after a reload (by @uppy/golden-retriever)
   * sends only the parts COS does not have yet. Default true.
   */
  resume?: boolean;
  /** The language of the error sentences the Dashboard shows: 'en' (default) or 'zh'. */
  errorLocale?: ErrorLocale;
  /** Have the sign server confirm each PUT: `response.body.confirmed` (with its `thumbnail`). Default false. */
  confirm?: boolean;
}

/** What `file.response.body` holds after an upload (the client's UploadResult): type Uppy with it, `new Uppy<Meta, CosDirectBody>()`. */
export type CosDirectBody = Body & UploadResult;

/**
 * The error an upload-error event carries: its message is the sentence a person should see (describeError),
 * and the client's code, HTTP status and request id stay on it.
 */
export interface CosDirectUploadError extends Error {
  code: string;
  /** "code · HTTP status · request id", for Uppy's details line. */
  details: string;
  /**
   * Whether retrying cannot help (a refused type or size, CORS, an untrusted certificate). Uppy's Dashboard
   * can only hide Retry for every file (`hideRetryButton`), not for one, so this is for the app to act on.
   */
  permanent: boolean;
  cause: unknown;
}

const defaults = { limit: 3, resume: true, errorLocale: 'en' } satisfies Partial<CosDirectOptions>;
type Opts = DefinePluginOpts<CosDirectOptions, keyof typeof defaults>;

// Uppy's file id already folds in the name, type, size and modification time; a File rebuilt from a
// restored Blob has none of the last, so the resume identity uses a number derived from the id instead.
function stableTime(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) >>> 0;
  return h;
}

function uploadError(error: unknown, locale: ErrorLocale): CosDirectUploadError {
  const e = error instanceof CosDirectError ? error : new CosDirectError('CLIENT_ERR_NETWORK', String(error), { cause: error });
  const details = [
    e.code,
    e.serverCode ?? e.cosCode ?? '',
    e.status ? `HTTP ${e.status}` : '',
    e.requestId ? `request id ${e.requestId}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return Object.assign(new Error(describeError(e, locale), { cause: e }), {
    name: 'CosDirectError',
    code: e.code,
    details,
    permanent: e.permanent,
    cause: e as unknown,
  });
}

/**
 * An Uppy uploader that asks a cos-direct sign server for a ticket per file and sends the bytes straight to
 * COS: one signed PUT for small files, a multipart upload with a temporary key for big ones. Progress,
 * cancel (removing a file, cancel-all) and retry go through Uppy's events.
 */
export default class CosDirect<M extends Meta, B extends Body> extends BasePlugin<Opts, M, B> {
  static VERSION = '0.1.0';
  readonly #inFlight = new Map<string, AbortController>();

  constructor(uppy: Uppy<M, B>, opts?: CosDirectOptions) {
    super(uppy, { ...defaults, ...opts });
    this.id = this.opts.id ?? 'CosDirect';
    this.type = 'uploader';
    if (!this.opts.signUrl && !(this.opts.getTicket && this.opts.getMultipartTicket)) {
      throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'CosDirect needs signUrl, or getTicket and getMultipartTicket');
    }
    if (!Number.isInteger(this.opts.limit) || this.opts.limit < 1) {
      throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', `limit must be a whole number of at least 1, not ${String(this.opts.limit)}`);
    }
  }

  override install(): void {
    this.uppy.addUploader(this.#upload);
    this.uppy.on('file-removed', this.#onRemoved);
    this.uppy.on('cancel-all', this.#onCancelAll);
  }

  override uninstall(): void {
    this.uppy.removeUploader(this.#upload);
    this.uppy.off('file-removed', this.#onRemoved);
    this.uppy.off('cancel-all', this.#onCancelAll);
    this.#onCancelAll();
  }

  readonly #onRemoved = (file: UppyFile<M, B>) => this.#inFlight.get(file.id)?.abort();
  readonly #onCancelAll = () => {
    for (const controller of this.#inFlight.values()) controller.abort();
  };

  readonly #upload = async (fileIDs: string[]): Promise<void> => {
    const files = fileIDs
      .map((id) => this.uppy.getFile(id))
      .filter((f): f is UppyFile<M, B> => f != null && !f.progress.uploadComplete && !this.#inFlight.has(f.id));
    if (files.length === 0) return;
    this.uppy.emit('upload-start', files);
    let next = 0;
    const worker = async () => {
      while (next < files.length) await this.#uploadOne(files[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.limit, files.length) }, worker));
  };

  async #uploadOne(file: UppyFile<M, B>): Promise<void> {
    const current = () => this.uppy.getFile(file.id);
    if (file.isRemote || !file.data || file.isGhost) {
      this.uppy.emit(
        'upload-error',
        current(),
        uploadError(new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', `${file.name} has no local data to upload`), this.opts.errorLocale),
      );
      return;
    }
    const controller = new AbortController();
    this.#inFlight.set(file.id, controller);
    const started = current()?.progress.uploadStarted || Date.now();
    try {
      const { headers } = this.opts;
      const source = new File([file.data], file.name, { type: file.type, lastModified: stableTime(file.id) });
      const result = await upload(source, {
        signUrl: this.opts.signUrl,
        headers: typeof headers === 'function' ? await headers() : headers,
        getTicket: this.opts.getTicket,
        getMultipartTicket: this.opts.getMultipartTicket,
        multipartThreshold: this.opts.multipartThreshold,
        partSize: this.opts.partSize,
        concurrency: this.opts.concurrency,
        retries: this.opts.retries,
        resume: this.opts.resume,
        confirm: this.opts.confirm,
        signal: controller.signal,
        onProgress: (sent, total) => {
          const f = current();
          if (f) this.uppy.emit('upload-progress', f, { uploadStarted: started, bytesUploaded: sent, bytesTotal: total });
        },
      });
      this.uppy.emit('upload-success', current(), {
        status: 200,
        body: result as unknown as B,
        uploadURL: result.downloadUrl ?? result.url,
      });
    } catch (error) {
      // A removed file or cancel-all: Uppy already forgot the upload, so there is nothing to report.
      if (controller.signal.aborted) return;
      this.uppy.emit('upload-error', current(), uploadError(error, this.opts.errorLocale));
    } finally {
      this.#inFlight.delete(file.id);
    }
  }
}

export { CosDirect };
