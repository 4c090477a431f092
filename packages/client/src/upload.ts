import { OCTET_STREAM } from '@cos-direct/protocol';
import { encodeKeyPath, signRequest } from '@cos-direct/signer';
import { crc64Combine } from '@cos-direct/signer/crc64';
import { abortError, CosDirectError } from './errors.js';
import { cosError, isExpiry, xmlValue } from './responses.js';
import { DEFAULT_RETRY_POLICY, withRetry } from './retry.js';
import { ticketSourceOf } from './tickets.js';
import type {
  ConfirmedUpload,
  DirectTicket,
  HttpResponse,
  MultipartTicket,
  ResumeState,
  ResumeStore,
  RetryPolicy,
  TicketSource,
  Transport,
  UploadOptions,
  UploadResult,
  UploadSource,
} from './types.js';

const MiB = 1024 * 1024;
const MAX_PARTS = 10000;

/** What a platform (Node, browser) provides to the shared upload logic. */
export interface Platform {
  transport: Transport;
  resumeStore?: ResumeStore;
}

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '').toLowerCase();

function objectUrl(host: string, key: string, cosUrl?: string): string {
  return cosUrl ?? `https://${host}${encodeKeyPath(key)}`;
}

function extOf(source: UploadSource, options: UploadOptions): string {
  if (options.ext) return options.ext.replace(/^\./, '');
  const name = source.name ?? '';
  const dot = name.lastIndexOf('.');
  if (dot < 0 || dot === name.length - 1) {
    throw new CosDirectError(
      'CLIENT_ERR_INVALID_ARGUMENT',
      `cannot tell the extension of "${name || '(unnamed source)'}": pass options.ext`,
    );
  }
  return name.slice(dot + 1);
}

function checkIntegrity(res: HttpResponse, etag: string, what: string) {
  const sent = res.sent;
  if (!sent) return;
  const remoteCrc = res.headers['x-cos-hash-crc64ecma'];
  if (remoteCrc && remoteCrc !== sent.crc64) {
    throw new CosDirectError('CLIENT_ERR_INTEGRITY', `${what}: COS reports CRC-64 ${remoteCrc}, the local data has ${sent.crc64}`, {
      requestId: res.headers['x-cos-request-id'],
    });
  }
  if (sent.md5 && etag && !etag.includes('-') && etag !== sent.md5) {
    throw new CosDirectError('CLIENT_ERR_INTEGRITY', `${what}: COS reports ETag ${etag}, the local MD5 is ${sent.md5}`, {
      requestId: res.headers['x-cos-request-id'],
    });
  }
}

/**
 * The Content-Type to send: the one the ticket names (its type limit is on), else the wanted type or the
 * extension's own type when the ticket lists it as allowed, else application/octet-stream (what a ticket
 * from a seed-style server, which lists nothing, surely allows).
 */
export function contentTypeFor(ticket: { contentType?: string; contentTypes?: string[] }, wanted?: string): string {
  if (ticket.contentType) return ticket.contentType;
  const allowed = ticket.contentTypes ?? [];
  if (wanted && allowed.includes(wanted)) return wanted;
  return allowed.find((t) => t !== OCTET_STREAM) ?? OCTET_STREAM;
}

/** Refuses, before a byte is sent, a source larger than the ticket says it allows. */
function checkSize(ticket: { maxSize?: number; cosKey: string }, size: number) {
  if (ticket.maxSize !== undefined && size > ticket.maxSize) {
    throw new CosDirectError(
      'CLIENT_ERR_TOO_LARGE',
      `the source is ${size} bytes; the ticket for ${ticket.cosKey} allows at most ${ticket.maxSize}: nothing was sent`,
    );
  }
}

/** Uploads a source through tickets from the sign server: one PUT, or multipart for big files. */
export async function uploadWith(platform: Platform, source: UploadSource, options: UploadOptions): Promise<UploadResult> {
  if (!Number.isSafeInteger(source.size) || source.size < 0) {
    throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'the source size must be known (a non-negative integer)');
  }
  if (options.signal?.aborted) throw abortError();
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...options.retryPolicy,
  };
  const threshold = options.multipartThreshold ?? 8 * MiB;
  const ext = extOf(source, options);
  const tickets = ticketSourceOf(platform.transport, options);
  if (source.size >= threshold && source.size > 0 && source.repeatable) {
    return multipartUpload(platform, source, options, policy, ext, tickets);
  }
  return putUpload(platform, source, options, policy, ext, tickets.direct);
}

async function putUpload(
  platform: Platform,
  source: UploadSource,
  options: UploadOptions,
  policy: RetryPolicy,
  ext: string,
  getTicket: (ext: string) => Promise<DirectTicket>,
): Promise<UploadResult> {
  const total = source.size;
  let ticket = await withRetry(() => getTicket(ext), policy, options.signal);
  checkSize(ticket, total);
  let refreshed = false;
  let attempts = 0;
  for (;;) {
    try {
      const res = await withRetry(
        async () => {
          // A one-shot stream cannot be sent twice: its first failure is final.
          if (attempts++ > 0 && !source.repeatable) {
            throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'the source stream cannot be re-sent after a failed attempt');
          }
          const r = await platform.transport.send({
            method: 'PUT',
            url: objectUrl(ticket.cosHost, ticket.cosKey, ticket.cosUrl),
            headers: {
              authorization: ticket.authorization,
              'x-cos-security-token': ticket.securityToken,
              'content-type': contentTypeFor(ticket, options.contentType),
            },
            body: source.slice(0, total),
            bodySize: total,
            signal: options.signal,
            onProgress: (sent) => options.onProgress?.(Math.min(sent, total), total),
          });
          if (r.status !== 200) throw cosError(r, `PUT ${ticket.cosKey}`);
          return r;
        },
        policy,
        options.signal,
      );
      const etag = unquote(res.headers.etag);
      checkIntegrity(res, etag, `PUT ${ticket.cosKey}`);
      options.onProgress?.(total, total);
      return {
        key: ticket.cosKey,
        host: ticket.cosHost,
        url: objectUrl(ticket.cosHost, ticket.cosKey, ticket.cosUrl),
        ...(ticket.downloadUrl ? { downloadUrl: ticket.downloadUrl } : {}),
        etag,
        size: total,
        crc64: res.headers['x-cos-hash-crc64ecma'] ?? res.sent?.crc64 ?? '',
        method: 'put',
        contentType: contentTypeFor(ticket, options.contentType),
      };
    } catch (e) {
      // An expired ticket is refreshed once; the new ticket names a new key.
      if (!refreshed && isExpiry(e) && source.repeatable) {
        refreshed = true;
        ticket = await withRetry(() => getTicket(ext), policy, options.signal);
        checkSize(ticket, total);
        continue;
      }
      if (isExpiry(e)) {
        throw new CosDirectError('CLIENT_ERR_TICKET_EXPIRED', (e as Error).message, { ...(e as CosDirectError), cause: e });
      }
      throw e;
    }
  }
}

interface Session {
  state: ResumeState;
  sign(method: string, query: Record<string, string>, headers: Record<string, string>): Record<string, string>;
  url(query: string): string;
}

function session(state: ResumeState): Session {
  const credentials = { secretId: state.credentials.tmpSecretId, secretKey: state.credentials.tmpSecretKey };
  const origin = new URL(state.cosUrl).origin;
  return {
    state,
    sign(method, query, headers) {
      const all = { host: state.cosHost, ...headers };
      const signed = signRequest({ method, pathname: `/${state.cosKey}`, query, headers: all }, { credentials, expiresIn: 900 });
      return { ...headers, authorization: signed.authorization, 'x-cos-security-token': state.credentials.sessionToken };
    },
    url: (query) => `${origin}${encodeKeyPath(state.cosKey)}${query ? `?${query}` : ''}`,
  };
}

function choosePartSize(size: number, wanted: number | undefined): number {
  let partSize = Math.max(MiB, wanted ?? 8 * MiB);
  // COS allows 10000 parts: grow the parts rather than fail on a huge file.
  while (Math.ceil(size / partSize) > MAX_PARTS) partSize *= 2;
  return partSize;
}

async function listUploadedParts(
  platform: Platform,
  s: Session,
  signal?: AbortSignal,
): Promise<Map<number, { etag: string; size: number }>> {
  const parts = new Map<number, { etag: string; size: number }>();
  let marker = '0';
  for (;;) {
    const query = { uploadId: s.state.uploadId, 'part-number-marker': marker };
    const res = await platform.transport.send({
      method: 'GET',
      url: s.url(`uploadId=${encodeURIComponent(s.state.uploadId)}&part-number-marker=${marker}`),
      headers: s.sign('GET', query, {}),
      signal,
    });
    if (res.status !== 200) throw cosError(res, 'List Parts');
    const blocks = res.text.split('<Part>').slice(1);
    for (const block of blocks) {
      const n = Number(xmlValue(block, 'PartNumber'));
      parts.set(n, { etag: unquote(xmlValue(block, 'ETag')), size: Number(xmlValue(block, 'Size')) });
    }
    if (xmlValue(res.text, 'IsTruncated') !== 'true') return parts;
    marker = xmlValue(res.text, 'NextPartNumberMarker') ?? String(Math.max(...parts.keys()));
  }
}

async function multipartUpload(
  platform: Platform,
  source: UploadSource,
  options: UploadOptions,
  policy: RetryPolicy,
  ext: string,
  tickets: TicketSource,
): Promise<UploadResult> {
  const total = source.size;
  const signal = options.signal;
  const store = options.resume === false ? undefined : platform.resumeStore;
  const resumeId = source.identity && store ? `${options.signUrl ?? 'custom'}|${source.identity}` : undefined;
  const now = () => Math.floor(Date.now() / 1000);

  let state = resumeId ? await store!.get(resumeId) : undefined;
  // A saved upload is only worth resuming while its key has time left to finish.
  // A server-completed upload needs someone to ask the sign server to complete it.
  const checkCompletion = (completion: MultipartTicket['completion']) => {
    if (completion === 'server' && !tickets.complete) {
      throw new CosDirectError(
        'CLIENT_ERR_INVALID_ARGUMENT',
        "the multipart ticket says completion 'server': pass signUrl or completeMultipart to complete it through the sign server",
      );
    }
  };
  if (state && (state.size !== total || state.expiredTime - now() < 120)) {
    await store!.delete(resumeId!);
    state = undefined;
  }
  let done = new Map<number, { etag: string; size: number; crc64?: string }>();
  let s: Session;
  if (state) {
    checkCompletion(state.completion);
    s = session(state);
    try {
      done = await withRetry(() => listUploadedParts(platform, s, signal), policy, signal);
    } catch (e) {
      if (!(e instanceof CosDirectError) || e.code !== 'CLIENT_ERR_COS') throw e;
      // The upload is gone (completed, aborted or expired): start over.
      await store!.delete(resumeId!);
      state = undefined;
      done = new Map();
    }
  }
  if (!state) {
    const ticket = await withRetry(() => tickets.multipart(ext, total), policy, signal);
    checkSize(ticket, total);
    checkCompletion(ticket.completion);
    const partSize = choosePartSize(total, options.partSize);
    const draft: ResumeState = {
      version: 1,
      cosHost: ticket.cosHost,
      cosKey: ticket.cosKey,
      cosUrl: objectUrl(ticket.cosHost, ticket.cosKey, ticket.cosUrl),
      uploadId: '',
      partSize,
      size: total,
      credentials: ticket.credentials,
      expiredTime: ticket.expiredTime,
      contentType: contentTypeFor(ticket, options.contentType),
      ...(ticket.downloadUrl ? { downloadUrl: ticket.downloadUrl } : {}),
      ...(ticket.confirmToken ? { confirmToken: ticket.confirmToken } : {}),
      completion: ticket.completion ?? 'client',
    };
    const res = await withRetry(
      async () => {
        const r = await platform.transport.send({
          method: 'POST',
          url: session(draft).url('uploads'),
          headers: session(draft).sign('POST', { uploads: '' }, { 'content-type': draft.contentType }),
          signal,
        });
        if (r.status !== 200) throw cosError(r, 'Initiate Multipart Upload');
        return r;
      },
      policy,
      signal,
    );
    const uploadId = xmlValue(res.text, 'UploadId');
    if (!uploadId)
      throw new CosDirectError('CLIENT_ERR_COS', 'Initiate Multipart Upload answered without an UploadId', { status: res.status });
    state = { ...draft, uploadId };
    if (resumeId) await store!.set(resumeId, state);
  }
  s = session(state);
  const partSize = state.partSize;
  const count = Math.max(1, Math.ceil(total / partSize));
  const range = (n: number) => ({ start: (n - 1) * partSize, end: Math.min(total, n * partSize) });

  // Resumed parts are kept only if size and (where the platform can hash) content still match.
  for (const [n, part] of [...done]) {
    const { start, end } = range(n);
    if (n > count || part.size !== end - start) {
      done.delete(n);
      continue;
    }
    if (source.hashRange) {
      const local = await source.hashRange(start, end);
      if (local.md5 && local.md5 !== part.etag) done.delete(n);
      else done.set(n, { ...part, crc64: local.crc64 });
    }
  }

  const inFlight = new Map<number, number>();
  let completedBytes = [...done.keys()].reduce((sum, n) => sum + range(n).end - range(n).start, 0);
  const partsResumed = done.size;
  const detail = () => ({ parts: count, partsDone: done.size, partsResumed });
  const report = () => {
    let sent = completedBytes;
    for (const v of inFlight.values()) sent += v;
    options.onProgress?.(Math.min(sent, total), total, detail());
  };
  report();

  const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
  let partsUploaded = 0;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const uploadPart = async (n: number) => {
    const { start, end } = range(n);
    const res = await withRetry(
      async () => {
        inFlight.set(n, 0);
        const query = { partNumber: String(n), uploadId: state!.uploadId };
        const r = await platform.transport.send({
          method: 'PUT',
          url: s.url(`partNumber=${n}&uploadId=${encodeURIComponent(state!.uploadId)}`),
          headers: s.sign('PUT', query, { 'content-length': String(end - start) }),
          body: source.slice(start, end),
          bodySize: end - start,
          signal: controller.signal,
          onProgress: (sent) => {
            inFlight.set(n, sent);
            report();
          },
        });
        if (r.status !== 200) throw cosError(r, `Upload Part ${n}`);
        return r;
      },
      policy,
      controller.signal,
    );
    inFlight.delete(n);
    const etag = unquote(res.headers.etag);
    checkIntegrity(res, etag, `Upload Part ${n}`);
    done.set(n, { etag, size: end - start, crc64: res.headers['x-cos-hash-crc64ecma'] ?? res.sent?.crc64 });
    completedBytes += end - start;
    partsUploaded++;
    report();
  };

  try {
    let next = 0;
    const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, todo.length)) }, async () => {
      while (next < todo.length && !controller.signal.aborted) await uploadPart(todo[next++]!);
    });
    const results = await Promise.allSettled(workers);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      controller.abort();
      throw failed.reason;
    }
    if (signal?.aborted) throw abortError();

    const crcs = Array.from({ length: count }, (_, i) => done.get(i + 1)!);
    const local = crcs.every((p) => p.crc64 !== undefined)
      ? crcs.slice(1).reduce((acc, p) => crc64Combine(acc, p.crc64!, p.size), crcs[0]!.crc64!)
      : undefined;
    const completed =
      state.completion === 'server'
        ? await completeByServer(state, tickets, policy, signal, () => (resumeId ? store!.delete(resumeId) : undefined))
        : await completeWithTicketKey(platform, s, count, done, policy, signal);
    if (completed.size !== undefined && completed.size !== total) {
      throw new CosDirectError('CLIENT_ERR_INTEGRITY', `the object has ${completed.size} bytes, the local file ${total}`, {
        ...(completed.requestId ? { requestId: completed.requestId } : {}),
      });
    }
    if (local !== undefined && completed.crc64 && completed.crc64 !== local) {
      throw new CosDirectError('CLIENT_ERR_INTEGRITY', `the object's CRC-64 is ${completed.crc64}, the local file's ${local}`, {
        ...(completed.requestId ? { requestId: completed.requestId } : {}),
      });
    }
    if (resumeId) await store!.delete(resumeId);
    options.onProgress?.(total, total, detail());
    return {
      key: state.cosKey,
      host: state.cosHost,
      url: state.cosUrl,
      ...(state.downloadUrl ? { downloadUrl: state.downloadUrl } : {}),
      etag: completed.etag,
      size: total,
      crc64: completed.crc64 ?? '',
      method: 'multipart',
      partsUploaded,
      contentType: completed.confirmed?.contentType ?? state.contentType,
      ...(completed.confirmed ? { confirmed: completed.confirmed } : {}),
    };
  } catch (e) {
    if (signal?.aborted && options.keepResumeOnAbort && resumeId) {
      // The caller means to come back (Ctrl-C in the CLI): the parts and the state stay for the next run.
      throw abortError();
    }
    if (signal?.aborted) {
      // Aborting cleans up: no parts left behind, nothing to resume.
      await platform.transport
        .send({
          method: 'DELETE',
          url: s.url(`uploadId=${encodeURIComponent(state.uploadId)}`),
          headers: s.sign('DELETE', { uploadId: state.uploadId }, {}),
        })
        .catch(() => undefined);
      if (resumeId) await store!.delete(resumeId);
      throw abortError();
    }
    // The temporary key ran out mid-upload. A fresh ticket names another key, so this upload cannot go on.
    if (isExpiry(e)) {
      throw new CosDirectError('CLIENT_ERR_TICKET_EXPIRED', (e as Error).message, { ...(e as CosDirectError), cause: e });
    }
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

interface Completed {
  etag: string;
  crc64?: string;
  size?: number;
  requestId?: string;
  confirmed?: ConfirmedUpload;
}

/** Complete Multipart Upload signed with the ticket's own key (completion 'client'). */
async function completeWithTicketKey(
  platform: Platform,
  s: Session,
  count: number,
  done: Map<number, { etag: string }>,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<Completed> {
  const uploadId = s.state.uploadId;
  const xml = new TextEncoder().encode(
    '<CompleteMultipartUpload>' +
      Array.from(
        { length: count },
        (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>&quot;${done.get(i + 1)!.etag}&quot;</ETag></Part>`,
      ).join('') +
      '</CompleteMultipartUpload>',
  );
  const res = await withRetry(
    async () => {
      const r = await platform.transport.send({
        method: 'POST',
        url: s.url(`uploadId=${encodeURIComponent(uploadId)}`),
        headers: s.sign('POST', { uploadId }, { 'content-type': 'application/xml' }),
        body: xml,
        bodySize: xml.length,
        signal,
      });
      // COS may answer 200 and still report a failure in the body.
      if (r.status !== 200 || xmlValue(r.text, 'Code')) throw cosError(r, 'Complete Multipart Upload');
      return r;
    },
    policy,
    signal,
  );
  const crc64 = res.headers['x-cos-hash-crc64ecma'];
  const requestId = res.headers['x-cos-request-id'];
  return { etag: unquote(xmlValue(res.text, 'ETag')), ...(crc64 ? { crc64 } : {}), ...(requestId ? { requestId } : {}) };
}

/**
 * POST /complete-multipart (completion 'server'): the sign server lists the parts, holds their total to
 * the ticket's size (aborting the upload when it is over) and completes with its own key. An upload the
 * server aborted or cannot find is gone, so its resume state goes too.
 */
async function completeByServer(
  state: ResumeState,
  tickets: TicketSource,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  forget: () => Promise<void> | undefined,
): Promise<Completed> {
  const ticket: MultipartTicket = {
    cosHost: state.cosHost,
    cosKey: state.cosKey,
    cosUrl: state.cosUrl,
    credentials: state.credentials,
    expiredTime: state.expiredTime,
    contentType: state.contentType,
    completion: 'server',
    ...(state.confirmToken ? { confirmToken: state.confirmToken } : {}),
    ...(state.downloadUrl ? { downloadUrl: state.downloadUrl } : {}),
  };
  let confirmed: ConfirmedUpload;
  try {
    confirmed = await withRetry(() => tickets.complete!(ticket, state.uploadId), policy, signal);
  } catch (e) {
    if (e instanceof CosDirectError && (e.status === 413 || e.status === 404)) await forget();
    if (e instanceof CosDirectError && e.status === 413) {
      throw new CosDirectError('CLIENT_ERR_TOO_LARGE', e.message, { ...e, cause: e });
    }
    throw e;
  }
  if (confirmed.key !== state.cosKey) {
    throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', `the sign server completed ${confirmed.key}, not ${state.cosKey}`);
  }
  return { etag: unquote(confirmed.etag), size: confirmed.size, ...(confirmed.crc64 ? { crc64: confirmed.crc64 } : {}), confirmed };
}
