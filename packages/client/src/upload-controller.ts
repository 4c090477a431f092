// One upload's state, for a UI: what to show (status, bytes, the sentence for a failure) and what a person
// can do next (pause, resume, cancel, retry). It imports no framework; the React hook is a thin layer on it.
import { describeError, type ErrorLocale } from './describe.js';
import { CosDirectError } from './errors.js';
import type { UploadOptions, UploadResult } from './types.js';

export type UploadStatus = 'idle' | 'uploading' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface UploadSnapshot {
  status: UploadStatus;
  /** The file being uploaded (or last uploaded), once `start` was called. */
  file?: Blob;
  /** Bytes sent and in all; `progress` is their ratio, 0 to 1. */
  sent: number;
  total: number;
  progress: number;
  /** Set when `status` is 'done'. */
  result?: UploadResult;
  /** Set when `status` is 'failed'. */
  error?: CosDirectError;
  /** describeError's sentence for `error`, in the chosen locale. */
  message?: string;
  /** Whether `retry` can help: false for a refusal that would come again (too large, type not allowed, forbidden…). */
  canRetry: boolean;
}

/** The upload options a controller passes on; it owns `signal`, `onProgress` and `keepResumeOnAbort`. */
export type ControlledUploadOptions<O extends UploadOptions> = Omit<O, 'signal' | 'onProgress' | 'keepResumeOnAbort'> & {
  /** The language of `message`: 'en' (default) or 'zh'. */
  locale?: ErrorLocale;
};

export interface UploadController {
  getSnapshot(): UploadSnapshot;
  subscribe(listener: () => void): () => void;
  /** Uploads a file, cancelling one still going; resolves with the result, or undefined when it did not finish. */
  start(file: Blob): Promise<UploadResult | undefined>;
  /** Stops sending, keeping a multipart upload's parts at COS and its resume state for `resume`. */
  pause(): void;
  resume(): Promise<UploadResult | undefined>;
  /** Stops for good: a running multipart upload is deleted at COS (a paused one is left to resume or expire). */
  cancel(): void;
  /** Runs a failed upload again, when `canRetry`. */
  retry(): Promise<UploadResult | undefined>;
  /** Back to 'idle', cancelling what still runs. */
  reset(): void;
}

type Run<O extends UploadOptions> = (file: Blob, options: O) => Promise<UploadResult>;

interface Attempt {
  controller: AbortController;
  pausing: boolean;
}

const IDLE: UploadSnapshot = Object.freeze({ status: 'idle', sent: 0, total: 0, progress: 0, canRetry: false });

/**
 * A controller around an upload function (the client's `upload`). `options` is read when each run starts,
 * so a UI can pass its latest options.
 */
export function createUploadController<O extends UploadOptions>(run: Run<O>, options: () => ControlledUploadOptions<O>): UploadController {
  let snapshot = IDLE;
  let current: Attempt | undefined;
  const listeners = new Set<() => void>();
  const set = (patch: Partial<UploadSnapshot>) => {
    snapshot = { ...snapshot, ...patch };
    snapshot.progress = snapshot.total > 0 ? Math.min(1, snapshot.sent / snapshot.total) : snapshot.status === 'done' ? 1 : 0;
    for (const listener of listeners) listener();
  };

  const go = async (): Promise<UploadResult | undefined> => {
    const file = snapshot.file;
    if (!file) return undefined;
    const attempt: Attempt = { controller: new AbortController(), pausing: false };
    current = attempt;
    set({ status: 'uploading', error: undefined, message: undefined, canRetry: false, result: undefined });
    const { locale, ...rest } = options();
    try {
      const result = await run(file, {
        ...(rest as unknown as O),
        signal: attempt.controller.signal,
        // Read by the client when the abort lands: a pause keeps the parts for the resume, a cancel does not.
        get keepResumeOnAbort() {
          return attempt.pausing;
        },
        onProgress: (sent: number, total: number) => {
          if (current === attempt && !attempt.controller.signal.aborted) set({ sent, total });
        },
      });
      if (current !== attempt) return undefined;
      set({ status: 'done', result, sent: result.size, total: result.size });
      return result;
    } catch (e) {
      if (current !== attempt) return undefined;
      if (attempt.controller.signal.aborted) {
        set({ status: attempt.pausing ? 'paused' : 'cancelled' });
        return undefined;
      }
      const error = e instanceof CosDirectError ? e : new CosDirectError('CLIENT_ERR_NETWORK', String(e), { cause: e });
      set({ status: 'failed', error, message: describeError(error, locale), canRetry: !error.permanent });
      return undefined;
    }
  };

  const stop = (pausing: boolean) => {
    if (!current || snapshot.status !== 'uploading') return false;
    current.pausing = pausing;
    current.controller.abort();
    return true;
  };

  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start(file) {
      stop(false);
      snapshot = { ...IDLE, file, total: file.size };
      return go();
    },
    pause() {
      if (stop(true)) set({ status: 'paused' });
    },
    resume() {
      return snapshot.status === 'paused' ? go() : Promise.resolve(undefined);
    },
    cancel() {
      if (stop(false)) set({ status: 'cancelled' });
      else if (snapshot.status === 'paused') {
        // Nothing runs to delete the paused upload at COS: its parts and resume state stay, so the same
        // file started again resumes it, and the bucket's lifecycle rule removes it if it never is.
        current = undefined;
        set({ status: 'cancelled' });
      }
    },
    retry() {
      return snapshot.status === 'failed' && snapshot.canRetry ? go() : Promise.resolve(undefined);
    },
    reset() {
      stop(false);
      current = undefined;
      snapshot = IDLE;
      for (const listener of listeners) listener();
    },
  };
}
