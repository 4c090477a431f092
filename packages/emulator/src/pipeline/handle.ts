import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../handlers/context.js';
import type { Reply } from '../http/reply.js';
import { withS3Names } from '../http/s3-dialect.js';
import type { RequestContext } from '../policy/index.js';
import { adminRoute } from '../routes/admin.js';
import { stsRoute } from '../routes/sts.js';
import { authorizeRequest, requestAccess } from './access.js';
import { authenticateRequest } from './authenticate.js';
import { answerPreflight } from './cors.js';
import type { PipelineDeps } from './deps.js';
import { applyFault, breakAnswer, breaksAnswer, CONNECTION_RESET } from './faults.js';
import { checkHeaders } from './header-check.js';
import type { Identity } from './identity.js';
import { applyCors, type FoundOperation, findOperation } from './operation.js';
import { policyContextOf } from './policy-context.js';
import type { RequestState } from './request-state.js';
import { sendReply } from './send.js';
import { watchBody } from './watch-body.js';

/** Stage 7: the operation's handler; what it throws goes to the error stage. */
function runHandler(
  deps: PipelineDeps,
  request: FastifyRequest,
  st: RequestState,
  { routed, spec, bucket }: FoundOperation,
  identity: Identity,
  policyContext: RequestContext,
  now: number,
): Promise<Reply> {
  if (spec.kind === 'preflight') throw new Error(`${routed.operation} has no handler`);
  const ctx: ServiceContext = {
    config: deps.config,
    stores: deps.stores,
    routed,
    bucket,
    headers: st.headers,
    body: st.body,
    now,
    host: st.host,
    protocol: deps.protocol,
    access: requestAccess(deps, { identity, bucket: routed.bucket, policyContext, now }),
    warn: (message) => request.log.warn({ requestId: request.id }, message),
  };
  return spec.kind === 'service' ? spec.handler(ctx) : spec.handler({ ...ctx, bucket: bucket! });
}

/** A request's way through the pipeline, one named stage at a time; any stage may throw COS's refusal. */
export function requestHandler(deps: PipelineDeps) {
  return async function handle(request: FastifyRequest, reply: FastifyReply) {
    const st = request.cos!;
    const method = request.method.toUpperCase();
    await watchBody(request, st, deps.config);
    reply.header('x-cos-request-id', request.id).header('server', 'tencent-cos');

    const own = (await adminRoute(deps, request, st, method)) ?? (await stsRoute(deps.sts, request, st, method));
    if (own) return sendReply(reply, own, method);

    const found = findOperation(deps, st, method);
    // CORS first: an answer a fault rule makes must reach a page as COS's own would, or the browser hides it.
    applyCors(st, found.bucket, method);
    const rule = await applyFault(deps.faults, request, reply, st, found.routed, method);
    if (rule === CONNECTION_RESET) return;
    if (found.spec.kind === 'preflight') return sendReply(reply, answerPreflight(st, found.bucket, found.routed.bucket), method);

    const now = deps.config.now();
    const policyContext = policyContextOf(request, st.headers, deps.protocol, now, found.routed);
    const identity = authenticateRequest({ config: deps.config, sts: deps.sts, now }, st, found.routed, method);
    authorizeRequest(deps, { headers: st.headers, ...found }, identity, policyContext);
    checkHeaders(request, st, found.routed.operation, deps.config.loose);

    const handled = await runHandler(deps, request, st, found, identity, policyContext, now);
    // An S3 client reads metadata, version ids and the like under S3's names; COS's stay beside them.
    const answer = st.dialect.s3 ? { ...handled, headers: withS3Names(handled.headers ?? {}) } : handled;
    if (breaksAnswer(rule)) return breakAnswer(reply, { ...answer, headers: { ...st.cors, ...answer.headers } }, method, rule);
    return sendReply(reply, answer, method);
  };
}
