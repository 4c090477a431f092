import {
  type BrowserUploadOptions,
  CosDirectError,
  type ErrorLocale,
  getLimits,
  type SignServerLimits,
  type UploadResult,
  upload,
} from '@cos-direct/client/browser';
import { BasePlugin, type Body, type DefinePluginOpts, type Meta, type PluginOpts, type Uppy, type UppyFile } from '@uppy/core';
import { type CosDirectUploadError, localeOfUppy, uploadError } from './errors.js';
import { restrictionsFrom } from './limits.js';

export { CosDirectError } from '@cos-direct/client/browser';
export type { CosDirectUploadError } from './errors.js';
export { restrictionsFrom } from './limits.js';

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
   * Keep multipart state in localStorage, so that a paused file, a file added again after a reload or one
   * restored by @uppy/golden-retriever sends only the parts COS does not have yet. Default true.
   */
  resume?: boolean;
  /** The language of the error sentences the Dashboard shows: 'en' or 'zh'. Default: that of Uppy's locale. */
  errorLocale?: ErrorLocale;
  /** Read the sign server's /limits on install and apply them as Uppy restrictions (types, size). Default true. */
  restrictionsFromServer?: boolean;
  /** The bucket is public-read: without a download URL from the server, link to the object's own URL. Default false. */
  publicObjects?: boolean;
}

/** What `file.response.body` holds after an upload (the client's UploadResult): type Uppy with it, `new Uppy<Meta, CosDirectBody>()`. */
export type CosDirectBody = Body & UploadResult;

const defaults = { limit: 3, resume: true, restrictionsFromServer: true, publicObjects: false } satisfies Partial<CosDirectOptions>;
type Opts = DefinePluginOpts<CosDirectOptions, keyof typeof defaults>;

// Uppy's file id already folds in the name, type, size and modification time; a File rebuilt from a
// restored Blob has none of the last, so the resume identity uses a number derived from the id instead.
function stableTime(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) >>> 0;
  return h;
}

interface InFlight {
  controller: AbortController;
  /** Set before a pause aborts the requests: the multipart upload and its resume state then stay. */
  pausing: boolean;
}

/**
 * An Uppy uploader that asks a cos-direct sign server for a ticket per file and sends the bytes straight to
 * COS: one signed PUT for small files, a multipart upload with a temporary key for big ones. Progress,
 * pause and resume, cancel (removing a file, cancel-all) and retry go through Uppy's events.
 */
export default class CosDirect<M extends Meta, B extends Body> extends BasePlugin<Opts, M, B> {
  static VERSION = '0.1.0';
  readonly #inFlight = new Map<string, InFlight>();
  /** Files inside an upload run, paused ones included. */
  readonly #active = new Set<string>();
  readonly #waiting = new Map<string, (go: boolean) => void>();
  /** Files refused for good: a retry answers the same refusal without a request. */
  readonly #refused = new Map<string, CosDirectUploadError>();
  /** Each UI plugin's own hideRetryButton, before this plugin hid Retry for refused files. */
  readonly #ownHideRetry = new Map<object, boolean>();
  /**
   * The sign server's /limits once read on install (and applied as restrictions), undefined when it has none,
   * when it could not be read, or when `restrictionsFromServer` is off.
   */
  limits: Promise<SignServerLimits | undefined> = Promise.resolve(undefined);

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
    this.#setResumable(true);
    this.uppy.on('file-removed', this.#onRemoved);
    this.uppy.on('cancel-all', this.#onCancelAll);
    this.uppy.on('upload-pause', this.#onPause);
    this.uppy.on('pause-all', this.#onPauseAll);
    this.uppy.on('resume-all', this.#onResumeAll);
    this.uppy.on('state-update', this.#syncRetry);
    if (this.opts.restrictionsFromServer && this.opts.signUrl) this.limits = this.#applyLimits(this.opts.signUrl);
  }

  override uninstall(): void {
    this.uppy.removeUploader(this.#upload);
    this.#setResumable(false);
    this.uppy.off('file-removed', this.#onRemoved);
    this.uppy.off('cancel-all', this.#onCancelAll);
    this.uppy.off('upload-pause', this.#onPause);
    this.uppy.off('pause-all', this.#onPauseAll);
    this.uppy.off('resume-all', this.#onResumeAll);
    this.uppy.off('state-update', this.#syncRetry);
    this.#onCancelAll();
  }

  #setResumable(on: boolean): void {
    const { capabilities } = this.uppy.getState();
    this.uppy.setState({ capabilities: { ...capabilities, resumableUploads: on } });
  }

  #locale(): ErrorLocale {
    return this.opts.errorLocale ?? localeOfUppy((key) => this.uppy.i18n(key));
  }

  async #headers(): Promise<Record<string, string> | undefined> {
    const { headers } = this.opts;
    return typeof headers === 'function' ? await headers() : headers;
  }

  async #applyLimits(signUrl: string): Promise<SignServerLimits | undefined> {
    try {
      const limits = await getLimits(signUrl, { headers: await this.#headers() });
      if (limits) this.uppy.setOptions({ restrictions: restrictionsFrom(limits, this.uppy.opts.restrictions) });
      return limits;
    } catch (error) {
      // Without /limits the server still checks each file; the refusal then shows on the file.
      this.uppy.log(`CosDirect: could not read ${signUrl}/limits: ${String(error)}`, 'warning');
      return undefined;
    }
  }

  readonly #onRemoved = (file: UppyFile<M, B> | undefined) => {
    if (!file) return;
    this.#refused.delete(file.id);
    this.#inFlight.get(file.id)?.controller.abort();
    this.#waiting.get(file.id)?.(false);
  };
  readonly #onCancelAll = () => {
    for (const { controller } of this.#inFlight.values()) controller.abort();
    for (const stop of this.#waiting.values()) stop(false);
    this.#refused.clear();
  };
  readonly #pause = (id: string) => {
    const entry = this.#inFlight.get(id);
    if (!entry) return;
    entry.pausing = true;
    entry.controller.abort();
  };
  readonly #onPause = (file: UppyFile<M, B> | undefined, isPaused: boolean) => {
    if (!file) return;
    if (isPaused) this.#pause(file.id);
    else this.#waiting.get(file.id)?.(true);
  };
  readonly #onPauseAll = () => {
    for (const id of this.#inFlight.keys()) if (this.uppy.getFile(id)?.isPaused) this.#pause(id);
  };
  readonly #onResumeAll = () => {
    for (const [id, go] of this.#waiting) if (!this.uppy.getFile(id)?.isPaused) go(true);
  };

  /**
   * Uppy's Dashboard offers Retry for any failed file, and its option hides it for all of them. So a file
   * refused for good loses its own Retry (its progress circle), and Retry-all is hidden while every failed
   * file is such a one; an app's own hideRetryButton: true stays.
   */
  readonly #syncRetry = () => {
    const failed = this.uppy.getFiles().filter((f) => f.error);
    const allRefused = failed.length > 0 && failed.every((f) => this.#refused.has(f.id));
    this.uppy.iteratePlugins((plugin) => {
      const opts = plugin.opts as { hideRetryButton?: boolean };
      if (plugin === (this as unknown) || !('hideRetryButton' in opts)) return;
      if (!this.#ownHideRetry.has(plugin)) this.#ownHideRetry.set(plugin, Boolean(opts.hideRetryButton));
      const hide = this.#ownHideRetry.get(plugin) || allRefused;
      if (opts.hideRetryButton !== hide) plugin.setOptions({ hideRetryButton: hide } as never);
    });
  };

  #fail(file: UppyFile<M, B> | undefined, error: CosDirectUploadError): void {
    this.uppy.emit('upload-error', file, error);
    if (!file || !error.permanent) return;
    this.#refused.set(file.id, error);
    const current = this.uppy.getFile(file.id);
    // The Dashboard draws a file's Retry inside its progress circle, and no circle without a percentage.
    if (current) this.uppy.setFileState(file.id, { progress: { ...current.progress, percentage: undefined } });
    this.#syncRetry();
  }

  readonly #upload = async (fileIDs: string[]): Promise<void> => {
    const files = fileIDs
      .map((id) => this.uppy.getFile(id))
      .filter((f): f is UppyFile<M, B> => f != null && !f.progress.uploadComplete && !this.#active.has(f.id));
    for (const f of files) {
      const refusal = this.#refused.get(f.id);
      if (refusal) this.#fail(f, refusal);
    }
    const todo = files.filter((f) => !this.#refused.has(f.id));
    if (todo.length === 0) return;
    this.uppy.emit('upload-start', todo);
    let next = 0;
    const worker = async () => {
      while (next < todo.length) await this.#uploadOne(todo[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.limit, todo.length) }, worker));
  };

  /** Resolves true when the paused file is resumed, false when it is removed or everything is cancelled. */
  #untilResumed(id: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.#waiting.set(id, (go) => {
        this.#waiting.delete(id);
        resolve(go);
      });
    });
  }

  async #uploadOne(file: UppyFile<M, B>): Promise<void> {
    const current = () => this.uppy.getFile(file.id);
    if (file.isRemote || !file.data || file.isGhost) {
      const e = new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', `${file.name} has no local data to upload`);
      this.#fail(current(), uploadError(e, this.#locale()));
      return;
    }
    this.#active.add(file.id);
    try {
      const started = current()?.progress.uploadStarted || Date.now();
      const source = new File([file.data], file.name, { type: file.type, lastModified: stableTime(file.id) });
      for (;;) {
        if (current()?.isPaused && !(await this.#untilResumed(file.id))) return;
        if (!current()) return;
        if (await this.#attempt(file, source, started)) return;
      }
    } finally {
      this.#active.delete(file.id);
    }
  }

  /** One run of the client's upload: true when the file is done with (uploaded, failed, removed), false when paused. */
  async #attempt(file: UppyFile<M, B>, source: File, started: number): Promise<boolean> {
    const current = () => this.uppy.getFile(file.id);
    const entry: InFlight = { controller: new AbortController(), pausing: false };
    this.#inFlight.set(file.id, entry);
    try {
      const result = await upload(source, {
        signUrl: this.opts.signUrl,
        headers: await this.#headers(),
        getTicket: this.opts.getTicket,
        getMultipartTicket: this.opts.getMultipartTicket,
        multipartThreshold: this.opts.multipartThreshold,
        partSize: this.opts.partSize,
        concurrency: this.opts.concurrency,
        retries: this.opts.retries,
        resume: this.opts.resume,
        signal: entry.controller.signal,
        // Read by the client when the abort lands: a pause keeps the parts at COS for the resume, a removal does not.
        get keepResumeOnAbort() {
          return entry.pausing;
        },
        onProgress: (sent, total) => {
          const f = current();
          if (f) this.uppy.emit('upload-progress', f, { uploadStarted: started, bytesUploaded: sent, bytesTotal: total });
        },
      });
      const link = result.downloadUrl ?? (this.opts.publicObjects ? result.url : undefined);
      this.uppy.emit('upload-success', current(), {
        status: 200,
        body: result as unknown as B,
        ...(link ? { uploadURL: link } : {}),
      });
      return true;
    } catch (error) {
      // A pause goes round again once resumed; a removed file or cancel-all is already forgotten by Uppy.
      if (entry.controller.signal.aborted) return !entry.pausing;
      this.#fail(current(), uploadError(error, this.#locale()));
      return true;
    } finally {
      this.#inFlight.delete(file.id);
    }
  }
}

export { CosDirect };
