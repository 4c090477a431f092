import type { ServerErrorCode } from '@cos-direct/protocol';

const kServerError = Symbol.for('cos-direct.server.error');

/** Every error the sign server answers with: HTTP status and a default message per stable code. */
export const ServerErrorCodes = {
  SRV_ERR_BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  SRV_ERR_INVALID_EXTENSION: { status: 400, message: 'The file extension is not allowed' },
  SRV_ERR_INVALID_CONTENT_TYPE: { status: 400, message: 'The Content-Type is not allowed for the file extension' },
  SRV_ERR_INVALID_SIZE: { status: 400, message: 'The size parameter is missing, malformed or over the limit' },
  SRV_ERR_INVALID_CONFIRM_TOKEN: { status: 400, message: 'The confirmToken is missing, malformed, expired or not from this server' },
  SRV_ERR_UNAUTHENTICATED: { status: 401, message: 'Authentication is required' },
  SRV_ERR_FORBIDDEN: { status: 403, message: 'The credentials are not allowed to request upload tickets' },
  SRV_ERR_NOT_FOUND: { status: 404, message: 'No such route' },
  SRV_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'The method is not allowed on this route' },
  SRV_ERR_NOT_UPLOADED: { status: 404, message: 'Nothing has been uploaded to the key the ticket named' },
  SRV_ERR_ALREADY_COMPLETED: { status: 409, message: 'The ticket already completed a multipart upload' },
  SRV_ERR_OBJECT_CHANGED: { status: 409, message: 'The object is no longer the one that was confirmed' },
  SRV_ERR_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  SRV_ERR_UPLOAD_TOO_LARGE: { status: 413, message: 'The upload is larger than the ticket allows' },
  SRV_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests' },
  SRV_ERR_STS_FAILED: { status: 502, message: 'The STS service refused to issue a temporary key' },
  SRV_ERR_STS_TIMEOUT: { status: 502, message: 'The STS service did not answer in time' },
  SRV_ERR_STS_UNREACHABLE: { status: 502, message: 'The STS service could not be reached' },
  SRV_ERR_COS_FAILED: { status: 502, message: 'COS refused a request of the server' },
  SRV_ERR_BUSY: { status: 503, message: 'Too many tickets are waiting for STS; try again shortly' },
  SRV_ERR_INVALID_KEY_FOLDER: { status: 500, message: "The app's keyFolder chose a folder outside the allowed shape" },
  SRV_ERR_INTERNAL: { status: 500, message: 'Internal error' },
  // The list of codes lives in @cos-direct/protocol, where clients read it: `satisfies` refuses a code
  // missing here and a code not listed there.
} as const satisfies Record<ServerErrorCode, { status: number; message: string }>;

export type { ServerErrorCode };

export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly [kServerError] = true;
  readonly statusCode: number;
  /** Response headers the answer carries, e.g. Retry-After for SRV_ERR_BUSY. */
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly code: ServerErrorCode,
    message: string = ServerErrorCodes[code].message,
    headers: Record<string, string> = code === 'SRV_ERR_BUSY' ? { 'retry-after': '1' } : {},
  ) {
    super(message);
    this.statusCode = ServerErrorCodes[code].status;
    this.headers = headers;
  }

  // Matches a ServerError of another copy of this package; a subclass (inheriting this) keeps the usual
  // prototype check, or every ServerError would pass for every subclass.
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about, a subclass included
    if (this !== ServerError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kServerError] === true;
  }
}
