import type { CamPolicy } from '@cos-direct/signer';
import type { StsClient, TemporaryKey } from './sts-client.js';

export interface KeyCacheOptions {
  /** Lifetime asked of STS for each key. */
  durationSeconds: number;
  /** The longest signature made with a key: a key is only handed out while it outlives this. */
  signatureSeconds: number;
  now: () => number;
  /** A background refresh failed; the next ticket that needs the key tries again. */
  onRefreshError?: (error: unknown) => void;
  /** Told of each lookup: a hit signs with a cached key, a miss waits for STS. */
  onLookup?: (hit: boolean) => void;
}

interface Entry {
  key?: TemporaryKey;
  /** The one refresh in flight for this shape, shared by every caller that needs it. */
  pending?: Promise<TemporaryKey>;
}

/**
 * One temporary key per policy shape, for tickets that never hand out the key's secret (a signed PUT,
 * a signed POST policy): many tickets are signed with one key, so most need no STS round trip.
 *
 * A key is used only while it outlives the longest signature made with it, so no signature outlasts
 * its key. From halfway through that margin a refresh starts in the background; once the margin is
 * gone, callers wait for the refresh. Either way there is one STS call per shape at a time.
 */
export class KeyCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly sts: StsClient,
    private readonly options: KeyCacheOptions,
  ) {}

  async get(shape: string, policy: () => CamPolicy): Promise<TemporaryKey> {
    let entry = this.#entries.get(shape);
    if (!entry) {
      entry = {};
      this.#entries.set(shape, entry);
    }
    const now = this.options.now();
    const { signatureSeconds, durationSeconds } = this.options;
    const key = entry.key;
    // Remaining life past the longest signature; refresh early by a quarter of the key's lifetime.
    const spare = key ? key.expiredTime - now - signatureSeconds : -1;
    if (key && spare > 0) {
      if (spare <= Math.max(1, Math.floor((durationSeconds - signatureSeconds) / 4)))
        this.#refresh(entry, policy).catch((e: unknown) => this.options.onRefreshError?.(e));
      this.options.onLookup?.(true);
      return key;
    }
    this.options.onLookup?.(false);
    return this.#refresh(entry, policy);
  }

  #refresh(entry: Entry, policy: () => CamPolicy): Promise<TemporaryKey> {
    entry.pending ??= this.sts.getFederationToken(policy(), this.options.durationSeconds).then(
      (key) => {
        entry.key = key;
        entry.pending = undefined;
        return key;
      },
      (e: unknown) => {
        entry.pending = undefined;
        throw e;
      },
    );
    return entry.pending;
  }
}
