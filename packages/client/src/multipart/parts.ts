import { unquote } from '../lib/check.js';
import type { UploadSource } from '../types.js';
import type { DonePart, PartPlan } from './plan.js';
import type { UploadRequest } from './requests.js';

export interface PartsJob {
  request: UploadRequest;
  uploadId: string;
  source: UploadSource;
  plan: PartPlan;
  /** Parts COS holds already; each part this step uploads is added. */
  done: Map<number, DonePart>;
  /** Parts in flight at once. */
  concurrency: number;
  signal?: AbortSignal;
  /** Bytes of the source COS holds or is receiving, after every change. */
  onProgress?: (sent: number) => void;
  /** After each part COS accepted, once it is in `done`. */
  onPartDone?: (n: number) => void;
}

/**
 * Uploads the parts COS does not hold, `concurrency` at a time, each on the request path (so each part is
 * retried on its own, and sent again in full). The first part that fails for good is the step's error: no
 * part starts after it, and those in flight finish, so that a resumed upload finds them. Resolves with the
 * number of parts sent.
 */
export async function uploadParts(job: PartsJob): Promise<number> {
  const { request, uploadId, source, plan, done } = job;
  const todo = Array.from({ length: plan.count }, (_, i) => i + 1).filter((n) => !done.has(n));
  const inFlight = new Map<number, number>();
  let held = [...done.values()].reduce((sum, p) => sum + p.size, 0);
  const report = () => {
    let sent = held;
    for (const v of inFlight.values()) sent += v;
    job.onProgress?.(Math.min(sent, plan.size));
  };
  report();

  let uploaded = 0;
  const uploadPart = async (n: number) => {
    const { start, end } = plan.range(n);
    const res = await request({
      what: `Upload Part ${n}`,
      method: 'PUT',
      query: { partNumber: String(n), uploadId },
      headers: { 'content-length': String(end - start) },
      body: () => source.slice(start, end),
      bodySize: end - start,
      ...(job.signal ? { signal: job.signal } : {}),
      onProgress: (sent) => {
        inFlight.set(n, sent);
        report();
      },
    });
    inFlight.delete(n);
    done.set(n, { etag: unquote(res.headers.etag), size: end - start, crc64: res.headers['x-cos-hash-crc64ecma'] ?? res.sent?.crc64 });
    held += end - start;
    uploaded++;
    job.onPartDone?.(n);
    report();
  };
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(job.concurrency, todo.length) }, async () => {
    while (next < todo.length && !failed) {
      try {
        await uploadPart(todo[next++]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  });
  const failure = (await Promise.allSettled(workers)).find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  return uploaded;
}
