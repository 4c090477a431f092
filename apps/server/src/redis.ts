import { Redis } from 'ioredis';

export interface RedisLog {
  warn(obj: object, msg: string): void;
  info(msg: string): void;
}

/**
 * The Redis connection the instances share (rate-limit counters, confirmations), and whether it is
 * usable now. Users of it fall back to this instance's memory while it is not, so an outage degrades
 * the limits to per-instance ones instead of failing every request; the outage is logged once when it
 * starts and once when it ends, however many reconnection attempts fail in between.
 */
export class SharedRedis {
  readonly client: Redis;
  #down = false;
  #closing = false;

  constructor(
    url: string,
    private readonly log: RedisLog,
  ) {
    // No offline queue: while disconnected a command fails at once, and the caller falls back, instead
    // of holding the request until Redis returns.
    this.client = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
    this.client.on('error', (e: Error) => this.failed(e));
    // A server that goes away may close the connection without an error; that is an outage too.
    this.client.on('close', () => {
      if (!this.#closing) this.failed(new Error('the connection closed'));
    });
    this.client.on('ready', () => {
      if (!this.#down) return;
      this.#down = false;
      this.log.info('redis is reachable again: rate limits and confirmations are shared between instances again');
    });
  }

  /** True while commands can be sent. */
  get up(): boolean {
    return this.client.status === 'ready';
  }

  /** Notes a failed command or connection; the first failure of an outage is logged. */
  failed(e: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.log.warn(
      { err: { message: (e as Error)?.message ?? String(e) } },
      'redis is unreachable: rate limits and confirmations fall back to this instance until it returns',
    );
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
