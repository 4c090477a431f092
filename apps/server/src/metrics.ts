import { Counter, Histogram, Registry } from 'prom-client';
import type { StsOutcome } from './sts-client.js';

/** The content type of `metrics()`'s text, for an app's own route. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * What one sign server instance counts, in a registry of its own (two cores in one process never share
 * or collide on counters). Labels are bounded sets: a ticket's kind and the stable code it ended with,
 * an STS call's outcome; never a key, a user or an address.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #tickets = new Counter({
    name: 'cos_direct_tickets_total',
    help: 'Tickets asked for, by kind (direct, post, multipart, multipart-refresh) and outcome (ok, or the SRV_ERR_* code answered).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #confirmations = new Counter({
    name: 'cos_direct_confirmations_total',
    help: 'Confirmations (confirm, complete), by outcome (ok, or the SRV_ERR_* code answered).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #stsCalls = new Counter({
    name: 'cos_direct_sts_calls_total',
    help: 'GetFederationToken calls, by outcome: ok, refused (an STS error answer), timeout, busy (queue full), dns, connect, tls.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly #stsSeconds = new Histogram({
    name: 'cos_direct_sts_call_duration_seconds',
    help: 'Duration of GetFederationToken calls, waiting for a free slot included.',
    labelNames: ['outcome'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #keyCache = new Counter({
    name: 'cos_direct_key_cache_lookups_total',
    help: 'Shared ticket key lookups: hit (a cached key signed the ticket) or miss (the ticket waited for STS).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Every series exists from the start, so a rate over a counter that has not moved yet reads 0, not "no data".
    for (const kind of ['direct', 'post', 'multipart', 'multipart-refresh']) this.#tickets.labels(kind, 'ok');
    for (const kind of ['confirm', 'complete']) this.#confirmations.labels(kind, 'ok');
    this.#stsCalls.labels('ok');
    for (const result of ['hit', 'miss']) this.#keyCache.labels(result);
  }

  ticket(kind: string, outcome: string): void {
    this.#tickets.labels(kind, outcome).inc();
  }

  confirmation(kind: 'confirm' | 'complete', outcome: string): void {
    this.#confirmations.labels(kind, outcome).inc();
  }

  stsCall(outcome: StsOutcome, seconds: number): void {
    this.#stsCalls.labels(outcome).inc();
    this.#stsSeconds.labels(outcome).observe(seconds);
  }

  keyLookup(hit: boolean): void {
    this.#keyCache.labels(hit ? 'hit' : 'miss').inc();
  }

  /** The Prometheus text exposition of every counter above. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The outcome label of a failed call: its stable code, or "error" for anything else. */
export const outcomeOf = (e: unknown): string => {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SRV_ERR_') ? code : 'error';
};
