import type { Interceptor } from './dispatch.js';

/**
 * Reports the bytes of the body sent so far: at most the body's size; a retry counts again from its first
 * byte (it sends the whole body again); the whole size once it is accepted, 0 when the request failed.
 */
export function progress(): Interceptor {
  return (next) => async (req) => {
    const report = req.onProgress;
    if (!report) return next(req);
    const size = req.bodySize ?? 0;
    try {
      const res = await next({ ...req, onProgress: (sent) => report(Math.min(sent, size)) });
      report(size);
      return res;
    } catch (e) {
      report(0);
      throw e;
    }
  };
}
