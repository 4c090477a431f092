import { crc64Combine } from '@cos-direct/signer/crc64';
import { CosDirectError } from '../errors.js';
import { unquote } from '../lib/check.js';
import { xmlValue } from '../responses.js';
import type { ConfirmedUpload, MultipartTicket, ResumeState, TicketSource } from '../types.js';
import type { DonePart, PartPlan } from './plan.js';
import type { UploadRequest } from './requests.js';

/** What completing told of the object. */
export interface Completed {
  etag: string;
  crc64?: string;
  size?: number;
  requestId?: string;
  confirmed?: ConfirmedUpload;
}

export interface CompleteJob {
  request: UploadRequest;
  state: ResumeState;
  plan: PartPlan;
  done: Map<number, DonePart>;
  tickets: TicketSource;
  signal?: AbortSignal;
  /** Drops the resume state: the sign server aborted the upload or cannot find it. */
  forget: () => Promise<void>;
}

/** Complete Multipart Upload signed with the ticket's own key (completion 'client'): every part, in order, with its ETag. */
export async function completeWithTicketKey(job: CompleteJob): Promise<Completed> {
  const parts = Array.from(
    { length: job.plan.count },
    (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>&quot;${job.done.get(i + 1)!.etag}&quot;</ETag></Part>`,
  );
  const xml = new TextEncoder().encode(`<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`);
  const res = await job.request({
    what: 'Complete Multipart Upload',
    method: 'POST',
    query: { uploadId: job.state.uploadId },
    headers: { 'content-type': 'application/xml' },
    body: () => xml,
    bodySize: xml.length,
    ...(job.signal ? { signal: job.signal } : {}),
  });
  const crc64 = res.headers['x-cos-hash-crc64ecma'];
  const requestId = res.headers['x-cos-request-id'];
  return { etag: unquote(xmlValue(res.text, 'ETag')), ...(crc64 ? { crc64 } : {}), ...(requestId ? { requestId } : {}) };
}

/**
 * POST /complete-multipart (completion 'server'): the sign server lists the parts, holds their total to
 * the ticket's size (aborting the upload when it is over) and completes with its own key. An upload the
 * server aborted or cannot find is gone, so its resume state goes too.
 */
export async function completeByServer(job: CompleteJob): Promise<Completed> {
  const { state } = job;
  const ticket: MultipartTicket = {
    cosHost: state.cosHost,
    cosKey: state.cosKey,
    cosUrl: state.cosUrl,
    // The parts went up with a key, so the state holds one by now (the server completes with its own).
    credentials: state.credentials!,
    expiredTime: state.expiredTime ?? 0,
    contentType: state.contentType,
    completion: 'server',
    ...(state.confirmToken ? { confirmToken: state.confirmToken } : {}),
    ...(state.downloadUrl ? { downloadUrl: state.downloadUrl } : {}),
  };
  let confirmed: ConfirmedUpload;
  try {
    confirmed = await job.tickets.complete!(ticket, state.uploadId);
  } catch (e) {
    if (e instanceof CosDirectError && (e.status === 413 || e.status === 404)) await job.forget();
    if (e instanceof CosDirectError && e.status === 413) throw new CosDirectError('CLIENT_ERR_TOO_LARGE', e.message, { ...e, cause: e });
    throw e;
  }
  if (confirmed.key !== state.cosKey) {
    throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', `the sign server completed ${confirmed.key}, not ${state.cosKey}`);
  }
  return { etag: unquote(confirmed.etag), size: confirmed.size, ...(confirmed.crc64 ? { crc64: confirmed.crc64 } : {}), confirmed };
}

/** The CRC-64 of the whole source, combined from its parts', when every part's is known. */
export function combinedCrc(plan: PartPlan, done: Map<number, DonePart>): string | undefined {
  const parts = Array.from({ length: plan.count }, (_, i) => done.get(i + 1));
  if (!parts.every((p) => p?.crc64 !== undefined)) return undefined;
  return parts.slice(1).reduce((acc, p) => crc64Combine(acc, p!.crc64!, p!.size), parts[0]!.crc64!);
}

/**
 * The last step: completes the way the ticket said (the sign server's confirmation, or the ticket's key),
 * then checks the object's size and CRC-64 against the local source.
 */
export async function complete(job: CompleteJob): Promise<Completed> {
  const completed = job.state.completion === 'server' ? await completeByServer(job) : await completeWithTicketKey(job);
  const details = completed.requestId ? { requestId: completed.requestId } : {};
  if (completed.size !== undefined && completed.size !== job.plan.size) {
    throw new CosDirectError('CLIENT_ERR_INTEGRITY', `the object has ${completed.size} bytes, the local file ${job.plan.size}`, details);
  }
  const local = combinedCrc(job.plan, job.done);
  if (local !== undefined && completed.crc64 && completed.crc64 !== local) {
    throw new CosDirectError('CLIENT_ERR_INTEGRITY', `the object's CRC-64 is ${completed.crc64}, the local file's ${local}`, details);
  }
  return completed;
}
