const kCosError = Symbol.for('cos-direct.emulator.cos-error');

/** Extra elements some COS errors carry, e.g. StringToSign and FormatString on SignatureDoesNotMatch. */
export type ErrorDetails = Record<string, string>;

/**
 * An error COS would answer with: its code, HTTP status and message go on the wire as COS sends
 * them; `reason` is the emulator's explanation, sent as <Reason> and logged.
 */
export class CosError extends Error {
  override readonly name = 'CosError';
  readonly [kCosError] = true;
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
    readonly details: ErrorDetails = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kCosError] === true;
  }
}
