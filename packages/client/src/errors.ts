import type { ServerErrorCode } from '@cos-direct/protocol';

const kClientError = Symbol.for('cos-direct.client.error');

/** Every error the client throws, by stable code. Match on `code`, not on messages. */
export const ClientErrorCodes = {
  CLIENT_ERR_INVALID_ARGUMENT: 'An option or the source is missing or malformed',
  CLIENT_ERR_TOO_LARGE: 'The source is larger than the ticket or the sign server allows',
  CLIENT_ERR_TYPE_NOT_ALLOWED: "The sign server does not accept the source's extension",
  CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED: 'The contentType option names a type the ticket cannot carry (nothing was sent)',
  CLIENT_ERR_UNAUTHENTICATED: 'The sign server wants credentials (401): none were sent, or they are not valid',
  CLIENT_ERR_FORBIDDEN: 'The sign server knows the caller but does not let it upload (403)',
  CLIENT_ERR_RATE_LIMITED: 'The sign server refused for too many requests (429); retryAfterMs says when to try again',
  CLIENT_ERR_SIGN_SERVER: 'The sign server refused otherwise, or answered something unusable',
  CLIENT_ERR_SIGN_SERVER_UNREACHABLE: 'No answer came from the sign server (down, wrong address, DNS, offline)',
  CLIENT_ERR_SIGN_SERVER_CORS: "The browser withheld the sign server's answer: the page's origin is not in its CORS_ORIGINS",
  CLIENT_ERR_COS_CORS: "The browser withheld COS's answer: the bucket's CORS rules do not allow the page's origin",
  CLIENT_ERR_CERTIFICATE: "A server's TLS certificate is not trusted (an unknown CA, expired, another name)",
  CLIENT_ERR_COS: 'COS (or the emulator) refused a request; cosCode is its code',
  CLIENT_ERR_NETWORK: 'A request to COS failed before a response arrived',
  CLIENT_ERR_ABORTED: 'The upload was aborted through its AbortSignal',
  CLIENT_ERR_INTEGRITY: 'The checksum COS reported differs from the local data',
  CLIENT_ERR_TICKET_EXPIRED: 'The temporary key expired before the upload could finish',
} as const;
export type ClientErrorCode = keyof typeof ClientErrorCodes;

/**
 * Outcomes that trying the same upload again cannot change: an app offers no Retry for them. The request
 * itself is not retried either (see the retry policy's `permanent`).
 */
export const PERMANENT_ERROR_CODES: readonly ClientErrorCode[] = Object.freeze([
  'CLIENT_ERR_INVALID_ARGUMENT',
  'CLIENT_ERR_TOO_LARGE',
  'CLIENT_ERR_TYPE_NOT_ALLOWED',
  'CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED',
  'CLIENT_ERR_FORBIDDEN',
  'CLIENT_ERR_SIGN_SERVER_CORS',
  'CLIENT_ERR_COS_CORS',
  'CLIENT_ERR_CERTIFICATE',
]);

export interface ClientErrorDetails {
  /** HTTP status of the failed response. */
  status?: number;
  /** COS error code, e.g. AccessDenied. */
  cosCode?: string;
  /** x-cos-request-id of the failed COS response. */
  requestId?: string;
  /** The sign server's code, when it is one of @cos-direct/server's (another server's code is in the message). */
  serverCode?: ServerErrorCode;
  /** Of a CLIENT_ERR_RATE_LIMITED: how long the sign server asked to wait (its Retry-After), when it said. */
  retryAfterMs?: number;
  /** Of a CLIENT_ERR_TYPE_NOT_ALLOWED: the extension refused, without its dot. */
  ext?: string;
  /** Of a CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED: the type asked for, and the ones the ticket can carry. */
  contentType?: string;
  allowedContentTypes?: string[];
  /** Of a CLIENT_ERR_TOO_LARGE: the source's size and the largest allowed, in bytes, when known. */
  size?: number;
  maxSize?: number;
  /** The emulator's explanation of a refusal (<Reason>), when present. */
  reason?: string;
  /**
   * Of a failure without an answer (CLIENT_ERR_NETWORK, _SIGN_SERVER_UNREACHABLE, _CERTIFICATE, the _CORS
   * ones): the platform's code (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET, SELF_SIGNED_CERT_IN_CHAIN…),
   * ERR_CORS when a browser's probe reached the server that the request could not, ERR_NETWORK when the
   * platform names nothing.
   */
  networkCode?: string;
  cause?: unknown;
}

export class CosDirectError extends Error {
  override readonly name = 'CosDirectError';
  readonly [kClientError] = true;
  readonly status?: number;
  readonly cosCode?: string;
  readonly requestId?: string;
  readonly serverCode?: ServerErrorCode;
  declare readonly retryAfterMs?: number;
  declare readonly ext?: string;
  declare readonly contentType?: string;
  declare readonly allowedContentTypes?: string[];
  declare readonly size?: number;
  declare readonly maxSize?: number;
  readonly reason?: string;
  readonly networkCode?: string;

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    details: ClientErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.cosCode = details.cosCode;
    this.requestId = details.requestId;
    this.serverCode = details.serverCode;
    // Only what applies becomes an own property, so an error's keys say what it carries.
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.ext !== undefined) this.ext = details.ext;
    if (details.contentType !== undefined) this.contentType = details.contentType;
    if (details.allowedContentTypes !== undefined) this.allowedContentTypes = details.allowedContentTypes;
    if (details.size !== undefined) this.size = details.size;
    if (details.maxSize !== undefined) this.maxSize = details.maxSize;
    this.reason = details.reason;
    this.networkCode = details.networkCode;
  }

  /** Whether the same upload would fail the same way again: offer no Retry. */
  get permanent(): boolean {
    return PERMANENT_ERROR_CODES.includes(this.code);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kClientError] === true;
  }
}

export function abortError(): CosDirectError {
  return new CosDirectError('CLIENT_ERR_ABORTED', 'the upload was aborted');
}
