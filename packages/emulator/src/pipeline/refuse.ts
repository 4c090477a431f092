import type { PassThrough } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { RefusalLog } from '../diagnostics/refusals.js';
import { CosError, CosErrors } from '../errors/index.js';
import { errorXml } from './error-response.js';
import { ClientGone, opaqueId, stateOf } from './request-state.js';

/** Stage 8: every refusal as COS's XML, with the trace id COS sends only on failures; logged and listed. */
export function refuse(refusals: RefusalLog, request: FastifyRequest, reply: FastifyReply, cosError: CosError): FastifyReply {
  const st = stateOf(request);
  const traceId = opaqueId();
  const refusal = refusals.record(
    { id: request.id, method: request.method, headers: st.headers, url: st.url },
    st.resource,
    st.operation,
    cosError,
  );
  st.refusal = {
    code: refusal.code,
    ...(refusal.reason ? { reason: refusal.reason } : {}),
    ...(Object.keys(refusal.details).length ? { details: refusal.details } : {}),
  };
  request.log.warn(
    {
      requestId: request.id,
      operation: st.operation,
      code: cosError.code,
      status: cosError.statusCode,
      reason: refusal.reason,
      ...(refusal.injected ? { injected: true, fault: st.fault?.name } : {}),
      ...refusal.details,
    },
    `${request.method} ${st.resource} refused: ${cosError.code}${refusal.reason ? ` (${refusal.reason})` : ''}`,
  );
  reply.code(cosError.statusCode);
  reply.header('x-cos-request-id', request.id).header('x-cos-trace-id', traceId).header('server', 'tencent-cos');
  for (const [k, v] of Object.entries({ ...st.cors, ...cosError.headers })) reply.header(k, v);
  // A refused upload leaves its body unread: drain it so the connection can answer, or, after a
  // timeout, close the connection once answered.
  if (st.timedOut) reply.header('connection', 'close');
  else if (!request.raw.readableEnded) {
    if (st.body !== request.raw) {
      request.raw.unpipe(st.body as PassThrough);
      st.body.resume();
    }
    request.raw.resume();
  }
  if (request.method === 'HEAD') return reply.send();
  reply.header('content-type', 'application/xml');
  return reply.send(errorXml(cosError, st.resource, request.id, traceId));
}

/** What any stage throws: a COS error as it is, a client error as InvalidArgument, anything else as InternalError. */
export function refuseError(refusals: RefusalLog, error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const st = stateOf(request);
  if (st.clientGone || error instanceof ClientGone) {
    // Nobody is left to answer: a client that hangs up mid-upload is not a refusal and not a bug.
    request.log.info(
      { requestId: request.id, operation: st.operation },
      `${request.method} ${st.resource}: the client closed the connection before the request was complete; nothing was stored`,
    );
    return reply.code(400).send();
  }
  let cosError: CosError;
  if (error instanceof CosError) {
    cosError = error;
  } else if ((error as { statusCode?: number }).statusCode && (error as { statusCode: number }).statusCode < 500) {
    cosError = CosErrors.invalidArgument((error as Error).message);
  } else {
    request.log.error({ err: error, requestId: request.id }, 'unexpected error');
    cosError = CosErrors.internalError();
  }
  return refuse(refusals, request, reply, cosError);
}

/** Fastify's own errors before routing: a path it cannot decode (PUT /bad%ff) is COS's InvalidURI, not Fastify's JSON. */
export function refuseFrameworkError(refusals: RefusalLog, error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  stateOf(request);
  const cosError =
    error.code === 'FST_ERR_BAD_URL'
      ? CosErrors.invalidUri(`the path of "${(request.raw.url ?? '').slice(0, 200)}" has malformed percent-encoding`)
      : CosErrors.invalidArgument(error.message);
  void refuse(refusals, request, reply, cosError);
}
