import type { MultipartRefresh, SignServerReadiness } from '@cos-direct/protocol';
import { COS_LIMITS } from '@cos-direct/signer';
import { authenticatorOf } from './auth.js';
import {
  type AppRequest,
  type Authenticate,
  type ConfirmedUpload,
  type ResolvedServerOptions,
  resolveOptions,
  type ServerOptions,
} from './config/index.js';
import { type ConfirmOutcome, ConfirmTokens, UploadConfirmer } from './confirm.js';
import { MemoryConfirmations, RedisConfirmations } from './confirmations.js';
import { isKnownRegion } from './config/regions.js';
import { CosClient, CosUpstreamError } from './cos-client.js';
import { ServerError } from './errors.js';
import { checkExtension, checkKeyFolder } from './keys.js';
import { METRICS_CONTENT_TYPE, outcomeOf, ServerMetrics } from './metrics.js';
import { Readiness, type ReadinessOptions } from './readiness.js';
import { SharedRedis } from './redis.js';
import { StsClient, StsUnreachableError, StsUpstreamError } from './sts-client.js';
import { Thumbnails } from './thumbnails.js';
import {
  type DirectTicket,
  type MultipartTicket,
  type PostPolicyTicket,
  sendsHeadersOf,
  type TicketScope,
  TicketService,
} from './tickets.js';

/** The part of a pino logger the core writes to; any pino instance (Fastify's own included) fits. */
export interface CoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silent: CoreLogger = { info() {}, warn() {}, error() {} };

/** Who asks, as the app's own authentication decided, and the request it came with. */
export interface Caller {
  /** What the app's `authenticate` returned (a user id, or an object with `id`, `sub` or `subject`). */
  user?: unknown;
  /** The framework's request, handed on to `keyFolder` and `onUploadConfirmed` as it is. */
  request?: AppRequest;
  /** Where this call's log lines go instead of the core's logger (a request's own child logger). */
  log?: CoreLogger;
}

export interface TicketInput extends Caller {
  /** The file's extension, without the dot; checked against `allowedExtensions`. */
  ext: unknown;
  /**
   * The file's type, when the client knows it: it must be one of the types the extension's tickets allow
   * (`contentTypes`), and the ticket then allows only it (400 `SRV_ERR_INVALID_CONTENT_TYPE` otherwise).
   */
  contentType?: unknown;
}

export interface DirectInput extends TicketInput {
  /** `1`/`true` from a client that sends the ticket's `headers` (then `x-cos-forbid-overwrite` is signed); absent for the seed's. */
  sendsHeaders?: unknown;
}

export interface MultipartInput extends TicketInput {
  /** The whole file's size in bytes: a number, or its decimal digits. */
  size: unknown;
}

export interface ConfirmInput extends Caller {
  confirmToken: unknown;
}

export interface CompleteInput extends ConfirmInput {
  uploadId: unknown;
}

/** What a page can check before it asks for a ticket. */
export interface Limits {
  allowedExtensions: string[];
  maxSize: number | null;
  maxMultipartSize: number;
  enforceContentType: boolean;
}

export type TicketKind = 'direct' | 'post' | 'multipart';

/**
 * A user's id in what `authenticate` returned: a string or number itself, or the `id`, `sub` or
 * `subject` of an object. Nothing (anonymous, or a bearer token shared by many) without one.
 */
export function callerIdOf(user: unknown): string | undefined {
  const id = (v: unknown) => ((typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v)) ? String(v) : undefined);
  if (typeof user !== 'object' || user === null) return id(user);
  const u = user as Record<string, unknown>;
  return id(u.id) ?? id(u.sub) ?? id(u.subject);
}

export interface CosDirectSetup {
  /** Where warnings, upstream failures and the audit lines go; nothing is logged without one. */
  log?: CoreLogger;
}

/**
 * The sign server without HTTP: every kind of ticket and confirmation from plain inputs, with the same
 * answers (the `data` of each route) and the same policies as the routes. The adapters (Fastify plugin,
 * Node middleware, fetch handler) are thin layers over one of these; an app can also call it from a
 * route of its own, after its own authentication.
 */
export class CosDirect {
  readonly options: Readonly<ResolvedServerOptions>;
  /** The authentication the options configure (hook, JWT or bearer tokens), or none. */
  readonly authenticator: Authenticate | undefined;
  readonly #log: CoreLogger;
  readonly #tickets: TicketService;
  readonly #confirmer: UploadConfirmer;
  readonly #redis: SharedRedis | undefined;
  readonly #metrics = new ServerMetrics();
  readonly #readiness: Readiness;

  constructor(options: ServerOptions | Readonly<ResolvedServerOptions>, setup: CosDirectSetup = {}) {
    // Options from resolveOptions or loadConfig are used as they are; anything else is validated here, once.
    const o = resolveOptions(options);
    this.options = o;
    const log = setup.log ?? silent;
    this.#log = log;
    const sts = new StsClient({
      secretId: o.secretId,
      secretKey: o.secretKey,
      endpoint: o.stsEndpoint,
      region: o.region,
      timeoutMs: o.stsTimeoutMs,
      concurrency: o.stsConcurrency,
      queueLimit: o.stsQueueLimit,
      now: o.now,
      onCall: (outcome, seconds, error) => {
        this.#metrics.stsCall(outcome, seconds);
        this.#readiness.observeSts(outcome, error);
      },
    });
    const tokens = new ConfirmTokens(o.secretKey);
    this.#tickets = new TicketService(
      o,
      sts,
      tokens,
      (e) => log.warn({ sts: upstreamDetail(e) ?? (e as Error).message }, 'refreshing a shared ticket key failed; retrying on demand'),
      (hit) => this.#metrics.keyLookup(hit),
    );
    this.#redis = o.redisUrl
      ? new SharedRedis(o.redisUrl, { warn: (obj, msg) => log.warn(obj, msg), info: (msg) => log.info({}, msg) })
      : undefined;
    const memory = new MemoryConfirmations(o.now);
    const cos = new CosClient({ ...o, timeoutMs: Math.max(o.stsTimeoutMs, 10_000) });
    this.#confirmer = new UploadConfirmer(
      o,
      cos,
      tokens,
      this.#redis ? new RedisConfirmations(this.#redis, memory) : memory,
      o.thumbnailRule ? new Thumbnails(cos, o.thumbnailRule, o.thumbnailSuffix) : undefined,
    );
    this.#readiness = new Readiness(o, sts, cos, this.#redis, log);
    this.authenticator = authenticatorOf(o);
    if (!isKnownRegion(o.region)) {
      log.warn({ region: o.region }, `region ${o.region} is not in the list of COS regions; allowed by allowUnknownRegion`);
    }
  }

  /**
   * Whether this instance can issue tickets, check by check (region, STS, bucket, rate-limit store), for
   * an app's own readiness route: answer 200 when `ready`, 503 otherwise. The STS and bucket checks run
   * on the first call, again while they fail (at most every 5 s), and after 5 minutes without a ticket's
   * STS call to vouch for them; `fresh` runs them now.
   */
  checkReadiness(options?: ReadinessOptions): Promise<SignServerReadiness> {
    return this.#readiness.check(options);
  }

  /** The readiness checks as they last ran, without running any (for a liveness answer's detail). */
  readinessReport(): SignServerReadiness {
    return this.#readiness.report();
  }

  /** Counters of tickets, confirmations, STS calls and the shared key cache, in Prometheus text format. */
  metrics(): Promise<string> {
    return this.#metrics.text();
  }

  /** The Content-Type to answer `metrics()`'s text with. */
  get metricsContentType(): string {
    return METRICS_CONTENT_TYPE;
  }

  /** The Redis connection the instances share, when `redisUrl` is set (the adapters' rate limits count in it). */
  get redis(): SharedRedis | undefined {
    return this.#redis;
  }

  /** Why this instance cannot enforce what it promises across instances right now, if it cannot. */
  degraded(): string | undefined {
    return this.#redis && !this.#redis.up ? 'redis is unreachable: rate limits and confirmations are per instance' : undefined;
  }

  limits(): Limits {
    const o = this.options;
    return {
      allowedExtensions: [...o.allowedExtensions],
      maxSize: o.maxSize ?? null,
      maxMultipartSize: o.maxMultipartSize,
      enforceContentType: o.enforceContentType,
    };
  }

  /** The seed's ticket: a signed PUT of one new key. */
  async direct(input: DirectInput): Promise<DirectTicket> {
    const sendsHeaders = sendsHeadersOf(input.sendsHeaders);
    return this.#issue('direct', input, (scope) => this.#tickets.direct(input.ext, scope, sendsHeaders));
  }

  /** Form fields for a browser POST Object upload of one new key. */
  postPolicy(input: TicketInput): Promise<PostPolicyTicket> {
    return this.#issue('post', input, (scope) => this.#tickets.postPolicy(input.ext, scope));
  }

  /** A temporary key for one multipart upload of one new key, within `size`. */
  multipart(input: MultipartInput): Promise<MultipartTicket> {
    const size = typeof input.size === 'number' ? String(input.size) : input.size;
    return this.#issue('multipart', input, (scope) => this.#tickets.multipart(input.ext, size, scope));
  }

  /**
   * A new temporary key for a multipart upload in progress (its key about to expire): for the user the
   * ticket went to, while the upload is neither completed nor older than `maxUploadSeconds`.
   */
  async refreshMultipart(input: CompleteInput): Promise<MultipartRefresh> {
    const log = input.log ?? this.#log;
    try {
      const claim = await this.#confirmer.checkRefresh(input.confirmToken, input.uploadId, callerIdOf(input.user));
      const refreshed = await this.#tickets.refreshMultipart(claim);
      log.info({ audit: { kind: 'multipart-refresh', key: claim.k, caller: callerIdOf(input.user) ?? null } }, 'ticket key refreshed');
      this.#metrics.ticket('multipart-refresh', 'ok');
      return refreshed;
    } catch (e) {
      this.#metrics.ticket('multipart-refresh', outcomeOf(e));
      this.#logUpstream(log, e);
      throw e;
    }
  }

  /**
   * Checks with the server's own key what a direct or POST ticket wrote, and reports it once to the app.
   * A ticket issued to a user (its `user` had an id) is confirmed only for that same user.
   */
  async confirm(input: ConfirmInput): Promise<ConfirmedUpload> {
    return this.#confirmed(input, 'confirm', () => this.#confirmer.confirm(input.confirmToken, callerIdOf(input.user)));
  }

  /** Completes a multipart upload within its ticket's size, and reports it once to the app. */
  async completeMultipart(input: CompleteInput): Promise<ConfirmedUpload> {
    return this.#confirmed(input, 'complete', () =>
      this.#confirmer.completeMultipart(input.confirmToken, input.uploadId, callerIdOf(input.user)),
    );
  }

  /**
   * Whether COS still holds the object an upload confirmed (as `onUploadConfirmed` got it): answers it
   * while the ETag and size are the same, throws SRV_ERR_OBJECT_CHANGED once they are not. For an upload
   * with `replaceableUntil`, a check after that time (and after a PUT started just before it could end) is final.
   */
  async checkConfirmed(upload: ConfirmedUpload, log: CoreLogger = this.#log): Promise<ConfirmedUpload> {
    try {
      return await this.#confirmer.check(upload);
    } catch (e) {
      this.#logUpstream(log, e);
      throw e;
    }
  }

  /** Runs the configured authentication on a request; what it returns is the caller's `user`. */
  async authenticate(request: AppRequest, log: CoreLogger = this.#log): Promise<unknown> {
    if (!this.authenticator) return undefined;
    try {
      return await this.authenticator(request);
    } catch (e) {
      if (e instanceof ServerError) throw e;
      // Anything else the app's hook throws may say more than a caller should learn (a database error, a
      // user's state): it is logged, and the caller gets the stable 401 with the default message.
      log.warn({ err: { message: e instanceof Error ? e.message : String(e) } }, 'authenticate refused the request');
      throw new ServerError('SRV_ERR_UNAUTHENTICATED');
    }
  }

  async close(): Promise<void> {
    await this.#redis?.close();
  }

  async #issue<T extends { cosKey: string }>(kind: TicketKind, input: TicketInput, issue: (scope: TicketScope) => Promise<T>): Promise<T> {
    const log = input.log ?? this.#log;
    try {
      const o = this.options;
      let folder = '';
      if (o.keyFolder) {
        const ext = checkExtension(input.ext, o.allowedExtensions);
        const chosen = await o.keyFolder({ user: input.user, request: input.request, ext, kind });
        folder = checkKeyFolder(chosen, o.keyPrefix, COS_LIMITS.maxKeyBytes);
      }
      const ticket = await issue({ folder, caller: callerIdOf(input.user), contentType: input.contentType });
      // The audit trail: who took a ticket for which key. A ticket's signatures and keys never go in it.
      log.info({ audit: { kind, key: ticket.cosKey, caller: callerIdOf(input.user) ?? null } }, 'ticket issued');
      this.#metrics.ticket(kind, 'ok');
      return ticket;
    } catch (e) {
      this.#metrics.ticket(kind, outcomeOf(e));
      this.#logUpstream(log, e);
      if (e instanceof ServerError && e.code === 'SRV_ERR_INVALID_KEY_FOLDER') log.error({ code: e.code }, e.message);
      throw e;
    }
  }

  async #confirmed(input: ConfirmInput, kind: 'confirm' | 'complete', run: () => Promise<ConfirmOutcome>): Promise<ConfirmedUpload> {
    const log = input.log ?? this.#log;
    let outcome: ConfirmOutcome;
    try {
      outcome = await run();
    } catch (e) {
      this.#metrics.confirmation(kind, outcomeOf(e));
      this.#logUpstream(log, e);
      throw e;
    }
    this.#metrics.confirmation(kind, 'ok');
    log.info(
      { audit: { kind, key: outcome.upload.key, caller: callerIdOf(input.user) ?? null, first: outcome.first } },
      'upload confirmed',
    );
    const thumbnail = outcome.upload.thumbnail;
    if (outcome.first && thumbnail && 'error' in thumbnail) {
      log.warn({ key: outcome.upload.key, thumbnail: thumbnail.error }, 'COS made no thumbnail of the upload');
    }
    const upload = await this.#withThumbnailUrl(outcome.upload, log);
    // The app hears of each confirmed object once; when its hook fails the record is dropped again, so the
    // client's retry gets another chance to have it recorded.
    if (!outcome.first) return upload;
    try {
      await this.options.onUploadConfirmed?.(upload, input.request, input.user);
    } catch (e) {
      await this.#confirmer.release(outcome.upload);
      throw e;
    }
    return upload;
  }

  /**
   * A presigned GET of the thumbnail, signed per answer (never recorded: it expires). Like the copy itself,
   * it never fails the confirmation: when STS cannot sign it, the answer goes without it and the log says why.
   */
  async #withThumbnailUrl(upload: ConfirmedUpload, log: CoreLogger): Promise<ConfirmedUpload> {
    const thumbnail = upload.thumbnail;
    if (!thumbnail || 'error' in thumbnail || this.options.downloadUrlSeconds === undefined) return upload;
    try {
      const { downloadUrl } = await this.#tickets.downloadUrl(thumbnail.key, this.options.now());
      return { ...upload, thumbnail: { ...thumbnail, ...(downloadUrl ? { downloadUrl } : {}) } };
    } catch (e) {
      log.warn({ key: thumbnail.key, err: upstreamDetail(e) ?? (e as Error).message }, 'the thumbnail was answered without a download URL');
      return upload;
    }
  }

  /** The log line of an upstream failure, with its cause: what STS or COS answered, or how reaching them failed. */
  #logUpstream(log: CoreLogger, e: unknown): void {
    if (e instanceof StsUpstreamError) log.error({ sts: e.detail, code: e.stsCode ?? null }, 'STS refused to issue a temporary key');
    else if (e instanceof StsUnreachableError) {
      log.error({ sts: e.detail, failure: e.failure?.kind ?? null, code: e.failure?.code ?? null }, 'STS could not be reached');
    } else if (e instanceof ServerError && e.code === 'SRV_ERR_STS_TIMEOUT') {
      const o = this.options;
      log.error(
        { sts: `no answer from ${o.stsEndpoint} within ${o.stsTimeoutMs} ms (STS_TIMEOUT_MS)`, failure: 'timeout' },
        'STS did not answer in time',
      );
    } else if (e instanceof CosUpstreamError) {
      if (e.failure) log.error({ cos: e.detail, failure: e.failure.kind, code: e.failure.code }, 'COS could not be reached');
      else log.error({ cos: e.detail }, 'COS refused a request of the server');
    }
  }
}

function upstreamDetail(e: unknown): string | undefined {
  return e instanceof StsUpstreamError || e instanceof StsUnreachableError ? e.detail : undefined;
}

/** The core, from options as the routes take them. */
export function createCosDirect(options: ServerOptions | Readonly<ResolvedServerOptions>, setup?: CosDirectSetup): CosDirect {
  return new CosDirect(options, setup);
}
