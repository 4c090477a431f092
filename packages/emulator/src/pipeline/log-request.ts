import type { FastifyReply, FastifyRequest } from 'fastify';
import { claimedSecretId, type IdentityLabel, type RequestLog } from '../diagnostics/request-log.js';
import { describeFault } from '../faults/rules.js';
import { header } from '../http/headers.js';

/**
 * The request's entry in the request log, once the response is over, whether answered, cut by a fault
 * or abandoned: who it acted as (or claimed to), what it touched, how it was refused, which fault fired.
 */
export function logRequest(requests: RequestLog, request: FastifyRequest, reply: FastifyReply): void {
  const st = request.cos;
  if (!st) return;
  const res = reply.raw;
  const identity: IdentityLabel =
    st.identity ??
    (() => {
      const claimed = claimedSecretId(header(st.signedHeaders, 'authorization'), st.url);
      return claimed ? { kind: 'unverified' as const, secretId: claimed } : { kind: 'anonymous' as const };
    })();
  requests.record({
    time: new Date(Date.now() - (performance.now() - st.start)).toISOString(),
    requestId: request.id,
    method: request.method,
    resource: st.resource,
    ...(st.bucket ? { bucket: st.bucket } : {}),
    ...(st.key !== undefined ? { key: st.key } : {}),
    ...(st.operation ? { operation: st.operation } : {}),
    status: res.headersSent ? res.statusCode : 0,
    ms: Math.round(performance.now() - st.start),
    identity,
    ...(st.refusal ? { refusal: st.refusal } : {}),
    ...(st.notes.length ? { notes: st.notes } : {}),
    ...(st.fault ? { fault: describeFault(st.fault) } : {}),
    ...(st.admin ? { admin: true } : {}),
  });
}

/** The logger's one line per answered request, without the query (which can hold a token). */
export function logResponse(request: FastifyRequest, reply: FastifyReply): void {
  const st = request.cos;
  request.log.info(
    {
      requestId: request.id,
      operation: st?.operation,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      ...(st?.fault ? { injected: describeFault(st.fault) } : {}),
    },
    `${request.method} ${st?.resource ?? ''} ${reply.statusCode}`,
  );
}
