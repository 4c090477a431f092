import type { Interceptor } from './dispatch.js';

/**
 * Reports the bytes of the body sent so far, through all attempts: at most the body's size, back to 0
 * when an attempt fails (the next one sends it all again), the whole size once it is accepted.
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
