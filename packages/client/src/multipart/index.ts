import { abortError } from '../errors.js';
import type { RetryPolicy } from '../lib/retry-policy.js';
import { isExpiry } from '../responses.js';
import { expired } from '../ticket-limits.js';
import type { ResumeStore, TicketSource, Transport, UploadOptions, UploadResult, UploadSource } from '../types.js';
import { abortUpload } from './abort.js';
import { complete } from './complete.js';
import { uploadParts } from './parts.js';
import { planParts } from './plan.js';
import { recorder } from './record.js';
import { resumeOrInitiate } from './start.js';

export interface MultipartContext {
  transport: Transport;
  policy: RetryPolicy;
  tickets: TicketSource;
  resumeStore?: ResumeStore;
}

/** A multipart upload in its four steps: resume or initiate, upload the parts, complete, and abort when aborted. */
export async function multipartUpload(
  ctx: MultipartContext,
  source: UploadSource,
  options: UploadOptions,
  ext: string,
): Promise<UploadResult> {
  const { signal } = options;
  const store = options.resume === false ? undefined : ctx.resumeStore;
  const resume = source.identity && store ? { store, id: `${options.signUrl ?? 'custom'}|${source.identity}` } : undefined;
  const { state, key, request, done, resumed } = await resumeOrInitiate(
    { transport: ctx.transport, policy: ctx.policy, tickets: ctx.tickets, ...(resume ? { resume } : {}), ...(signal ? { signal } : {}) },
    source,
    {
      ext,
      ...(options.partSize !== undefined ? { partSize: options.partSize } : {}),
      ...(options.contentType ? { contentType: options.contentType } : {}),
    },
  );
  const record = recorder(
    state,
    resume && {
      ...resume,
      // Without a way to renew the key, a resumed upload needs the stored one.
      withCredentials: options.storeCredentials ?? !key.canRefresh,
      ...(source.name !== undefined ? { name: source.name } : {}),
      ...(source.identity !== undefined ? { fingerprint: source.identity } : {}),
      ...(options.signUrl !== undefined ? { signUrl: options.signUrl } : {}),
    },
  );
  const forget = record.forget;
  await record.save(done);
  const plan = planParts(source.size, state.partSize);
  const partsResumed = done.size;
  const detail = () => ({ parts: plan.count, partsDone: done.size, partsResumed, resumed });
  try {
    const partsUploaded = await uploadParts({
      request,
      uploadId: state.uploadId,
      source,
      plan,
      done,
      concurrency: options.concurrency ?? 4,
      ...(signal ? { signal } : {}),
      onProgress: (sent) => options.onProgress?.(sent, plan.size, detail()),
      onPartDone: () => void record.save(done),
    });
    if (signal?.aborted) throw abortError();
    const completed = await complete({ request, state, plan, done, tickets: ctx.tickets, forget, ...(signal ? { signal } : {}) });
    await forget();
    options.onProgress?.(plan.size, plan.size, detail());
    return {
      key: state.cosKey,
      host: state.cosHost,
      url: state.cosUrl,
      ...(state.downloadUrl ? { downloadUrl: state.downloadUrl } : {}),
      etag: completed.etag,
      size: plan.size,
      crc64: completed.crc64 ?? '',
      method: 'multipart',
      partsUploaded,
      contentType: completed.confirmed?.contentType ?? state.contentType,
      ...(completed.confirmed ? { confirmed: completed.confirmed } : {}),
    };
  } catch (e) {
    // The state as it is now, with every part that finished: what the next run resumes from.
    await record.save(done);
    if (signal?.aborted) {
      // The caller means to come back (Ctrl-C in the CLI): the parts and the state stay for the next run.
      if (options.keepResumeOnAbort && resume) throw abortError();
      // Otherwise aborting cleans up: no parts left behind, nothing to resume.
      await abortUpload(request, state.uploadId).catch(() => undefined);
      await forget();
      throw abortError();
    }
    // The temporary key ran out mid-upload and could not be renewed (a fresh ticket would name another key).
    if (isExpiry(e)) throw expired(e);
    throw e;
  }
}
