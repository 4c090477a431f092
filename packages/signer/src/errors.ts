const kSignerError = Symbol.for('cos-direct.signer.error');

/** Stable codes of every error the signer throws or reports. Match on `code`, never on the message. */
export const SignerErrorCodes = {
  SIGN_ERR_INVALID_ARGUMENT: 'An argument is missing or has the wrong type',
  SIGN_ERR_KEY_TIME: 'A key time or sign time is not "<start>;<end>" in unix seconds with start <= end',
  SIGN_ERR_AUTH_MALFORMED: 'An Authorization value is not a list of key=value fields',
  SIGN_ERR_AUTH_MISSING_FIELD: 'An Authorization value lacks a required q-* field',
  SIGN_ERR_AUTH_ALGORITHM: 'An Authorization value names an algorithm other than sha1',
  SIGN_ERR_SIGNATURE_MISMATCH: 'The signature does not match the one computed for the request',
  SIGN_ERR_SIGNED_HEADER_MISSING: 'A header named in q-header-list is absent from the request',
  SIGN_ERR_SIGNED_PARAM_MISSING: 'A parameter named in q-url-param-list is absent from the request',
  SIGN_ERR_POLICY_MALFORMED: 'A POST policy is not valid base64 JSON with expiration and conditions',
  SIGN_ERR_POLICY_EXPIRED: 'A POST policy has expired',
  SIGN_ERR_POLICY_CONDITION: 'A form field violates a POST policy condition',
  SIGN_ERR_STS_PARAMS: 'STS request parameters are missing or malformed',
  SIGN_ERR_TC3_MALFORMED: 'A TC3-HMAC-SHA256 Authorization value is malformed',
  SIGN_ERR_SIGV4_MALFORMED: 'An AWS4-HMAC-SHA256 Authorization value or presigned query is malformed',
} as const;

export type SignerErrorCode = keyof typeof SignerErrorCodes;

export class SignerError extends Error {
  override readonly name = 'SignerError';
  readonly code: SignerErrorCode;
  readonly [kSignerError] = true;

  constructor(code: SignerErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  /** True for errors from any installed copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kSignerError] === true;
  }
}
