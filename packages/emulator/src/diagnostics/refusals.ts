import type { IncomingHttpHeaders } from 'node:http';
import type { CosError } from '../errors/index.js';
import { SecretMask } from './secret-mask.js';

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

/** The parts of a request a refusal is recorded from. */
export interface RefusedRequest {
  id: string;
  method: string;
  headers: IncomingHttpHeaders;
  url: string;
}

/**
 * The most recent refusals, newest first, so a developer whose app only shows "403" (a phone, a
 * browser without devtools) can ask the emulator why.
 */
export class RefusalLog {
  readonly #entries: Refusal[] = [];
  /** Temporary tokens appear in signed strings and reasons; they stay out of logs and listings. */
  readonly mask = new SecretMask();
  constructor(private readonly capacity = 200) {}

  /** Keeps the refusal and returns it, its reason and details masked, for the log line. */
  record(request: RefusedRequest, resource: string, operation: string | undefined, error: CosError): Refusal {
    this.mask.seeRequest(request.headers, request.url);
    const details: Record<string, string> = {};
    for (const [k, v] of Object.entries(error.details)) details[k] = this.mask.mask(v);
    const refusal: Refusal = {
      time: new Date().toISOString(),
      requestId: request.id,
      method: request.method,
      resource,
      ...(operation ? { operation } : {}),
      status: error.statusCode,
      code: error.code,
      ...(error.reason ? { reason: this.mask.mask(error.reason) } : {}),
      details,
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
