const kClientError = Symbol.for('cos-direct.client.error');

/** Every error the client throws, by stable code. Match on `code`, not on messages. */
export const ClientErrorCodes = {
  CLIENT_ERR_INVALID_ARGUMENT: 'An option or the source is missing or malformed',
  CLIENT_ERR_SIGN_SERVER: 'The sign server refused to issue a ticket or answered something unusable',
  CLIENT_ERR_COS: 'COS (or the emulator) refused a request',
  CLIENT_ERR_NETWORK: 'A request failed before a response arrived',
  CLIENT_ERR_ABORTED: 'The upload was aborted through its AbortSignal',
  CLIENT_ERR_INTEGRITY: 'The checksum COS reported differs from the local data',
  CLIENT_ERR_TICKET_EXPIRED: 'The temporary key expired before the upload could finish',
  CLIENT_ERR_TOO_LARGE: 'The source is larger than the ticket allows (found before sending, or refused by the sign server)',
} as const;
export type ClientErrorCode = keyof typeof ClientErrorCodes;

export interface ClientErrorDetails {
  /** HTTP status of the failed response. */
  status?: number;
  /** COS error code, e.g. AccessDenied. */
  cosCode?: string;
  /** x-cos-request-id of the failed COS response. */
  requestId?: string;
  /** Code and message the sign server answered with. */
  serverCode?: string | number;
  /** The emulator's explanation of a refusal (<Reason>), when present. */
  reason?: string;
  /** Of a CLIENT_ERR_NETWORK: the platform's code (ECONNRESET, UND_ERR_SOCKET…), ERR_NETWORK when it names none. */
  networkCode?: string;
  cause?: unknown;
}

export class CosDirectError extends Error {
  override readonly name = 'CosDirectError';
  readonly [kClientError] = true;
  readonly status?: number;
  readonly cosCode?: string;
  readonly requestId?: string;
  readonly serverCode?: string | number;
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
    this.reason = details.reason;
    this.networkCode = details.networkCode;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kClientError] === true;
  }
}

export function abortError(): CosDirectError {
  return new CosDirectError('CLIENT_ERR_ABORTED', 'the upload was aborted');
}
