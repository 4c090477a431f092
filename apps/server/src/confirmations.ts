import type { ConfirmedUpload } from './config/index.js';
import type { SharedRedis } from './redis.js';

/** What the server confirmed for a ticket's key: the object, and for multipart the upload it completed. */
export interface Confirmation {
  upload: ConfirmedUpload;
  uploadId?: string;
}

/**
 * The first confirmation of each ticket, kept while its confirmToken is valid, so that a later call
 * answers that confirmation (or says the object changed) instead of confirming a second object.
 */
export interface Confirmations {
  get(key: string): Promise<Confirmation | undefined>;
  /** Stores `value` unless `key` has a confirmation; answers the one already there, if any. */
  claim(key: string, value: Confirmation, ttlSeconds: number): Promise<Confirmation | undefined>;
  /** Forgets `key`: its confirmation did not complete (the app's hook failed), so a retry runs again. */
  release(key: string): Promise<void>;
}

/** Confirmations in this instance's memory; expired ones are dropped as new ones arrive. */
export class MemoryConfirmations implements Confirmations {
  readonly #entries = new Map<string, { value: Confirmation; until: number }>();

  constructor(private readonly now: () => number) {}

  async get(key: string): Promise<Confirmation | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  async claim(key: string, value: Confirmation, ttlSeconds: number): Promise<Confirmation | undefined> {
    const existing = await this.get(key);
    if (existing) return existing;
    this.#sweep();
    this.#entries.set(key, { value, until: this.now() + ttlSeconds });
    return undefined;
  }

  async release(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  // Insertion order is roughly expiry order (one TTL rule for all), so the sweep stops at the first live entry.
  #sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.#entries) {
      if (entry.until > now) break;
      this.#entries.delete(key);
    }
  }
}

const PREFIX = 'cos-direct-confirmed:';

/**
 * Confirmations in Redis, shared by every instance; while Redis is unreachable, this instance's memory
 * holds them (a confirmation made there is known to this instance only).
 */
export class RedisConfirmations implements Confirmations {
  constructor(
    private readonly redis: SharedRedis,
    private readonly local: MemoryConfirmations,
  ) {}

  async get(key: string): Promise<Confirmation | undefined> {
    const local = await this.local.get(key);
    if (local || !this.redis.up) return local;
    try {
      const text = await this.redis.client.get(PREFIX + key);
      return text ? (JSON.parse(text) as Confirmation) : undefined;
    } catch (e) {
      this.redis.failed(e);
      return undefined;
    }
  }

  async claim(key: string, value: Confirmation, ttlSeconds: number): Promise<Confirmation | undefined> {
    if (this.redis.up) {
      try {
        const set = await this.redis.client.set(PREFIX + key, JSON.stringify(value), 'EX', Math.max(1, ttlSeconds), 'NX');
        if (set === 'OK') return undefined;
        const text = await this.redis.client.get(PREFIX + key);
        if (text) return JSON.parse(text) as Confirmation;
      } catch (e) {
        this.redis.failed(e);
      }
    }
    return this.local.claim(key, value, ttlSeconds);
  }

  async release(key: string): Promise<void> {
    await this.local.release(key);
    if (!this.redis.up) return;
    await this.redis.client.del(PREFIX + key).catch((e: unknown) => this.redis.failed(e));
  }
}
