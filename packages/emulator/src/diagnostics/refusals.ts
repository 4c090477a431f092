import type { CosError } from '../errors/index.js';

/** One refused request, as `/_emulator/refusals` lists it. */
export interface Refusal {
  time: string;
  requestId: string;
  method: string;
  resource: string;
  operation?: string;
  status: number;
  code: string;
  reason?: string;
  /** What the emulator computed, e.g. StringToSign and FormatString for a signature mismatch. */
  details: Record<string, string>;
  /** Set when a fault rule answered this, not the emulator's checks. */
  injected?: boolean;
}

// Temporary tokens can appear in a signed format string; they stay out of logs and listings.
const TOKEN = /(x-cos-security-token=)[^&\n]*/gi;

/** The details of a refusal with token values masked, fit for a log line or a listing. */
function redactDetails(details: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(details)) out[k] = v.replace(TOKEN, '$1<redacted>');
  return out;
}

/**
 * The most recent refusals, newest first, so a developer whose app only shows "403" (a phone, a
 * browser without devtools) can ask the emulator why.
 */
export class RefusalLog {
  readonly #entries: Refusal[] = [];
  constructor(private readonly capacity = 200) {}

  /** Keeps the refusal and returns it, details masked, for the log line. */
  record(request: { id: string; method: string }, resource: string, operation: string | undefined, error: CosError): Refusal {
    const refusal: Refusal = {
      time: new Date().toISOString(),
      requestId: request.id,
      method: request.method,
      resource,
      ...(operation ? { operation } : {}),
      status: error.statusCode,
      code: error.code,
      ...(error.reason ? { reason: error.reason } : {}),
      details: redactDetails(error.details),
      ...((error as CosError & { injected?: boolean }).injected ? { injected: true } : {}),
    };
    this.#entries.unshift(refusal);
    if (this.#entries.length > this.capacity) this.#entries.length = this.capacity;
    return refusal;
  }

  list(limit = this.capacity): Refusal[] {
    return this.#entries.slice(0, Math.max(0, limit));
  }
}
