import { createRequire } from 'node:module';
import type { SharedRedis } from './redis.js';

type Incr = (error: Error | null, result: { current: number; ttl: number } | null) => void;

/** The store contract of @fastify/rate-limit: count one request of `key`, and a store per route. */
export interface RateLimitStore {
  incr(key: string, cb: Incr, timeWindow: number, max: number): void;
  child(routeOptions: Record<string, unknown>): RateLimitStore;
}

interface StoreParams {
  continueExceeding: boolean;
  exponentialBackoff: boolean;
  cache?: number;
}

// The plugin's own stores, so counting works exactly as it does without a fallback.
const require = createRequire(import.meta.url);
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: unknown,
  nameSpace: string,
) => RateLimitStore;
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => RateLimitStore;

/** Counts in Redis while it is up, in this instance's memory while it is not. */
class FallbackStore implements RateLimitStore {
  constructor(
    private readonly shared: RateLimitStore,
    private readonly local: RateLimitStore,
    private readonly redis: SharedRedis,
  ) {}

  incr(key: string, cb: Incr, timeWindow: number, max: number): void {
    if (!this.redis.up) {
      this.local.incr(key, cb, timeWindow, max);
      return;
    }
    this.shared.incr(
      key,
      (error, result) => {
        if (!error) return cb(null, result);
        this.redis.failed(error);
        this.local.incr(key, cb, timeWindow, max);
      },
      timeWindow,
      max,
    );
  }

  child(routeOptions: Record<string, unknown>): RateLimitStore {
    return new FallbackStore(this.shared.child(routeOptions), this.local.child(routeOptions), this.redis);
  }
}

/** A `store` for @fastify/rate-limit (which constructs it with its parameters) that fails open to memory. */
export function fallbackStore(redis: SharedRedis, nameSpace: string) {
  return function FallbackStoreOf(params: StoreParams): RateLimitStore {
    return new FallbackStore(
      new RedisStore(params.continueExceeding, params.exponentialBackoff, redis.client, nameSpace),
      new LocalStore(params.continueExceeding, params.exponentialBackoff, params.cache),
      redis,
    );
  };
}

/** A store in this instance's memory only. */
export function localStore(): RateLimitStore {
  return new LocalStore(false, false, 10_000);
}

/** A store in Redis that counts in memory while Redis is unreachable. */
export function sharedStore(redis: SharedRedis, nameSpace: string): RateLimitStore {
  return fallbackStore(redis, nameSpace)({ continueExceeding: false, exponentialBackoff: false });
}
