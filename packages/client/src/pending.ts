import { CosDirectError } from './errors.js';
import { resolveRetryPolicy } from './lib/retry-policy.js';
import { abortUpload } from './multipart/abort.js';
import { keyedRequests } from './multipart/start.js';
import { refresherOf } from './tickets.js';
import type { AbandonOptions, PendingUpload, ResumeState, ResumeStore, Transport } from './types.js';

/** What a saved upload amounts to, for a page to offer resuming or abandoning it. */
export function pendingOf(id: string, state: ResumeState, now: number): PendingUpload {
  const parts = state.parts ?? [];
  const uploaded = parts.reduce((sum, p) => sum + p.size, 0);
  const startedAt = state.startedAt ?? 0;
  return {
    id,
    ...(state.name !== undefined ? { name: state.name } : {}),
    size: state.size,
    uploaded,
    progress: state.size > 0 ? uploaded / state.size : 0,
    parts: Math.max(1, Math.ceil(state.size / state.partSize)),
    partsDone: parts.length,
    startedAt,
    updatedAt: state.updatedAt ?? startedAt,
    age: startedAt ? Math.max(0, now - startedAt) : 0,
    key: state.cosKey,
    ...(state.fingerprint !== undefined ? { fingerprint: state.fingerprint } : {}),
    ...(state.signUrl !== undefined ? { signUrl: state.signUrl } : {}),
  };
}

/** The uploads a store holds, oldest first. */
export async function listPending(store: ResumeStore | undefined): Promise<PendingUpload[]> {
  if (!store?.list) return [];
  const now = Date.now();
  return (await store.list()).map(({ id, state }) => pendingOf(id, state, now)).sort((a, b) => a.startedAt - b.startedAt);
}

const isNoSuchUpload = (e: unknown) =>
  e instanceof CosDirectError &&
  ((e.code === 'CLIENT_ERR_COS' && e.cosCode === 'NoSuchUpload') ||
    e.serverCode === 'SRV_ERR_NOT_UPLOADED' ||
    e.serverCode === 'SRV_ERR_ALREADY_COMPLETED');

/**
 * Abort Multipart Upload of a saved upload, with its stored key or a renewed one, then forgets it. An
 * upload COS no longer holds (aborted, completed) is only forgotten.
 */
export async function abandonWith(transport: Transport, store: ResumeStore | undefined, id: string, options: AbandonOptions = {}) {
  if (typeof id !== 'string' || id === '')
    throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'abandonUpload needs the id of a pending upload');
  const state = await store?.get(id);
  if (!store || !state) return;
  const policy = resolveRetryPolicy(options.retryPolicy, options.retries);
  const tickets = { direct: unavailable, multipart: unavailable, ...refresherOf(transport, policy, options) };
  const { key, request } = keyedRequests({ transport, policy, tickets }, state);
  if (!state.credentials && !key.canRefresh) {
    throw new CosDirectError(
      'CLIENT_ERR_INVALID_ARGUMENT',
      'the saved upload keeps no key: pass signUrl (or refreshMultipart) to get one for the abort',
    );
  }
  try {
    await abortUpload(request, state.uploadId, options.signal);
  } catch (e) {
    if (!isNoSuchUpload(e)) throw e;
  }
  await store.delete(id);
}

async function unavailable(): Promise<never> {
  throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'no ticket is issued to abandon an upload');
}
