import { CosDirectError } from '../errors.js';
import { unquote } from '../lib/check.js';
import type { RetryPolicy } from '../lib/retry-policy.js';
import { xmlValue } from '../responses.js';
import { checkSize, contentTypeFor, multipartLimitOf, objectUrl } from '../ticket-limits.js';
import type { MultipartTicket, ResumeState, ResumeStore, TicketSource, Transport, UploadSource } from '../types.js';
import { abortUpload } from './abort.js';
import { UploadKey } from './key.js';
import { choosePartSize, type DonePart, planParts } from './plan.js';
import { type UploadRequest, uploadRequests } from './requests.js';

/** What the first step needs: the wire, the policy, where state is kept (if anywhere) and where tickets come from. */
export interface StartContext {
  transport: Transport;
  policy: RetryPolicy;
  tickets: TicketSource;
  /** The store and the source's id in it; absent when the upload cannot be resumed. */
  resume?: { store: ResumeStore; id: string };
  signal?: AbortSignal;
}

export interface StartOptions {
  ext: string;
  partSize?: number;
  contentType?: string;
}

/** An upload ready for its parts: its state, its key, its requests and the parts COS already holds. */
export interface Started {
  state: ResumeState;
  key: UploadKey;
  request: UploadRequest;
  done: Map<number, DonePart>;
  /** Whether it goes on from a saved upload. */
  resumed: boolean;
}

/**
 * A saved upload was allowed by the limits of its day. Before more bytes go up, the sign server's limits
 * now: one the server would no longer issue a ticket for is aborted at COS and forgotten, and refused as a
 * fresh ticket request would be.
 */
async function checkStillAllowed(ctx: StartContext, saved: ResumeState, ext: string, request: UploadRequest): Promise<void> {
  const limits = await ctx.tickets.limits?.();
  if (!limits) return;
  const max = multipartLimitOf(limits);
  const refusal =
    max !== undefined && saved.size > max
      ? new CosDirectError(
          'CLIENT_ERR_TOO_LARGE',
          `the saved upload is ${saved.size} bytes and the sign server now allows at most ${max}: it was aborted and will not resume`,
          { size: saved.size, maxSize: max },
        )
      : !limits.allowedExtensions.includes(ext.toLowerCase())
        ? new CosDirectError(
            'CLIENT_ERR_TYPE_NOT_ALLOWED',
            `the sign server no longer accepts .${ext} files: the saved upload was aborted`,
            {
              serverCode: 'SRV_ERR_INVALID_EXTENSION',
              ext,
            },
          )
        : undefined;
  if (!refusal) return;
  await abortUpload(request, saved.uploadId).catch(() => undefined);
  await ctx.resume!.store.delete(ctx.resume!.id);
  throw refusal;
}

// A saved upload is only worth resuming while its key has time left to finish.
const MIN_KEY_SECONDS = 120;

/** A server-completed upload needs someone to ask the sign server to complete it. */
function checkCompletion(completion: MultipartTicket['completion'], tickets: TicketSource) {
  if (completion === 'server' && !tickets.complete) {
    throw new CosDirectError(
      'CLIENT_ERR_INVALID_ARGUMENT',
      "the multipart ticket says completion 'server': pass signUrl or completeMultipart to complete it through the sign server",
    );
  }
}

/** List Parts, page after page: what COS holds of the upload. */
export async function listParts(request: UploadRequest, uploadId: string, signal?: AbortSignal): Promise<Map<number, DonePart>> {
  const parts = new Map<number, DonePart>();
  let marker = '0';
  for (;;) {
    const res = await request({
      what: 'List Parts',
      method: 'GET',
      query: { uploadId, 'part-number-marker': marker },
      headers: {},
      ...(signal ? { signal } : {}),
    });
    for (const block of res.text.split('<Part>').slice(1)) {
      parts.set(Number(xmlValue(block, 'PartNumber')), { etag: unquote(xmlValue(block, 'ETag')), size: Number(xmlValue(block, 'Size')) });
    }
    if (xmlValue(res.text, 'IsTruncated') !== 'true') return parts;
    marker = xmlValue(res.text, 'NextPartNumberMarker') ?? String(Math.max(...parts.keys()));
  }
}

/**
 * The listed parts still worth keeping: those of this plan's size whose content (where the platform can
 * hash the source) is still the local one; they get the local CRC-64, for the whole object's check.
 */
export async function verifiedParts(
  listed: Map<number, DonePart>,
  source: UploadSource,
  state: ResumeState,
): Promise<Map<number, DonePart>> {
  const plan = planParts(state.size, state.partSize);
  const kept = new Map<number, DonePart>();
  for (const [n, part] of listed) {
    const { start, end } = plan.range(n);
    if (n > plan.count || part.size !== end - start) continue;
    if (!source.hashRange) {
      kept.set(n, part);
      continue;
    }
    const local = await source.hashRange(start, end);
    if (!local.md5 || local.md5 === part.etag) kept.set(n, { ...part, crc64: local.crc64 });
  }
  return kept;
}

/** Initiate Multipart Upload with a fresh ticket: the state to save, with its upload id. */
export async function initiate(ctx: StartContext, source: UploadSource, options: StartOptions): Promise<ResumeState> {
  const ticket = await ctx.tickets.multipart(options.ext, source.size);
  checkSize(ticket, source.size);
  checkCompletion(ticket.completion, ctx.tickets);
  const draft: ResumeState = {
    version: 1,
    cosHost: ticket.cosHost,
    cosKey: ticket.cosKey,
    cosUrl: objectUrl(ticket.cosHost, ticket.cosKey, ticket.cosUrl),
    uploadId: '',
    partSize: choosePartSize(source.size, options.partSize),
    size: source.size,
    credentials: ticket.credentials,
    expiredTime: ticket.expiredTime,
    ...(ticket.startTime !== undefined ? { startTime: ticket.startTime } : {}),
    contentType: contentTypeFor(ticket, options.contentType),
    ...(ticket.downloadUrl ? { downloadUrl: ticket.downloadUrl } : {}),
    ...(ticket.confirmToken ? { confirmToken: ticket.confirmToken } : {}),
    completion: ticket.completion ?? 'client',
  };
  const res = await uploadRequests(
    ctx.transport,
    ctx.policy,
    draft,
  )({
    what: 'Initiate Multipart Upload',
    method: 'POST',
    query: { uploads: '' },
    headers: { 'content-type': draft.contentType },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const uploadId = xmlValue(res.text, 'UploadId');
  if (!uploadId)
    throw new CosDirectError('CLIENT_ERR_COS', 'Initiate Multipart Upload answered without an UploadId', { status: res.status });
  return { ...draft, uploadId };
}

/**
 * The saved state of this source, if it is for the same size and its key has time left or can be
 * renewed; a stale one is dropped.
 */
async function savedState(ctx: StartContext, size: number, now: number): Promise<ResumeState | undefined> {
  if (!ctx.resume) return undefined;
  const state = await ctx.resume.store.get(ctx.resume.id);
  if (!state) return undefined;
  const keyLeft = state.credentials && state.expiredTime !== undefined ? state.expiredTime - now : 0;
  if (state.size !== size || (keyLeft < MIN_KEY_SECONDS && !new UploadKey(state, ctx.tickets).canRefresh)) {
    await ctx.resume.store.delete(ctx.resume.id);
    return undefined;
  }
  return state;
}

/** The sign server's word that a saved upload cannot go on: completed, aborted, another user's, or too old. */
function isGone(e: unknown): boolean {
  if (!(e instanceof CosDirectError)) return false;
  if (e.code === 'CLIENT_ERR_COS') return true;
  return (
    e.serverCode === 'SRV_ERR_NOT_UPLOADED' ||
    e.serverCode === 'SRV_ERR_ALREADY_COMPLETED' ||
    e.serverCode === 'SRV_ERR_INVALID_CONFIRM_TOKEN' ||
    e.serverCode === 'SRV_ERR_FORBIDDEN'
  );
}

/** A state's key and requests: each request signed with the key as it is then, renewed when it runs out. */
export function keyedRequests(ctx: Pick<StartContext, 'transport' | 'policy' | 'tickets'>, state: ResumeState) {
  const key = new UploadKey(state, ctx.tickets);
  const request = key.wrap(uploadRequests(ctx.transport, ctx.policy, state, () => key.credentials));
  return { key, request };
}

/**
 * The first step: resume the source's saved upload (the parts COS lists and that still match the source),
 * or, when there is none or it is gone (completed, aborted, expired), initiate one and save its state.
 */
export async function resumeOrInitiate(ctx: StartContext, source: UploadSource, options: StartOptions): Promise<Started> {
  const saved = await savedState(ctx, source.size, Math.floor(Date.now() / 1000));
  if (saved) {
    checkCompletion(saved.completion, ctx.tickets);
    const { key, request } = keyedRequests(ctx, saved);
    try {
      await checkStillAllowed(ctx, saved, options.ext, request);
      const listed = await listParts(request, saved.uploadId, ctx.signal);
      return { state: saved, key, request, done: await verifiedParts(listed, source, saved), resumed: true };
    } catch (e) {
      if (!isGone(e)) throw e;
      await ctx.resume!.store.delete(ctx.resume!.id);
    }
  }
  const state = await initiate(ctx, source, options);
  const { key, request } = keyedRequests(ctx, state);
  key.adopt(state.startTime);
  return { state, key, request, done: new Map(), resumed: false };
}
