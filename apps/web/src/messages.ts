// One sentence a person can act on for every failure (the client's describeError); the codes and the
// request id go in the details.
import { CosDirectError, describeError } from '@cos-direct/client/browser';
import { extensionOf, formatBytes, type Limits } from './limits.js';

export interface Failure {
  /** What the page says. */
  message: string;
  /** Shown on request: code, status, request id (once), the raw message. */
  details: Array<[string, string]>;
  /** Whether trying again can help. */
  retryable: boolean;
}

export function explain(error: unknown, file: { name: string; size: number }, limits?: Limits): Failure {
  if (!(error instanceof CosDirectError)) {
    return { message: describeError(error), details: [['error', String(error)]], retryable: true };
  }
  const details: Array<[string, string]> = [['code', error.code]];
  if (error.serverCode !== undefined) details.push(['server code', error.serverCode]);
  if (error.cosCode) details.push(['storage code', error.cosCode]);
  if (error.networkCode) details.push(['network code', error.networkCode]);
  if (error.status) details.push(['HTTP status', String(error.status)]);
  if (error.requestId) details.push(['request id', error.requestId]);
  // The client's message repeats the request id and the reason; each is shown once, on its own line.
  let raw = error.message;
  if (error.requestId) raw = raw.replace(` [request ${error.requestId}]`, '');
  if (error.reason) raw = raw.replace(` (${error.reason})`, '');
  details.push(['message', raw]);
  if (error.reason) details.push(['reason', error.reason]);
  const max = limits?.maxBytes;
  // A storage 403 for a file over the page's known limit is the bucket's size rule, not a lapsed permission.
  if (error.code === 'CLIENT_ERR_COS' && error.status === 403 && max !== undefined && file.size > max) {
    return {
      message: `The file is ${formatBytes(file.size)}; the storage accepts at most ${formatBytes(max)}.`,
      details,
      retryable: false,
    };
  }
  // The page knows the file and the limits the error may not carry: the sentence then names them.
  const known = new CosDirectError(error.code, error.message, {
    ...error,
    ext: error.ext ?? (extensionOf(file.name) || undefined),
    size: error.size ?? file.size,
    maxSize: error.maxSize ?? (max !== undefined && file.size > max ? max : undefined),
  });
  return { message: describeError(known), details, retryable: !error.permanent };
}
