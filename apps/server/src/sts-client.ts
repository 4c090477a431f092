import { request as httpsRequest } from 'node:https';
import { randomInt } from 'node:crypto';
import { signStsV1, type CamPolicy } from '@cos-direct/signer';
import { ServerError } from './errors.js';
import { describeNetworkFailure, type NetworkFailureKind, networkFailureOf } from './network-failure.js';

export interface TemporaryKey {
  tmpSecretId: string;
  tmpSecretKey: string;
  sessionToken: string;
  startTime: number;
  expiredTime: number;
}

export interface StsClientOptions {
  secretId: string;
  secretKey: string;
  /** host[:port] of the STS API; the request goes to https://<endpoint>/. */
  endpoint: string;
  region: string;
  /** Deadline of one call, queueing included; when it passes the request is aborted and its socket destroyed. */
  timeoutMs: number;
  /** Calls in flight towards STS at once. */
  concurrency: number;
  /** Calls that may wait for a free slot; beyond that a call fails at once with SRV_ERR_BUSY. */
  queueLimit: number;
  /** Unix seconds clock. */
  now: () => number;
  /** Told of every call's end, with its duration in seconds (queueing included). */
  onCall?: (outcome: StsOutcome, seconds: number, error?: unknown) => void;
}

/** STS answered with an error of its own; `detail` (its message, which can name the account) is for the log only. */
export class StsUpstreamError extends ServerError {
  constructor(
    readonly detail: string,
    /** STS's error code (AuthFailure.SecretIdNotFound…): safe to show, and what a person looks up. */
    readonly stsCode?: string,
  ) {
    super('SRV_ERR_STS_FAILED', stsCode ? `The STS service refused to issue a temporary key (${stsCode})` : undefined);
  }
}

/** STS could not be reached at all: its name, the connection or its certificate. */
export class StsUnreachableError extends ServerError {
  constructor(
    readonly detail: string,
    /** What failed (DNS, the connection, TLS) and the socket error's code (ENOTFOUND…). */
    readonly failure?: { kind: NetworkFailureKind; code: string },
  ) {
    super('SRV_ERR_STS_UNREACHABLE', `The STS service could not be reached: ${detail}`);
  }
}

/** How one STS call ended, for metrics and readiness: `refused` is an error answer of STS itself. */
export type StsOutcome = 'ok' | 'refused' | 'timeout' | 'busy' | NetworkFailureKind;

/** The outcome of a failed call, by the error it ended with. */
export function stsOutcomeOf(error: unknown): StsOutcome {
  if (error instanceof StsUnreachableError) return error.failure?.kind ?? 'connect';
  if (error instanceof ServerError && error.code === 'SRV_ERR_STS_TIMEOUT') return 'timeout';
  if (error instanceof ServerError && error.code === 'SRV_ERR_BUSY') return 'busy';
  return 'refused';
}

/**
 * GetFederationToken, the request the official qcloud-cos-sts SDK sends (API v1, HmacSHA1 over
 * "POST<host>/?<sorted params>", the policy percent-encoded inside the form), made here so that each
 * call has a deadline that really ends it: the SDK's axios request cannot be aborted, so a timed-out
 * call used to keep its socket. Upstream messages go to the log only: they can name the account.
 *
 * Calls are bounded twice: at most `concurrency` in flight, at most `queueLimit` waiting; a full queue
 * answers 503 with Retry-After at once instead of piling more sockets on a slow STS.
 */
export class StsClient {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly options: StsClientOptions) {}

  /** In flight and queued, for tests and metrics. */
  get load(): { active: number; waiting: number } {
    return { active: this.#active, waiting: this.#waiting.length };
  }

  async getFederationToken(policy: CamPolicy, durationSeconds: number): Promise<TemporaryKey> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const key = await this.#deadline(policy, durationSeconds);
      this.options.onCall?.('ok', seconds());
      return key;
    } catch (e) {
      this.options.onCall?.(stsOutcomeOf(e), seconds(), e);
      throw e;
    }
  }

  async #deadline(policy: CamPolicy, durationSeconds: number): Promise<TemporaryKey> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new ServerError('SRV_ERR_STS_TIMEOUT')), this.options.timeoutMs);
    try {
      await this.#acquire(controller.signal);
      try {
        return await this.#call(policy, durationSeconds, controller.signal);
      } finally {
        this.#release();
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #acquire(signal: AbortSignal): Promise<void> {
    if (this.#active < this.options.concurrency) {
      this.#active++;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.options.queueLimit) {
      return Promise.reject(
        new ServerError('SRV_ERR_BUSY', `${this.#active} STS calls in flight and ${this.#waiting.length} waiting; try again shortly`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.#active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal.reason);
      };
      this.#waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.();
  }

  #call(policy: CamPolicy, durationSeconds: number, signal: AbortSignal): Promise<TemporaryKey> {
    const o = this.options;
    const params: Record<string, string | number> = {
      Action: 'GetFederationToken',
      DurationSeconds: durationSeconds,
      Name: 'cos-direct-server',
      Nonce: randomInt(10000, 2 ** 31),
      Policy: encodeURIComponent(JSON.stringify(policy)),
      Region: o.region,
      SecretId: o.secretId,
      Timestamp: o.now(),
      Version: '2018-08-13',
    };
    params.Signature = signStsV1(params, o.secretKey, { host: o.endpoint });
    const body = Object.entries(params)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const [hostname, port] = splitHost(o.endpoint);
    return new Promise<TemporaryKey>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const req = httpsRequest(
        {
          hostname,
          port,
          path: '/',
          method: 'POST',
          signal,
          headers: {
            host: o.endpoint,
            accept: 'application/json',
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > 64 * 1024) req.destroy(new StsUpstreamError('the STS answer is larger than 64 KiB'));
            else chunks.push(c);
          });
          res.on('end', () => {
            try {
              resolve(parseAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), durationSeconds));
            } catch (e) {
              reject(e);
            }
          });
          res.on('error', (e) => reject(wrap(e, signal, o.endpoint)));
        },
      );
      req.on('error', (e) => reject(wrap(e, signal, o.endpoint)));
      req.end(body);
    });
  }
}

function splitHost(endpoint: string): [string, number | undefined] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(endpoint);
  const host = m?.[1] ?? endpoint;
  return [host.startsWith('[') ? host.slice(1, -1) : host, m?.[2] ? Number(m[2]) : undefined];
}

function wrap(e: unknown, signal: AbortSignal, endpoint: string): ServerError {
  if (signal.aborted && signal.reason instanceof ServerError) return signal.reason;
  if (e instanceof ServerError) return e;
  const failure = networkFailureOf(e);
  if (failure) return new StsUnreachableError(describeNetworkFailure(endpoint, failure, 'STS_ENDPOINT'), failure);
  const o = e as { code?: string; message?: string };
  return new StsUpstreamError(`${o?.code ?? 'error'}: ${o?.message ?? String(e)}`);
}

function parseAnswer(status: number, text: string, durationSeconds: number): TemporaryKey {
  let answer: {
    Response?: {
      Error?: { Code?: string; Message?: string };
      Credentials?: { TmpSecretId?: string; TmpSecretKey?: string; Token?: string };
      ExpiredTime?: number;
      RequestId?: string;
    };
  };
  try {
    answer = JSON.parse(text);
  } catch {
    throw new StsUpstreamError(`HTTP ${status}, not JSON: ${text.slice(0, 200)}`);
  }
  const r = answer?.Response;
  if (r?.Error) {
    throw new StsUpstreamError(`${r.Error.Code ?? 'error'}: ${r.Error.Message ?? ''} (RequestId ${r.RequestId ?? '?'})`, r.Error.Code);
  }
  const c = r?.Credentials;
  if (!c?.TmpSecretId || !c.TmpSecretKey || !c.Token || !Number.isInteger(r?.ExpiredTime)) {
    throw new StsUpstreamError(`HTTP ${status}: the STS answer has no credentials`);
  }
  const expiredTime = r!.ExpiredTime!;
  return {
    tmpSecretId: c.TmpSecretId,
    tmpSecretKey: c.TmpSecretKey,
    sessionToken: c.Token,
    startTime: expiredTime - durationSeconds,
    expiredTime,
  };
}
