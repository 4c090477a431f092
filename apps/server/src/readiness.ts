import type { ReadinessCheck, SignServerReadiness } from '@cos-direct/protocol';
import { cosResource } from '@cos-direct/signer';
import type { ResolvedServerOptions } from './config/index.js';
import { isKnownRegion } from './config/regions.js';
import { type CosClient, CosUpstreamError } from './cos-client.js';
import { ServerError } from './errors.js';
import { policyOf } from './policy.js';
import type { SharedRedis } from './redis.js';
import { type StsClient, type StsOutcome, StsUnreachableError, StsUpstreamError, stsOutcomeOf } from './sts-client.js';

export type { ReadinessCheck, SignServerReadiness };

export interface ReadinessLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReadinessOptions {
  /** Run the checks now, whenever they last ran (a probe never needs this: failed checks re-run on their own). */
  fresh?: boolean;
}

/** A failed check runs again at most this often, however often readiness is asked. */
const RECHECK_MS = 5_000;
/** A passed check is confirmed again after this long without a ticket's STS call to vouch for it. */
const REFRESH_MS = 5 * 60_000;
/** Lifetime of the key the check asks for: it may only HEAD the bucket, and is dropped at once. */
const CHECK_KEY_SECONDS = 600;

const pending = (): ReadinessCheck => ({ state: 'pending', reason: 'not checked yet' });
const at = (ms: number) => new Date(ms).toISOString();

/**
 * Whether this instance can issue tickets: the start-up checks (an STS call with the configured key, and
 * a HEAD of the bucket with the temporary key it returns) and what ticket traffic shows of STS since.
 * Checks run once at start, again on demand while failed (at most every few seconds), and again after a
 * quiet while once passed. A state change is logged once, with the cause: DNS, the connection, TLS, the
 * deadline, or the code STS or COS answered.
 */
export class Readiness {
  #sts: ReadinessCheck = pending();
  #bucket: ReadinessCheck = pending();
  #lastRun = Number.NEGATIVE_INFINITY;
  #stsSeen = Number.NEGATIVE_INFINITY;
  #running: Promise<void> | undefined;

  constructor(
    private readonly options: Readonly<ResolvedServerOptions>,
    private readonly sts: StsClient,
    private readonly cos: CosClient,
    private readonly redis: SharedRedis | undefined,
    private readonly log: ReadinessLogger,
    private readonly clock: () => number = Date.now,
  ) {
    if (!options.startupChecks) {
      const skipped: ReadinessCheck = { state: 'skipped', reason: 'start-up checks are off (startupChecks: false, STARTUP_CHECKS=off)' };
      this.#sts = skipped;
      this.#bucket = skipped;
    }
  }

  /** What a ticket's STS call showed: a key issued, or STS out of reach. A refusal of one policy says nothing of the rest. */
  observeSts(outcome: StsOutcome, error?: unknown): void {
    if (!this.options.startupChecks || outcome === 'busy' || outcome === 'refused') return;
    this.#stsSeen = this.clock();
    this.#setSts(outcome === 'ok' ? { state: 'ok', checkedAt: at(this.#stsSeen) } : this.#stsFailure(error));
  }

  /** The checks as they stand, without running any. */
  report(): SignServerReadiness {
    const checks = { region: this.#region(), sts: this.#sts, bucket: this.#bucket, rateLimitStore: this.#rateLimitStore() };
    const ready = Object.values(checks).every((c) => c.state === 'ok' || c.state === 'skipped' || c.state === 'degraded');
    return { status: ready ? 'ready' : 'not-ready', ready, checks };
  }

  /** The checks after running those that are due (or all, with `fresh`). */
  async check(options: ReadinessOptions = {}): Promise<SignServerReadiness> {
    if (!this.options.startupChecks) return this.report();
    // A run in progress (the one at start) answers for this ask; its result is what a probe waits for.
    if (this.#running) await this.#running;
    if (options.fresh || this.#due()) await this.run();
    return this.report();
  }

  /** Runs the STS and bucket checks; callers at the same time share one run. */
  run(): Promise<void> {
    if (!this.options.startupChecks) return Promise.resolve();
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #due(): boolean {
    const now = this.clock();
    const failed = this.#sts.state !== 'ok' || this.#bucket.state !== 'ok';
    if (failed) return now - this.#lastRun >= RECHECK_MS;
    return now - Math.max(this.#lastRun, this.#stsSeen) >= REFRESH_MS;
  }

  async #run(): Promise<void> {
    const o = this.options;
    this.#lastRun = this.clock();
    const scope = cosResource({ region: o.region, bucket: o.bucket, key: '*' });
    let key: Awaited<ReturnType<StsClient['getFederationToken']>>;
    try {
      key = await this.sts.getFederationToken(
        policyOf({ effect: 'allow', action: ['name/cos:HeadBucket'], resource: [scope] }),
        CHECK_KEY_SECONDS,
      );
    } catch (e) {
      this.#setSts(this.#stsFailure(e));
      this.#setBucket({ state: 'pending', reason: 'needs a temporary key from STS first' });
      return;
    }
    this.#setSts({ state: 'ok', checkedAt: at(this.clock()) });
    this.#setBucket(await this.#headBucket({ secretId: key.tmpSecretId, secretKey: key.tmpSecretKey, sessionToken: key.sessionToken }));
  }

  async #headBucket(as: { secretId: string; secretKey: string; sessionToken: string }): Promise<ReadinessCheck> {
    const o = this.options;
    const checkedAt = at(this.clock());
    try {
      const r = await this.cos.send('HEAD', '', {}, undefined, {}, as);
      if (r.status === 200) return { state: 'ok', checkedAt };
      const where = `bucket ${o.bucket} at ${o.cosHost}`;
      if (r.status === 404) {
        return {
          state: 'failed',
          failure: 'refused',
          code: 'NoSuchBucket',
          checkedAt,
          reason: `${where} does not exist (HEAD answered 404): check PERSIST_BUCKET and PERSIST_BUCKET_REGION`,
        };
      }
      if (r.status === 403) {
        return {
          state: 'failed',
          failure: 'refused',
          code: 'AccessDenied',
          checkedAt,
          reason: `${where} refused a HEAD with a temporary key of COS_SECRET_ID (403): the bucket belongs to another account, or the key may not use it`,
        };
      }
      return {
        state: 'failed',
        failure: 'refused',
        code: `HTTP ${r.status}`,
        checkedAt,
        reason: `${where} answered a HEAD with HTTP ${r.status}`,
      };
    } catch (e) {
      const reason = e instanceof CosUpstreamError ? e.detail : (e as Error).message;
      const failure = e instanceof CosUpstreamError ? e.failure : undefined;
      return { state: 'failed', checkedAt, reason, ...(failure ? { failure: failure.kind, code: failure.code } : {}) };
    }
  }

  #stsFailure(e: unknown): ReadinessCheck {
    const checkedAt = at(this.clock());
    const outcome = stsOutcomeOf(e);
    const failure = outcome === 'ok' ? undefined : outcome;
    if (e instanceof StsUnreachableError) return { state: 'failed', failure, code: e.failure?.code, checkedAt, reason: e.detail };
    if (e instanceof StsUpstreamError) {
      return { state: 'failed', failure, ...(e.stsCode ? { code: e.stsCode } : {}), checkedAt, reason: `STS refused: ${e.detail}` };
    }
    if (e instanceof ServerError && e.code === 'SRV_ERR_STS_TIMEOUT') {
      return {
        state: 'failed',
        failure,
        checkedAt,
        reason: `no answer from ${this.options.stsEndpoint} within ${this.options.stsTimeoutMs} ms (STS_TIMEOUT_MS)`,
      };
    }
    return { state: 'failed', failure, checkedAt, reason: (e as Error)?.message ?? String(e) };
  }

  #setSts(next: ReadinessCheck): void {
    this.#announce('sts', this.#sts, next, 'STS', 'STS issued a temporary key with COS_SECRET_ID');
    this.#sts = next;
  }

  #setBucket(next: ReadinessCheck): void {
    this.#announce('bucket', this.#bucket, next, 'bucket', `a temporary key can HEAD bucket ${this.options.bucket}`);
    this.#bucket = next;
  }

  /** One log line per change of state (and per change of cause while failing), not one per run. */
  #announce(name: 'sts' | 'bucket', before: ReadinessCheck, next: ReadinessCheck, label: string, passed: string): void {
    if (next.state === 'ok' && before.state !== 'ok') this.log.info({ check: name }, `readiness check passed: ${passed}`);
    if (next.state !== 'failed' || (before.state === 'failed' && before.reason === next.reason)) return;
    const field = name === 'sts' ? 'sts' : 'cos';
    this.log.error(
      { check: name, [field]: next.reason, failure: next.failure ?? null, code: next.code ?? null },
      `readiness check failed: ${label}${next.failure ? ` (${next.failure})` : ''}`,
    );
  }

  #region(): ReadinessCheck {
    const { region, allowUnknownRegion } = this.options;
    if (isKnownRegion(region)) return { state: 'ok' };
    return allowUnknownRegion
      ? { state: 'ok', reason: `${region} is not in the list of COS regions; allowed by allowUnknownRegion` }
      : { state: 'failed', reason: `${region} is not a COS region` };
  }

  #rateLimitStore(): ReadinessCheck {
    if (!this.redis) return { state: 'skipped', reason: 'no redisUrl: limits are per instance' };
    // Degraded, not failed: the instance fails open to its own limits, and a Redis outage seen by every
    // instance at once must not take them all out of rotation.
    return this.redis.up
      ? { state: 'ok' }
      : { state: 'degraded', reason: 'redis is unreachable: rate limits and confirmations are per instance until it returns' };
  }
}
