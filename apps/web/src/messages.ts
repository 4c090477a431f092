// One sentence a person can act on for every failure; the codes and the request id go in the details.
import { CosDirectError } from '@cos-direct/client/browser';
import { extensionOf, formatBytes, type Limits } from './limits.js';

export interface Failure {
  /** What the page says. */
  message: string;
  /** Shown on request: code, status, request id (once), the raw message. */
  details: Array<[string, string]>;
  /** Whether trying again can help. */
  retryable: boolean;
}

const SERVER: Record<string, string> = {
  SRV_ERR_INVALID_EXTENSION: 'The server does not accept this type of file.',
  SRV_ERR_INVALID_SIZE: 'The file is larger than the server allows.',
  SRV_ERR_UPLOAD_TOO_LARGE: 'The file is larger than the server allows.',
  SRV_ERR_UNAUTHENTICATED: 'You need to sign in again before uploading.',
  SRV_ERR_FORBIDDEN: 'Your account may not upload files here.',
  SRV_ERR_RATE_LIMITED: 'Too many uploads in a short time. Wait a minute, then retry.',
  SRV_ERR_BUSY: 'The server is busy. Retry in a moment.',
  SRV_ERR_STS_FAILED: 'The server could not get upload permission from the cloud. Retry in a moment.',
  SRV_ERR_STS_TIMEOUT: 'The server could not get upload permission from the cloud in time. Retry in a moment.',
  SRV_ERR_STS_UNREACHABLE: 'The server could not reach the cloud to get upload permission. Retry in a moment.',
};

export function explain(error: unknown, file: { name: string; size: number }, limits?: Limits): Failure {
  if (!(error instanceof CosDirectError)) {
    return {
      message: 'Something went wrong in this page. Retry, or reload the page.',
      details: [['error', String(error)]],
      retryable: true,
    };
  }
  const details: Array<[string, string]> = [['code', error.code]];
  if (error.serverCode !== undefined) details.push(['server code', String(error.serverCode)]);
  if (error.cosCode) details.push(['storage code', error.cosCode]);
  if (error.status) details.push(['HTTP status', String(error.status)]);
  if (error.requestId) details.push(['request id', error.requestId]);
  // The client's message repeats the request id and the reason; each is shown once, on its own line.
  let raw = error.message;
  if (error.requestId) raw = raw.replace(` [request ${error.requestId}]`, '');
  if (error.reason) raw = raw.replace(` (${error.reason})`, '');
  details.push(['message', raw]);
  if (error.reason) details.push(['reason', error.reason]);
  const tooBig = limits?.maxBytes !== undefined && file.size > limits.maxBytes;
  let message: string;
  let retryable = true;
  switch (error.code) {
    case 'CLIENT_ERR_ABORTED':
      message = 'Cancelled.';
      break;
    case 'CLIENT_ERR_NETWORK':
      message = 'The connection failed. Check your network, then retry.';
      break;
    case 'CLIENT_ERR_TICKET_EXPIRED':
      message = 'The upload took longer than its permission lasts. Retry to get a fresh one.';
      break;
    case 'CLIENT_ERR_INTEGRITY':
      message = 'The stored copy does not match your file. Retry the upload.';
      break;
    case 'CLIENT_ERR_TOO_LARGE':
      message =
        tooBig && limits?.maxBytes !== undefined
          ? `The file is ${formatBytes(file.size)}; the server accepts at most ${formatBytes(limits.maxBytes)}.`
          : 'The file is larger than the server allows.';
      retryable = false;
      break;
    case 'CLIENT_ERR_INVALID_ARGUMENT':
      message = 'This file cannot be uploaded from this page.';
      retryable = false;
      break;
    case 'CLIENT_ERR_SIGN_SERVER': {
      const known = typeof error.serverCode === 'string' ? SERVER[error.serverCode] : undefined;
      if (error.serverCode === 'SRV_ERR_INVALID_EXTENSION') {
        const ext = extensionOf(file.name);
        message = ext ? `The server does not accept .${ext} files.` : (known as string);
      } else {
        message = known ?? 'The server would not start this upload. Retry in a moment.';
      }
      retryable = !['SRV_ERR_INVALID_EXTENSION', 'SRV_ERR_INVALID_SIZE', 'SRV_ERR_UPLOAD_TOO_LARGE', 'SRV_ERR_FORBIDDEN'].includes(
        String(error.serverCode),
      );
      break;
    }
    default:
      // CLIENT_ERR_COS: the storage refused a request the ticket signed.
      if (error.status === 403 && tooBig) {
        message = `The file is ${formatBytes(file.size)}; the storage accepts at most ${formatBytes(limits!.maxBytes!)}.`;
        retryable = false;
      } else if (error.status === 403) {
        message = 'The storage refused the upload: the permission did not cover it. Retry to get a fresh one.';
      } else {
        message = 'The storage could not take the file right now. Retry in a moment.';
      }
  }
  return { message, details, retryable };
}
