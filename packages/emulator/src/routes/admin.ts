import type { FastifyRequest } from 'fastify';
import { consoleRedirect, serveAdmin } from '../console/admin.js';
import type { Reply } from '../http/reply.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import type { RequestState } from '../pipeline/request-state.js';

/**
 * Emulator endpoints on the bare address (never on a bucket's virtual host): health for container
 * checks, the CA certificate so a device can fetch and trust it, and the recent refusals. The path
 * starts with two slashes: a COS key never starts with "/", so no object can be shadowed by them.
 */
export const ADMIN_PREFIX = '//_emulator/';

/** The emulator's own endpoints and the console, or undefined for a request that is not theirs. */
export async function adminRoute(
  deps: PipelineDeps,
  request: FastifyRequest,
  st: RequestState,
  method: string,
): Promise<Reply | undefined> {
  const { url, host, headers } = st;
  let answer: Reply | undefined;
  if (url.startsWith(ADMIN_PREFIX) && !/\.cos[.-]/.test(host)) {
    const q = url.indexOf('?');
    answer = await serveAdmin(deps, {
      method,
      path: (q < 0 ? url : url.slice(0, q)).slice(ADMIN_PREFIX.length),
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
      headers,
      ip: request.ip,
      body: st.body,
    });
  }
  answer ??= consoleRedirect(method, url, host, headers, deps.protocol);
  if (answer) st.admin = true;
  return answer;
}
