import {
  type DirectTicket,
  FORBID_OVERWRITE_HEADER,
  type MultipartRefresh,
  type MultipartTicket,
  type PostPolicyTicket,
  SENDS_HEADERS_PARAM,
} from '@cos-direct/protocol';
import { createPostPolicy, encodeKeyPath, presignRequest, signPostPolicy, signRequest } from '@cos-direct/signer';
import type { ResolvedServerOptions } from './config/index.js';
import { type ConfirmClaim, type ConfirmTokens, callerTag } from './confirm.js';
import { ServerError } from './errors.js';
import { KeyCache } from './key-cache.js';
import { checkExtension, narrowTypeRule, newObjectKey, type TypeRule, typeRuleOf } from './keys.js';
import { allowStatement, type PolicyScope, policyOf, readOnePolicy, writeStatements } from './policy.js';
import type { StsClient, TemporaryKey } from './sts-client.js';

export type { DirectTicket, MultipartRefresh, MultipartTicket, PostPolicyTicket };

/** What a ticket is for, beyond its extension: set by the core from the caller and the request. */
export interface TicketScope {
  /** The app's folder under the key prefix (from `keyFolder`), already checked. */
  folder?: string;
  /** The user the ticket is issued to, who alone may confirm it. */
  caller?: string | undefined;
  /** The type the client says the file has: checked against the extension's types, then the only one allowed. */
  contentType?: unknown;
}

/** POST form fields the policy pins to these values, in the form's order. */
const POST_PINNED: ReadonlyArray<[string, string]> = [
  ['acl', 'default'],
  ['x-cos-forbid-overwrite', 'true'],
  ['success_action_redirect', ''],
];

/** The headers a direct ticket signs for a client that sends them: COS then refuses a second PUT of the key. */
const DIRECT_SIGNED: Readonly<Record<string, string>> = Object.freeze({ [FORBID_OVERWRITE_HEADER]: 'true' });

/** `sendsHeaders` as a query parameter or body field: `1`/`true` (or JSON true), or absent / `0`/`false`. */
export function sendsHeadersOf(raw: unknown): boolean {
  if (raw === undefined || raw === null || raw === '' || raw === false || raw === 0) return false;
  if (raw === true || raw === 1) return true;
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  throw new ServerError('SRV_ERR_BAD_REQUEST', `the request is malformed: ${SENDS_HEADERS_PARAM} must be 1, true, 0 or false`);
}

/**
 * Issues upload tickets for exactly one new object key each. Tickets that carry only signatures
 * (direct PUT, POST form) are signed, by default, with a temporary key shared per policy shape and
 * scoped to the key prefix: the signature (or the signed POST policy) pins the one key, the shared
 * policy pins everything else. Multipart tickets hand out their key, so each gets its own.
 */
export class TicketService {
  readonly #keys: KeyCache | undefined;

  constructor(
    private readonly options: ResolvedServerOptions,
    private readonly sts: StsClient,
    private readonly tokens: ConfirmTokens,
    onRefreshError?: (error: unknown) => void,
    onKeyLookup?: (hit: boolean) => void,
  ) {
    this.#keys =
      options.ticketKeys === 'shared'
        ? new KeyCache(sts, {
            durationSeconds: options.durationSeconds,
            signatureSeconds: options.signatureSeconds,
            now: options.now,
            ...(onRefreshError ? { onRefreshError } : {}),
            ...(onKeyLookup ? { onLookup: onKeyLookup } : {}),
          })
        : undefined;
  }

  /** A key to sign a ticket for `key` with: shared per shape (scoped to the prefix), or its own. */
  #signingKey(kind: 'direct' | 'post', key: string, types: TypeRule): Promise<TemporaryKey> {
    const o = this.options;
    const statements = (scope: PolicyScope) =>
      kind === 'direct'
        ? writeStatements(scope, ['PutObject'], { types, maxSize: o.maxSize, noAcl: true })
        : writeStatements(scope, ['PostObject'], { types, noAcl: true });
    if (!this.#keys)
      return this.sts.getFederationToken(policyOf(...statements({ region: o.region, bucket: o.bucket, key })), o.durationSeconds);
    return this.#keys.get(`${kind}:${JSON.stringify(types)}`, () =>
      policyOf(...statements({ region: o.region, bucket: o.bucket, prefix: o.keyPrefix })),
    );
  }

  #prepare(rawExt: unknown, scope: TicketScope) {
    const o = this.options;
    const ext = checkExtension(rawExt, o.allowedExtensions);
    const types = narrowTypeRule(typeRuleOf(ext, o.enforceContentType, o.allowActiveContent), ext, scope.contentType);
    const now = o.now();
    const key = newObjectKey(o.keyPrefix + (scope.folder ?? ''), ext, now, o.dateFolder);
    return { ext, now, key, types, contentType: types.ticketType };
  }

  #url(key: string) {
    return `${this.options.cosProtocol}://${this.options.cosHost}${encodeKeyPath(key)}`;
  }

  /**
   * A GET of this one key, signed with a temporary key of its own that may only GetObject that key and
   * never with a response-content-type override. Every parameter the URL carries (the token included)
   * is in q-url-param-list, so none can be swapped.
   */
  async downloadUrl(key: string, now: number): Promise<{ downloadUrl?: string }> {
    const o = this.options;
    if (o.downloadUrlSeconds === undefined) return {};
    const tmp = await this.sts.getFederationToken(readOnePolicy({ region: o.region, bucket: o.bucket, key }), o.downloadUrlSeconds + 1);
    const startTime = Math.min(now, tmp.expiredTime) - 1;
    const signed = presignRequest(
      { method: 'GET', pathname: `/${key}`, headers: { host: o.cosHost }, query: { 'x-cos-security-token': tmp.sessionToken } },
      {
        credentials: { secretId: tmp.tmpSecretId, secretKey: tmp.tmpSecretKey },
        startTime,
        expiresIn: Math.max(1, Math.min(o.downloadUrlSeconds + 1, tmp.expiredTime - startTime)),
        signHeaders: ['host'],
      },
    );
    return { downloadUrl: `${this.#url(key)}?${signed.query}` };
  }

  /**
   * The seed's ticket: a PUT of one new key, signed with a key that may do nothing else. For a client
   * that sends headers the signature also covers `x-cos-forbid-overwrite: true`: dropping the header
   * breaks the signature, and sending it makes COS refuse any PUT once the key holds an object.
   */
  async direct(rawExt: unknown, scope: TicketScope = {}, sendsHeaders = false): Promise<DirectTicket> {
    const o = this.options;
    const { now, key, types, contentType } = this.#prepare(rawExt, scope);
    const [tmp, download] = await Promise.all([this.#signingKey('direct', key, types), this.downloadUrl(key, now)]);
    // The signature may not outlive the key; start a second early like the official SDKs do.
    const startTime = Math.min(now, tmp.expiredTime) - 1;
    const expiresIn = Math.max(1, Math.min(o.signatureSeconds, tmp.expiredTime - startTime));
    const headers = sendsHeaders ? { ...DIRECT_SIGNED } : undefined;
    const signed = signRequest(
      { method: 'PUT', pathname: `/${key}`, headers: { host: o.cosHost, ...headers } },
      {
        credentials: { secretId: tmp.tmpSecretId, secretKey: tmp.tmpSecretKey },
        startTime,
        expiresIn,
        signHeaders: ['host', ...Object.keys(headers ?? {})],
      },
    );
    return {
      cosHost: o.cosHost,
      cosKey: key,
      authorization: signed.authorization,
      securityToken: tmp.sessionToken,
      cosUrl: this.#url(key),
      expiredTime: startTime + expiresIn,
      ...(headers ? { headers } : {}),
      ...(contentType ? { contentType } : {}),
      contentTypes: [...types.allowed],
      ...(o.maxSize !== undefined ? { maxSize: o.maxSize } : {}),
      ...download,
      confirmToken: this.tokens.issue({
        k: key,
        t: 'direct',
        ...(scope.caller !== undefined ? { u: callerTag(scope.caller) } : {}),
        ...(o.maxSize !== undefined ? { s: o.maxSize } : {}),
        e: tmp.expiredTime + 86400,
        // The seed's signature takes a second PUT of the key until it expires; a signed header forbids it.
        ...(headers ? {} : { w: startTime + expiresIn }),
      }),
    };
  }

  /**
   * What a multipart ticket's key may do, on its one key: write it whole or in parts within `size`, list
   * and abort its parts, and complete when the client completes.
   */
  #multipartPolicy(key: string, size: number, types: TypeRule) {
    const o = this.options;
    // Conditions go only where the request carries what they test: type and ACL on the requests that
    // set them (PutObject, Initiate), the size on the requests with bodies (each part, never above the file).
    const scope = { region: o.region, bucket: o.bucket, key };
    return policyOf(
      ...writeStatements(scope, ['PutObject'], { types, maxSize: size, noAcl: true }),
      ...writeStatements(scope, ['InitiateMultipartUpload'], { types, noAcl: true }),
      ...writeStatements(scope, ['UploadPart'], { maxSize: size }),
      // 'client' is for the official SDKs' sliceUploadFile, which first looks for an upload of the key to
      // resume (List Multipart Uploads with the key as prefix) and completes with this key.
      allowStatement(
        scope,
        o.multipartCompletion === 'server'
          ? ['ListParts', 'AbortMultipartUpload']
          : ['ListMultipartUploads', 'ListParts', 'CompleteMultipartUpload', 'AbortMultipartUpload'],
      ),
    );
  }

  /**
   * A new key for the upload a multipart ticket started (its claim already checked): the same policy on
   * the same key and size, with the types of the key's extension under today's settings.
   */
  async refreshMultipart(claim: ConfirmClaim): Promise<MultipartRefresh> {
    const o = this.options;
    const ext = claim.k.slice(claim.k.lastIndexOf('.') + 1);
    // A ticket narrowed to the type its client named keeps that one type in every renewed key.
    const types = narrowTypeRule(typeRuleOf(ext, o.enforceContentType, o.allowActiveContent), ext, claim.c);
    const size = claim.s ?? o.maxMultipartSize;
    const tmp = await this.sts.getFederationToken(this.#multipartPolicy(claim.k, size, types), o.durationSeconds);
    return {
      credentials: { tmpSecretId: tmp.tmpSecretId, tmpSecretKey: tmp.tmpSecretKey, sessionToken: tmp.sessionToken },
      startTime: tmp.startTime,
      expiredTime: tmp.expiredTime,
    };
  }

  /** A temporary key for one multipart upload of one new key; the client signs its own requests. */
  async multipart(rawExt: unknown, rawSize: unknown, scope: TicketScope = {}): Promise<MultipartTicket> {
    const o = this.options;
    const size = typeof rawSize === 'string' && /^\d{1,16}$/.test(rawSize) ? Number(rawSize) : NaN;
    const limit = o.maxSize !== undefined ? Math.min(o.maxSize, o.maxMultipartSize) : o.maxMultipartSize;
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new ServerError('SRV_ERR_INVALID_SIZE', 'the size parameter must be the file size in bytes, a positive whole number');
    }
    if (size > limit) throw new ServerError('SRV_ERR_INVALID_SIZE', `size ${size} exceeds the limit of ${limit} bytes`);
    const { now, key, types, contentType } = this.#prepare(rawExt, scope);
    const policy = this.#multipartPolicy(key, size, types);
    const [tmp, download] = await Promise.all([this.sts.getFederationToken(policy, o.durationSeconds), this.downloadUrl(key, now)]);
    return {
      cosHost: o.cosHost,
      cosKey: key,
      cosUrl: this.#url(key),
      bucket: o.bucket,
      region: o.region,
      credentials: { tmpSecretId: tmp.tmpSecretId, tmpSecretKey: tmp.tmpSecretKey, sessionToken: tmp.sessionToken },
      startTime: tmp.startTime,
      expiredTime: tmp.expiredTime,
      ...(contentType ? { contentType } : {}),
      contentTypes: [...types.allowed],
      maxSize: size,
      ...download,
      // The token outlives every key the upload may get (refreshes until `r`), then a day to complete.
      confirmToken: this.tokens.issue({
        k: key,
        t: 'multipart',
        s: size,
        e: Math.max(tmp.expiredTime, now + o.maxUploadSeconds) + 86400,
        r: now + o.maxUploadSeconds,
        w: tmp.expiredTime,
        ...(scope.contentType !== undefined && scope.contentType !== '' ? { c: types.ticketType } : {}),
        ...(scope.caller !== undefined ? { u: callerTag(scope.caller) } : {}),
      }),
      completion: o.multipartCompletion,
    };
  }

  /** Form fields for a browser POST Object upload of one new key. */
  async postPolicy(rawExt: unknown, scope: TicketScope = {}): Promise<PostPolicyTicket> {
    const o = this.options;
    const { now, key, types, contentType } = this.#prepare(rawExt, scope);
    const [tmp, download] = await Promise.all([this.#signingKey('post', key, types), this.downloadUrl(key, now)]);
    const start = Math.min(now, tmp.expiredTime) - 1;
    const end = Math.min(start + o.signatureSeconds, tmp.expiredTime);
    const keyTime = `${start};${end}`;
    const document = createPostPolicy({
      bucket: o.bucket,
      key,
      expiration: new Date(end * 1000),
      contentLengthRange: o.maxSize !== undefined ? [0, o.maxSize] : undefined,
      contentType,
      successActionStatus: 204,
      // Each pinned field is in the form as issued, so one the holder changes or adds breaks the policy:
      // acl=default instead of publishing; forbid-overwrite so a second form cannot replace the object;
      // an empty success_action_redirect so the form cannot send the browser on to another site.
      extra: POST_PINNED.map(([name, value]) => ({ [name]: value })),
      credentials: { secretId: tmp.tmpSecretId },
      keyTime,
    });
    const signed = signPostPolicy(document, {
      credentials: { secretId: tmp.tmpSecretId, secretKey: tmp.tmpSecretKey, securityToken: tmp.sessionToken },
      keyTime,
    });
    const fields: Record<string, string> = { key, ...Object.fromEntries(POST_PINNED), success_action_status: '204' };
    if (contentType) fields['Content-Type'] = contentType;
    Object.assign(fields, signed);
    const confirmToken = this.tokens.issue({
      k: key,
      t: 'post',
      ...(scope.caller !== undefined ? { u: callerTag(scope.caller) } : {}),
      ...(o.maxSize !== undefined ? { s: o.maxSize } : {}),
      e: tmp.expiredTime + 86400,
    });
    return {
      cosHost: o.cosHost,
      cosKey: key,
      url: `${o.cosProtocol}://${o.cosHost}/`,
      fields,
      ...(o.maxSize !== undefined ? { maxSize: o.maxSize } : {}),
      ...download,
      confirmToken,
    };
  }
}
