import { CosDirectError, describeError, type ErrorLocale } from '@cos-direct/client/browser';

/**
 * The error an upload-error event carries: its message is the sentence a person should see (describeError),
 * and the client's code, HTTP status and request id stay on it.
 */
export interface CosDirectUploadError extends Error {
  code: string;
  /** "code · HTTP status · request id", for Uppy's details line. */
  details: string;
  /** Whether retrying cannot help (a refused type or size, CORS, an untrusted certificate): no Retry is offered. */
  permanent: boolean;
  /** The opposite of `permanent`, under the name other Uppy uploaders use. */
  isRetryable: boolean;
  cause: unknown;
}

export function uploadError(error: unknown, locale: ErrorLocale): CosDirectUploadError {
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
    isRetryable: !e.permanent,
    cause: e as unknown,
  });
}

// Han characters without kana: a Chinese locale pack (zh_CN, zh_TW), not a Japanese one.
const HAN = /[\u4e00-\u9fff]/;
const KANA = /[\u3040-\u30ff]/;

/**
 * The language of Uppy's own strings, as far as describeError speaks it. Uppy's locale packs carry no
 * language tag, so it is read from a string every pack translates.
 */
export function localeOfUppy(translate: (key: 'uploadComplete') => string): ErrorLocale {
  const sample = translate('uploadComplete');
  return HAN.test(sample) && !KANA.test(sample) ? 'zh' : 'en';
}
