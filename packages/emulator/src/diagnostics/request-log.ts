import type { InjectedFault } from '../faults/rules.js';

/** Who a request acted as: the root key, a temporary key (by its SecretId), or nobody. */
export type IdentityLabel =
  | { kind: 'root'; secretId: string }
  | { kind: 'temporary'; secretId: string }
  | { kind: 'anonymous' }
  /** The signature was refused: the SecretId it claimed (q-ak), not verified. */
  | { kind: 'unverified'; secretId: string };

/** One answered (or cut) request, as the terminal, `//_emulator/requests` and the console's live log show it. */
export interface RequestEntry {
  seq: number;
  time: string;
  requestId: string;
  method: string;
  /** `<host><path>`. */
  resource: string;
  bucket?: string;
  key?: string;
  operation?: string;
  /** 0 when the connection was closed without an answer. */
  status: number;
  ms: number;
  identity: IdentityLabel;
  /** A refusal: its code and the emulator's reason (details in `//_emulator/refusals`). */
  refusal?: { code: string; reason?: string; details?: Record<string, string> };
  /** What the emulator accepted without acting on it (an unverified S3 checksum, an ignored header), as COS does. */
  notes?: string[];
  /** Set when a fault rule fired on this request. */
  fault?: InjectedFault;
  /** An emulator endpoint (`//_emulator/...`) rather than COS or STS. */
  admin?: boolean;
}

export type RequestListener = (entry: RequestEntry) => void;

/** The recent requests, newest last, and whoever listens for the next ones. Shared by both listeners. */
export class RequestLog {
  readonly #entries: RequestEntry[] = [];
  readonly #listeners = new Set<RequestListener>();
  #seq = 0;
  constructor(private readonly capacity = 500) {}

  record(entry: Omit<RequestEntry, 'seq'>): RequestEntry {
    const full = { seq: ++this.#seq, ...entry };
    this.#entries.push(full);
    if (this.#entries.length > this.capacity) this.#entries.shift();
    for (const listener of this.#listeners) {
      try {
        listener(full);
      } catch {
        // A listener's failure (a closed stream) must not fail the request.
      }
    }
    return full;
  }

  /** The most recent entries, oldest first. */
  list(limit = this.capacity): RequestEntry[] {
    return limit <= 0 ? [] : this.#entries.slice(-limit);
  }

  /** Calls `listener` for every request from now on; returns the unsubscribe function. */
  subscribe(listener: RequestListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** q-ak of a signature the emulator refused, for the log only. */
export function claimedSecretId(authorization: string | undefined, url: string): string | undefined {
  const m = /(?:^|[&?])q-ak=([^&]*)/i.exec(authorization ?? '') ?? /[?&]q-ak=([^&]*)/i.exec(url);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1];
  }
}
