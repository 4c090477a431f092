import {
  type CompleteMultipartRequest,
  type ConfirmedUpload,
  type MultipartRefresh,
  type MultipartRefreshRequest,
  SENDS_HEADERS_PARAM,
  SERVER_ERROR_CODES,
  type ServerErrorCode,
  SIGN_SERVER_PATHS,
  type SignServerLimits,
} from '@cos-direct/protocol';
import { CosDirectError } from './errors.js';
import { compose, type Dispatch } from './lib/dispatch.js';
import { network, retryAfterMs, signServerRefusalCode } from './lib/network.js';
import { retry, withRetry } from './lib/retry.js';
import type { RetryPolicy } from './lib/retry-policy.js';
import { send } from './lib/send.js';
import { multipartLimitOf } from './ticket-limits.js';
import type { DirectTicket, MultipartTicket, MultipartUploadRef, TicketSource, Transport } from './types.js';

/** How a ticket request is sent: your headers and signal, and the retry policy (none: one attempt, as the seed's call). */
export interface TicketRequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  retryPolicy?: RetryPolicy;
}

/** The sign server's part of the request path: transport → retry(policy) → network; its JSON is checked below. */
function signServerPath(transport: Transport, policy?: RetryPolicy): Dispatch {
  return policy ? compose(send(transport), retry(policy), network('sign-server')) : compose(send(transport), network('sign-server'));
}

const isServerErrorCode = (code: unknown): code is ServerErrorCode => (SERVER_ERROR_CODES as readonly unknown[]).includes(code);

function endpoint(signUrl: string, path: string): string {
  const url = new URL(signUrl);
  const base = url.pathname.replace(/\/(sts-direct-sign|sts-multipart|post-policy)\/?$/, '').replace(/\/$/, '');
  url.pathname = base + path;
  return url.toString();
}

async function callSignServer<T>(
  transport: Transport,
  url: string,
  options: TicketRequestOptions,
  query?: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const payload = body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(body));
  const method = payload ? 'POST' : 'GET';
  const res = await signServerPath(
    transport,
    options.retryPolicy,
  )({
    what: `${method} ${new URL(url).pathname}`,
    method,
    url,
    ...(query ? { query } : {}),
    headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(payload ? { body: () => payload, bodySize: payload.length } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let json: { code?: unknown; message?: unknown; data?: unknown } | undefined;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  if (res.status !== 200 || !json || json.code !== 0) {
    const answered = json?.code;
    const serverCode = isServerErrorCode(answered) ? answered : undefined;
    const message = typeof json?.message === 'string' ? json.message : res.text.slice(0, 200);
    // An answer that is not the sign server's JSON (a proxy's page, another service) says nothing by its status.
    const code = json && typeof json === 'object' ? signServerRefusalCode(res.status, serverCode) : 'CLIENT_ERR_SIGN_SERVER';
    const wait = code === 'CLIENT_ERR_RATE_LIMITED' ? retryAfterMs(res.headers['retry-after']) : undefined;
    throw new CosDirectError(
      code,
      `the sign server answered HTTP ${res.status}${answered !== undefined ? ` with code ${String(answered)}` : ''}: ${message || '(no message)'}`,
      {
        status: res.status,
        ...(serverCode ? { serverCode } : {}),
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
        ...(code === 'CLIENT_ERR_TYPE_NOT_ALLOWED' && query?.ext ? { ext: query.ext } : {}),
        ...(code === 'CLIENT_ERR_TOO_LARGE' && query?.size ? { size: Number(query.size) } : {}),
      },
    );
  }
  if (!json.data || typeof json.data !== 'object') {
    throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', 'the sign server answered code 0 without data', { status: res.status });
  }
  return json.data as T;
}

function requireFields(ticket: Record<string, unknown>, names: string[], what: string) {
  const missing = names.filter((n) => typeof ticket[n] !== 'string' || ticket[n] === '');
  if (missing.length > 0) throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', `the ${what} lacks ${missing.join(', ')}`);
}

/** A temporary key's three parts; `fieldsOf` names them in the message when one is missing. */
function requireCredentials(holder: { credentials?: unknown } | undefined, what: string, fieldsOf: string) {
  const c = holder?.credentials as Record<string, unknown> | undefined;
  if (!c) throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', `the ${what} lacks credentials`);
  requireFields(c, ['tmpSecretId', 'tmpSecretKey', 'sessionToken'], fieldsOf);
}

/**
 * The seed's call: GET <signUrl>/sts-direct-sign?ext=… → { cosHost, cosKey, authorization, securityToken }.
 * With `sendsHeaders` the caller promises to send every header of the ticket's `headers`, and the server
 * signs `x-cos-forbid-overwrite` into them; the seed's call leaves it out, as its PUT sends no such header.
 */
export async function fetchDirectTicket(
  transport: Transport,
  signUrl: string,
  ext: string,
  options: TicketRequestOptions & { sendsHeaders?: boolean } = {},
): Promise<DirectTicket> {
  const url = endpoint(signUrl, SIGN_SERVER_PATHS.directSign);
  const query: Record<string, string> = options.sendsHeaders ? { ext, [SENDS_HEADERS_PARAM]: '1' } : { ext };
  const ticket = await callSignServer<DirectTicket>(transport, url, options, query);
  requireFields(ticket as never, ['cosHost', 'cosKey', 'authorization', 'securityToken'], 'ticket');
  return ticket;
}

export async function fetchMultipartTicket(
  transport: Transport,
  signUrl: string,
  ext: string,
  size: number,
  options: TicketRequestOptions = {},
): Promise<MultipartTicket> {
  const url = endpoint(signUrl, SIGN_SERVER_PATHS.multipart);
  const ticket = await callSignServer<MultipartTicket>(transport, url, options, { ext, size: String(size) }).catch(async (e) => {
    throw e instanceof CosDirectError && e.code === 'CLIENT_ERR_TOO_LARGE' && e.maxSize === undefined
      ? await withLimit(e, transport, signUrl, size, options)
      : e;
  });
  requireFields(ticket as never, ['cosHost', 'cosKey'], 'multipart ticket');
  requireCredentials(ticket, 'multipart ticket', 'multipart ticket credentials');
  return ticket;
}

/**
 * The sign server refuses a multipart ticket for size without saying its limit; its /limits does, so that
 * the refusal (and describeError's sentence) can name both sizes. Without /limits the refusal stays as it is.
 */
async function withLimit(
  refusal: CosDirectError,
  transport: Transport,
  signUrl: string,
  size: number,
  options: TicketRequestOptions,
): Promise<CosDirectError> {
  const max = multipartLimitOf(await fetchLimits(transport, signUrl, options).catch(() => undefined));
  // A limit the file is within is not what refused it (the limits changed between the two answers).
  if (max === undefined || size <= max) return refusal;
  return new CosDirectError(refusal.code, `${refusal.message} (its /limits allow at most ${max} bytes)`, {
    ...(refusal.status !== undefined ? { status: refusal.status } : {}),
    ...(refusal.serverCode ? { serverCode: refusal.serverCode } : {}),
    size,
    maxSize: max,
    cause: refusal,
  });
}

/** GET <signUrl>/limits; undefined from a sign server without that endpoint (an older one, or another). */
export async function fetchLimits(
  transport: Transport,
  signUrl: string,
  options: TicketRequestOptions = {},
): Promise<SignServerLimits | undefined> {
  try {
    const limits = await callSignServer<SignServerLimits>(transport, endpoint(signUrl, SIGN_SERVER_PATHS.limits), options);
    return Array.isArray(limits.allowedExtensions) ? limits : undefined;
  } catch (e) {
    if (e instanceof CosDirectError && e.code === 'CLIENT_ERR_SIGN_SERVER' && e.status === 404) return undefined;
    throw e;
  }
}

/** POST <signUrl>/complete-multipart: the sign server checks the parts' total, completes and HEADs the object. */
export async function completeMultipartUpload(
  transport: Transport,
  signUrl: string,
  request: CompleteMultipartRequest,
  options: TicketRequestOptions = {},
): Promise<ConfirmedUpload> {
  return postForUpload(transport, endpoint(signUrl, SIGN_SERVER_PATHS.completeMultipart), request, options, 'completed upload');
}

/** POSTs to an endpoint that answers with the stored object, and checks the answer names it fully. */
async function postForUpload(
  transport: Transport,
  url: string,
  body: unknown,
  options: TicketRequestOptions,
  what: string,
): Promise<ConfirmedUpload> {
  const answer = await callSignServer<ConfirmedUpload>(transport, url, options, undefined, body);
  requireFields(answer as never, ['key', 'etag'], what);
  if (!Number.isSafeInteger(answer.size)) throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', `the ${what} lacks its size`);
  return answer;
}

/** A refreshed key as an upload takes it: credentials and a numeric expiry, or the sign server's answer is unusable. */
export function checkRefresh(answer: MultipartRefresh): MultipartRefresh {
  requireCredentials(answer, 'refreshed key', 'refreshed key');
  if (!Number.isSafeInteger(answer.expiredTime)) throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', 'the refreshed key lacks expiredTime');
  return answer;
}

/** POST <signUrl>/sts-multipart-refresh: a new temporary key for the same upload. */
export async function fetchMultipartRefresh(
  transport: Transport,
  signUrl: string,
  request: MultipartRefreshRequest,
  options: TicketRequestOptions = {},
): Promise<MultipartRefresh> {
  const url = endpoint(signUrl, SIGN_SERVER_PATHS.multipartRefresh);
  return checkRefresh(await callSignServer<MultipartRefresh>(transport, url, options, undefined, request));
}

/** The options of an upload's sign server requests: its headers and signal, under its retry policy. */
function requestOptions(options: { headers?: Record<string, string>; signal?: AbortSignal }, policy: RetryPolicy): TicketRequestOptions {
  return {
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    retryPolicy: policy,
  };
}

/** What an upload's tickets come from: the sign server, or your own functions in its place. */
export interface TicketSourceOptions {
  signUrl?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  getTicket?: (ext: string) => Promise<DirectTicket>;
  getMultipartTicket?: (ext: string, size: number) => Promise<MultipartTicket>;
  completeMultipart?: (ticket: MultipartTicket, uploadId: string) => Promise<ConfirmedUpload>;
  refreshMultipart?: (upload: MultipartUploadRef) => Promise<MultipartRefresh>;
}

/** How a saved upload gets a new key: your function, or the sign server's route (which needs the confirmToken). */
export function refresherOf(
  transport: Transport,
  policy: RetryPolicy,
  options: Omit<TicketSourceOptions, 'getTicket' | 'getMultipartTicket' | 'completeMultipart'>,
): Pick<TicketSource, 'refresh' | 'refreshNeedsToken'> {
  const { signUrl, signal, refreshMultipart } = options;
  if (refreshMultipart) return { refresh: async (upload) => checkRefresh(await withRetry(() => refreshMultipart(upload), policy, signal)) };
  if (!signUrl) return {};
  const request = requestOptions(options, policy);
  return {
    refreshNeedsToken: true,
    refresh: async (upload) => {
      if (!upload.confirmToken)
        throw new CosDirectError('CLIENT_ERR_TICKET_EXPIRED', 'the upload has no confirmToken to refresh its key with');
      return fetchMultipartRefresh(transport, signUrl, { confirmToken: upload.confirmToken, uploadId: upload.uploadId }, request);
    },
  };
}

/** POST <signUrl>/confirm: the sign server HEADs what a direct ticket's PUT stored, and records it once. */
export async function confirmUpload(
  transport: Transport,
  signUrl: string,
  confirmToken: string,
  options: TicketRequestOptions = {},
): Promise<ConfirmedUpload> {
  return postForUpload(transport, endpoint(signUrl, SIGN_SERVER_PATHS.confirm), { confirmToken }, options, 'confirmed upload');
}

/**
 * Where an upload's tickets come from: your functions, each attempt under the retry policy, or the sign
 * server's endpoints, whose requests take the sign server's request path with the same policy.
 */
export function ticketSourceOf(transport: Transport, policy: RetryPolicy, options: TicketSourceOptions): TicketSource {
  const { signUrl, signal, getTicket, getMultipartTicket, completeMultipart } = options;
  if (!signUrl && !getTicket) {
    throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'pass signUrl (the sign server) or getTicket');
  }
  const request = requestOptions(options, policy);
  return {
    direct: (ext) =>
      getTicket
        ? withRetry(() => getTicket(ext), policy, signal)
        : fetchDirectTicket(transport, signUrl!, ext, { ...request, sendsHeaders: true }),
    multipart: async (ext, size) => {
      if (getMultipartTicket) return withRetry(() => getMultipartTicket(ext, size), policy, signal);
      if (!signUrl) throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'multipart uploads need signUrl or getMultipartTicket');
      return fetchMultipartTicket(transport, signUrl, ext, size, request);
    },
    ...(signUrl
      ? {
          limits: () => fetchLimits(transport, signUrl, request),
          confirm: (token: string) => confirmUpload(transport, signUrl, token, request),
        }
      : {}),
    ...refresherOf(transport, policy, options),
    ...(completeMultipart
      ? { complete: (ticket: MultipartTicket, uploadId: string) => withRetry(() => completeMultipart(ticket, uploadId), policy, signal) }
      : signUrl
        ? {
            complete: async (ticket: MultipartTicket, uploadId: string) => {
              if (!ticket.confirmToken) {
                throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', "the multipart ticket says completion 'server' but lacks confirmToken");
              }
              return completeMultipartUpload(transport, signUrl, { confirmToken: ticket.confirmToken, uploadId }, request);
            },
          }
        : {}),
  };
}
