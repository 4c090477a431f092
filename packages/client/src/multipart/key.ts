import type { MultipartRefresh } from '@cos-direct/protocol';
import { CosDirectError } from '../errors.js';
import { isExpiry } from '../responses.js';
import type { ResumeState, TemporaryCredentials, TicketSource } from '../types.js';
import type { UploadRequest } from './requests.js';

// A part never starts with less key left than this, nor than the time a part takes at the speed seen so far.
const MIN_MARGIN_SECONDS = 60;
// Parts measured for the speed: the slowest recent one (per byte) stands for the next.
const SAMPLES = 8;
// A request refused for an expired key is sent again at most this often, each time with a new key.
const MAX_RENEWALS = 2;

const nowSeconds = () => Date.now() / 1000;

/**
 * The temporary key of one multipart upload, renewed for the same upload before it runs out. It lives on
 * the upload's state (credentials, startTime, expiredTime), which the requests sign with at each attempt.
 *
 * The server's clock decides expiry, so the key's `startTime` (the server's time when it was issued) gives
 * the skew between that clock and this one. Renewals are single-flight: parts in flight that find the
 * key expired wait for one new key, and a part whose key was already replaced is only sent again.
 */
export class UploadKey {
  readonly #state: ResumeState;
  readonly #refresh: (() => Promise<MultipartRefresh>) | undefined;
  #skew = 0;
  #renewing: Promise<void> | undefined;
  readonly #secondsPerByte: number[] = [];

  constructor(state: ResumeState, tickets: TicketSource) {
    this.#state = state;
    const { refresh } = tickets;
    const usable = refresh && (!tickets.refreshNeedsToken || state.confirmToken);
    this.#refresh = usable
      ? () =>
          refresh({ cosKey: state.cosKey, uploadId: state.uploadId, ...(state.confirmToken ? { confirmToken: state.confirmToken } : {}) })
      : undefined;
  }

  get canRefresh(): boolean {
    return this.#refresh !== undefined;
  }

  /** The key to sign with now. */
  get credentials(): TemporaryCredentials {
    const c = this.#state.credentials;
    if (!c) throw new CosDirectError('CLIENT_ERR_TICKET_EXPIRED', 'the saved upload has no key and none can be refreshed');
    return c;
  }

  /** Seconds the key has left by the server's clock (0 without a key). */
  secondsLeft(): number {
    const { credentials, expiredTime } = this.#state;
    if (!credentials || expiredTime === undefined) return 0;
    return expiredTime - (nowSeconds() + this.#skew);
  }

  /** The time a body of `bytes` should take at the slowest recent speed, in seconds. */
  #sendSeconds(bytes: number): number {
    return bytes * Math.max(0, ...this.#secondsPerByte);
  }

  /**
   * The margin before expiry under which a request does not start with this key: 60 s or a part's time,
   * whichever is larger, but at most half the key's life, or a short-lived key would be renewed always.
   */
  #margin(bytes: number): number {
    const { startTime, expiredTime } = this.#state;
    const margin = Math.max(MIN_MARGIN_SECONDS, this.#sendSeconds(bytes) * 1.5);
    return startTime !== undefined && expiredTime !== undefined ? Math.min(margin, (expiredTime - startTime) / 2) : margin;
  }

  /** Renews the key first when it will not last through a request with a body of `bytes`. */
  async ready(bytes: number): Promise<void> {
    if (this.#refresh && this.secondsLeft() < this.#margin(bytes)) await this.renew(this.#state.credentials);
  }

  /** Records how long a request with a body took, for the margin. */
  observe(bytes: number, ms: number): void {
    if (bytes <= 0) return;
    this.#secondsPerByte.push(ms / 1000 / bytes);
    if (this.#secondsPerByte.length > SAMPLES) this.#secondsPerByte.shift();
  }

  /** A new key, unless the one `used` was already replaced since (then the request only goes again). */
  renew(used: TemporaryCredentials | undefined): Promise<void> {
    if (!this.#refresh) return Promise.reject(new CosDirectError('CLIENT_ERR_TICKET_EXPIRED', 'the temporary key cannot be refreshed'));
    if (used !== undefined && this.#state.credentials !== used) return Promise.resolve();
    this.#renewing ??= this.#refresh()
      .then((fresh) => {
        this.#state.credentials = fresh.credentials;
        this.#state.expiredTime = fresh.expiredTime;
        if (Number.isSafeInteger(fresh.startTime)) {
          this.#state.startTime = fresh.startTime;
          this.#skew = fresh.startTime - nowSeconds();
        }
      })
      .finally(() => {
        this.#renewing = undefined;
      });
    return this.#renewing;
  }

  /** The key a fresh ticket came with: its startTime sets the skew. */
  adopt(startTime: number | undefined): void {
    if (startTime !== undefined && Number.isSafeInteger(startTime)) this.#skew = startTime - nowSeconds();
  }

  /**
   * The upload's requests with a key that lasts: renewed before a request when it is about to run out,
   * and after a refusal for an expired key (then the request is sent again, with the new key).
   */
  wrap(request: UploadRequest): UploadRequest {
    return async (req) => {
      for (let renewals = 0; ; renewals++) {
        await this.ready(req.bodySize ?? 0);
        const used = this.#state.credentials;
        const started = Date.now();
        try {
          const res = await request(req);
          this.observe(req.bodySize ?? 0, Date.now() - started);
          return res;
        } catch (e) {
          if (!isExpiry(e) || !this.#refresh || renewals >= MAX_RENEWALS || req.signal?.aborted) throw e;
          await this.renew(used);
        }
      }
    };
  }
}
