import { abortError, CosDirectError } from './errors.js';
import { resolveRetryPolicy } from './lib/retry-policy.js';
import { multipartUpload } from './multipart/index.js';
import { putUpload } from './put.js';
import { ticketSourceOf } from './tickets.js';
import type { DirectTicket, ResumeStore, Transport, UploadOptions, UploadResult, UploadSource } from './types.js';

export { contentTypeFor } from './ticket-limits.js';

const MiB = 1024 * 1024;

/** What a platform (Node, browser) provides to the shared upload logic. */
export interface Platform {
  transport: Transport;
  resumeStore?: ResumeStore;
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

/** Uploads a source through tickets from the sign server: one PUT, or multipart for big files. */
export async function uploadWith(platform: Platform, source: UploadSource, options: UploadOptions): Promise<UploadResult> {
  if (!Number.isSafeInteger(source.size) || source.size < 0) {
    throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'the source size must be known (a non-negative integer)');
  }
  const policy = resolveRetryPolicy(options.retryPolicy, options.retries);
  if (options.signal?.aborted) throw abortError();
  const threshold = options.multipartThreshold ?? 8 * MiB;
  const ext = extOf(source, options);
  const tickets = ticketSourceOf(platform.transport, policy, options);
  if (source.size >= threshold && source.size > 0 && source.repeatable) {
    return multipartUpload(
      { transport: platform.transport, policy, tickets, ...(platform.resumeStore ? { resumeStore: platform.resumeStore } : {}) },
      source,
      options,
      ext,
    );
  }
  let ticket: DirectTicket | undefined;
  const result = await putUpload(
    platform.transport,
    source,
    options,
    policy,
    async () => (ticket = await tickets.direct(ext)),
    tickets.confirm,
  );
  const token = ticket?.confirmToken;
  if (result.confirmed || !options.confirm || !token || !tickets.confirm) return result;
  return { ...result, confirmed: await tickets.confirm(token) };
}
