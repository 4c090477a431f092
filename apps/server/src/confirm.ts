import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ConfirmedUpload, ResolvedServerOptions } from './config/index.js';
import { type CosAnswer, type CosClient, CosUpstreamError, xmlValue } from './cos-client.js';
import type { Confirmation, Confirmations } from './confirmations.js';
import { ServerError } from './errors.js';
import type { Thumbnails } from './thumbnails.js';

type Kind = ConfirmedUpload['kind'];

interface Claim {
  /** The object key the ticket named. */
  k: string;
  t: Kind;
  /** Largest object the ticket allows, when it has a limit. */
  s?: number;
  /** Unix seconds after which the token is refused. */
  e: number;
  /** Unix seconds until which the ticket can write another object at the key; absent when COS refuses that. */
  w?: number;
  /** Multipart: unix seconds after which the upload gets no new key. */
  r?: number;
  /** Multipart: the type the client named for its ticket (the only one its keys allow). */
  c?: string;
  /** The tag (see callerTag) of the user the ticket was issued to, when authentication named one: only they may confirm or refresh. */
  u?: string;
}

/** A user id as a token carries it: hashed, so a token read from a browser's storage names nobody. */
export function callerTag(id: string): string {
  return createHash('sha256').update(`cos-direct caller ${id}`).digest('base64url').slice(0, 22);
}

/**
 * `confirmToken`: what a ticket lets its holder ask the server afterwards (confirm this key, complete
 * this multipart upload within this size), authenticated with a key derived from the server's secret,
 * so the server needs no state and the holder cannot name another key or a larger size.
 */
export type { Claim as ConfirmClaim };

export class ConfirmTokens {
  readonly #key: Buffer;

  constructor(secretKey: string) {
    this.#key = createHmac('sha256', secretKey).update('cos-direct confirm token v1').digest();
  }

  issue(claim: Claim): string {
    const body = Buffer.from(JSON.stringify(claim)).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  verify(token: unknown, kinds: readonly Kind[], now: number, caller: string | undefined): Claim {
    const bad = (why: string) => new ServerError('SRV_ERR_INVALID_CONFIRM_TOKEN', `confirmToken ${why}`);
    if (typeof token !== 'string' || token.length > 2048) throw bad('is missing');
    const [body, mac] = token.split('.');
    if (!body || !mac) throw bad('is malformed');
    const expected = Buffer.from(this.#mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad('was not issued by this server');
    const claim = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claim;
    if (claim.e < now) throw bad('has expired');
    if (!kinds.includes(claim.t)) throw bad(`belongs to a ${claim.t} ticket`);
    // Another user's token would let them learn of, and record as theirs, an object they never uploaded.
    if (claim.u !== undefined && (caller === undefined || claim.u !== callerTag(caller))) {
      throw new ServerError('SRV_ERR_FORBIDDEN', 'the confirmToken was issued to another user');
    }
    return claim;
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}

interface Part {
  number: number;
  etag: string;
  size: number;
}

const cosFailure = (what: string, r: CosAnswer) =>
  new CosUpstreamError(`${what}: HTTP ${r.status} ${xmlValue(r.text, 'Code') ?? ''} ${xmlValue(r.text, 'Message') ?? ''}`.trim());

/** A confirmation as the routes use it: `first` when this call made it (then the app's hook runs). */
export interface ConfirmOutcome {
  upload: ConfirmedUpload;
  first: boolean;
}

/**
 * Confirms uploads with the server's own key: HEAD for single requests, list-check-complete for
 * multipart. Each ticket is confirmed once: its first confirmation is recorded, a later call answers
 * that one while the object is unchanged, and refuses once it is not.
 */
export class UploadConfirmer {
  constructor(
    private readonly options: ResolvedServerOptions,
    private readonly cos: CosClient,
    readonly tokens: ConfirmTokens,
    private readonly confirmations: Confirmations,
    private readonly thumbnails?: Thumbnails,
  ) {}

  /** The object a direct or POST ticket named, as COS stores it now. */
  async confirm(token: unknown, caller: string | undefined): Promise<ConfirmOutcome> {
    const claim = this.tokens.verify(token, ['direct', 'post'], this.options.now(), caller);
    const before = await this.confirmations.get(claim.k);
    if (before) return this.#again(claim, before);
    return this.#record(claim, { upload: await this.#head(claim) });
  }

  /**
   * Lists the parts of `uploadId`; when their total exceeds what the ticket allows, aborts the upload
   * and refuses; otherwise completes it with exactly the listed parts and HEADs the result. A ticket
   * completes one upload: once it has, the same call answers that completion, and another upload of
   * its key is aborted and refused.
   */
  async completeMultipart(token: unknown, uploadId: unknown, caller: string | undefined): Promise<ConfirmOutcome> {
    const claim = this.tokens.verify(token, ['multipart'], this.options.now(), caller);
    if (typeof uploadId !== 'string' || !/^[A-Za-z0-9._~+/=-]{1,256}$/.test(uploadId)) {
      throw new ServerError('SRV_ERR_BAD_REQUEST', 'uploadId is missing or malformed');
    }
    const before = await this.confirmations.get(claim.k);
    if (before && before.uploadId !== uploadId) return this.#alreadyCompleted(claim, uploadId);
    if (before) return this.#again(claim, before);
    const parts = await this.#listParts(claim.k, uploadId);
    // A retry whose first answer was lost finds the upload gone: completed, if the key now holds an object.
    if (parts === undefined) return this.#record(claim, { upload: await this.#completedBefore(claim), uploadId });
    const total = parts.reduce((sum, p) => sum + p.size, 0);
    if (claim.s !== undefined && total > claim.s) {
      await this.#abort(claim.k, uploadId);
      throw new ServerError(
        'SRV_ERR_UPLOAD_TOO_LARGE',
        `the parts total ${total} bytes; the ticket allows ${claim.s}; the upload was aborted`,
      );
    }
    if (parts.length === 0) throw new ServerError('SRV_ERR_NOT_UPLOADED', 'the multipart upload has no parts');
    const body =
      '<CompleteMultipartUpload>' +
      parts.map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    // COS itself refuses to replace an object at the key, which holds even where no record is shared
    // (another instance without Redis completed the first upload).
    const done = await this.cos.send('POST', claim.k, { uploadId }, body, { 'x-cos-forbid-overwrite': 'true' });
    if (done.status === 409 && xmlValue(done.text, 'Code') === 'FileAlreadyExists') return this.#alreadyCompleted(claim, uploadId);
    // COS can answer 200 and still fail in the body.
    if (done.status !== 200 || xmlValue(done.text, 'Code')) throw cosFailure('Complete Multipart Upload', done);
    return this.#record(claim, { upload: await this.#head(claim), uploadId });
  }

  /**
   * Whether a multipart ticket's upload may get a new key: the token is this server's and its refresh
   * window is open, the caller is the one the ticket went to, the ticket completed nothing yet, and COS
   * holds `uploadId` for the ticket's key (an id of another key, or an aborted one, gets nothing).
   */
  async checkRefresh(token: unknown, uploadId: unknown, callerId: string | undefined): Promise<Claim> {
    const now = this.options.now();
    const claim = this.tokens.verify(token, ['multipart'], now, callerId);
    if (typeof uploadId !== 'string' || !/^[A-Za-z0-9._~+/=-]{1,256}$/.test(uploadId)) {
      throw new ServerError('SRV_ERR_BAD_REQUEST', 'uploadId is missing or malformed');
    }
    if (claim.r === undefined) {
      throw new ServerError('SRV_ERR_INVALID_CONFIRM_TOKEN', 'confirmToken was issued before keys could be refreshed');
    }
    if (now > claim.r) {
      throw new ServerError('SRV_ERR_INVALID_CONFIRM_TOKEN', 'confirmToken no longer refreshes: the upload has run longer than allowed');
    }
    if (await this.confirmations.get(claim.k)) {
      throw new ServerError('SRV_ERR_ALREADY_COMPLETED', `the ticket for ${claim.k} already completed an upload`);
    }
    const r = await this.cos.send('GET', claim.k, { uploadId, 'max-parts': '1' });
    if (r.status === 404 && xmlValue(r.text, 'Code') === 'NoSuchUpload') {
      throw new ServerError('SRV_ERR_NOT_UPLOADED', `no multipart upload ${uploadId} of ${claim.k} (completed, aborted or never started)`);
    }
    if (r.status !== 200) throw cosFailure('List Parts', r);
    return claim;
  }

  /**
   * Records the first confirmation of the ticket, unless a concurrent call did first. The thumbnail is
   * made before, so that it is part of the record and a later call answers the same one.
   */
  async #record(claim: Claim, made: Confirmation): Promise<ConfirmOutcome> {
    const thumbnail = await this.thumbnails?.make(made.upload);
    const confirmation = thumbnail ? { ...made, upload: { ...made.upload, thumbnail } } : made;
    const ttl = claim.e - this.options.now();
    const raced = await this.confirmations.claim(claim.k, confirmation, ttl);
    if (raced) return this.#again(claim, raced, confirmation.upload);
    return { upload: confirmation.upload, first: true };
  }

  /** A confirmed object, as long as COS still holds it (same ETag and size); SRV_ERR_OBJECT_CHANGED once it does not. */
  async check(upload: ConfirmedUpload): Promise<ConfirmedUpload> {
    return (await this.#again({ k: upload.key, t: upload.kind, e: 0 }, { upload })).upload;
  }

  /** Forgets the ticket's confirmation, so that a retry confirms (and runs the app's hook) again. */
  release(upload: ConfirmedUpload): Promise<void> {
    return this.confirmations.release(upload.key);
  }

  /** A later call for a confirmed ticket: the same answer while COS holds the same object. */
  async #again(claim: Claim, before: Confirmation, current?: ConfirmedUpload): Promise<ConfirmOutcome> {
    let now = current;
    if (!now) {
      const r = await this.cos.send('HEAD', claim.k, {});
      if (r.status !== 404) now = this.#confirmed(claim, r);
    }
    if (!now || now.etag !== before.upload.etag || now.size !== before.upload.size) {
      throw new ServerError(
        'SRV_ERR_OBJECT_CHANGED',
        `${claim.k} was confirmed with ETag ${before.upload.etag}; it ${now ? `now has ETag ${now.etag}` : 'is gone'}`,
      );
    }
    return { upload: before.upload, first: false };
  }

  /** Another upload of a key whose ticket already completed one: its parts are dropped, never completed. */
  async #alreadyCompleted(claim: Claim, uploadId: string): Promise<never> {
    await this.#abort(claim.k, uploadId);
    throw new ServerError(
      'SRV_ERR_ALREADY_COMPLETED',
      `the ticket for ${claim.k} already completed an upload; upload ${uploadId} was aborted`,
    );
  }

  async #abort(key: string, uploadId: string): Promise<void> {
    const aborted = await this.cos.send('DELETE', key, { uploadId });
    if (aborted.status >= 300 && aborted.status !== 404) throw cosFailure('Abort Multipart Upload', aborted);
  }

  /**
   * The object a multipart ticket's upload already became. The key is new per ticket, so an object at
   * it was written with that ticket; the size is checked again all the same.
   */
  async #completedBefore(claim: Claim): Promise<ConfirmedUpload> {
    const r = await this.cos.send('HEAD', claim.k, {});
    if (r.status === 404) {
      throw new ServerError('SRV_ERR_NOT_UPLOADED', 'no such multipart upload (aborted or never started), and no object at its key');
    }
    const confirmed = this.#confirmed(claim, r);
    if (claim.s !== undefined && confirmed.size > claim.s) {
      throw new ServerError('SRV_ERR_UPLOAD_TOO_LARGE', `the object is ${confirmed.size} bytes; the ticket allows ${claim.s}`);
    }
    return confirmed;
  }

  /** The parts of the upload in part-number order, or undefined when there is no such upload. */
  async #listParts(key: string, uploadId: string): Promise<Part[] | undefined> {
    const parts: Part[] = [];
    let marker = '';
    for (let page = 0; page < 20; page++) {
      const query: Record<string, string> = { uploadId, 'max-parts': '1000' };
      if (marker) query['part-number-marker'] = marker;
      const r = await this.cos.send('GET', key, query);
      if (r.status === 404 && xmlValue(r.text, 'Code') === 'NoSuchUpload') return undefined;
      if (r.status !== 200) throw cosFailure('List Parts', r);
      for (const m of r.text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
        const xml = m[1]!;
        parts.push({
          number: Number(xmlValue(xml, 'PartNumber')),
          etag: (xmlValue(xml, 'ETag') ?? '').replaceAll('&quot;', '"'),
          size: Number(xmlValue(xml, 'Size')),
        });
      }
      if (xmlValue(r.text, 'IsTruncated') !== 'true') return parts.sort((a, b) => a.number - b.number);
      marker = xmlValue(r.text, 'NextPartNumberMarker') ?? '';
    }
    throw new CosUpstreamError('List Parts: more than 20 pages');
  }

  async #head(claim: Claim): Promise<ConfirmedUpload> {
    const r = await this.cos.send('HEAD', claim.k, {});
    if (r.status === 404) throw new ServerError('SRV_ERR_NOT_UPLOADED', `nothing has been uploaded to ${claim.k}`);
    return this.#confirmed(claim, r);
  }

  /**
   * Until when a ticket's key can still write its object. A multipart ticket's key can be renewed while
   * the upload is open (no later than `r`), so the last renewal, made at the latest now, lives one
   * duration longer than that.
   */
  #replaceableUntil(claim: Claim, w: number): number {
    if (claim.r === undefined) return w;
    return Math.max(w, Math.min(this.options.now(), claim.r) + this.options.durationSeconds);
  }

  #confirmed(claim: Claim, r: CosAnswer): ConfirmedUpload {
    if (r.status !== 200) throw cosFailure('HEAD Object', r);
    const header = (name: string) => {
      const v = r.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const crc64 = header('x-cos-hash-crc64ecma');
    return {
      key: claim.k,
      size: Number(header('content-length')),
      etag: header('etag') ?? '',
      ...(crc64 ? { crc64 } : {}),
      contentType: header('content-type') ?? 'application/octet-stream',
      kind: claim.t,
      ...(claim.w !== undefined ? { replaceableUntil: this.#replaceableUntil(claim, claim.w) } : {}),
    };
  }
}
