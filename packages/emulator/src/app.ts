import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { EmulatorConfig } from './config.js';
import { consoleRedirect, serveAdmin } from './console/admin.js';
import type { RefusalLog } from './diagnostics/refusals.js';
import { claimedSecretId, type IdentityLabel, type RequestLog } from './diagnostics/request-log.js';
import { describeFault, injectedError, type FaultInjector, type FaultRule } from './faults/rules.js';
import { CosError, CosErrors } from './errors/index.js';
import { caseResponseHeaders } from './http/header-case.js';
import { header, readSmallBody, type Reply, type ServiceContext } from './handlers/context.js';
import type { Stores } from './persistence/index.js';
import { authenticate, type Identity } from './pipeline/authenticate.js';
import { authorize } from './pipeline/authorize.js';
import { checkReferer } from './bucket-config/referer.js';
import type { BucketPolicy } from './policy/bucket-policy.js';
import { corsResponseHeaders, preflight } from './pipeline/cors.js';
import { errorXml } from './pipeline/error-response.js';
import { foreignHeaders, unknownHeaders } from './pipeline/headers.js';
import { routeRequest, type Operation, type RoutedRequest } from './pipeline/route.js';
import { OPERATIONS, resourceOf } from './operations.js';
import { grantContextOf, type RequestContext } from './policy/index.js';
import type { StsService } from './sts/index.js';

export interface AppDeps {
  config: EmulatorConfig;
  stores: Stores;
  sts: StsService;
  /** PEM of the CA, served at //_emulator/ca.pem for phones, browsers and containers' clients. */
  caCert?: string;
  /** Recent refusals, served at //_emulator/refusals; shared by the http and https listeners. */
  refusals: RefusalLog;
  /** Every answered request, for the terminal, //_emulator/requests and the console's live log. */
  requests: RequestLog;
  /** The fault rules in force (//_emulator/faults). */
  faults: FaultInjector;
}

/**
 * Emulator endpoints on the bare address (never on a bucket's virtual host): health for container
 * checks, the CA certificate so a device can fetch and trust it, and the recent refusals. The path
 * starts with two slashes: a COS key never starts with "/", so no object can be shadowed by them.
 */
export const ADMIN_PREFIX = '//_emulator/';

// Request and trace ids look like COS's: opaque base64 of 16 bytes. They need to be unique, not secret:
// a random prefix drawn once per process and a counter, cheaper than random bytes per request.
const idBytes = randomBytes(16);
let idSeq = 0;
const opaqueId = () => {
  idSeq = (idSeq + 1) % 2 ** 48;
  idBytes.writeUIntBE(idSeq, 10, 6);
  return idBytes.toString('base64');
};

/** What the pipeline learns about a request, kept on the request for the error stage and the log line. */
interface RequestState {
  /** The raw request target, the Host header, and `<host><path>` as error documents and logs name it. */
  url: string;
  host: string;
  resource: string;
  cors: Record<string, string>;
  operation?: Operation;
  /** Headers as sent (Fastify drops an empty Content-Type, which the official SDKs send). */
  headers: FastifyRequest['headers'];
  /** The body as handlers read it: the socket's stream, or the timeout watchdog in front of it (`watchBody`). */
  body: Readable;
  /** Set once the client went away before the answer: nothing to answer, nothing to record. */
  clientGone: boolean;
  /** Set when a timeout cut the body short: the connection closes after the answer. */
  timedOut: boolean;
  /** For the request log: when it came, who it acted as, what it touched, how it was refused, which fault fired. */
  start: number;
  identity?: IdentityLabel;
  bucket?: string;
  key?: string;
  refusal?: { code: string; reason?: string; details?: Record<string, string> };
  fault?: FaultRule;
  admin?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    cosState?: RequestState;
  }
}

class ClientGone extends Error {
  override readonly name = 'ClientGone';
}

function policyContextOf(
  request: FastifyRequest,
  headers: FastifyRequest['headers'],
  protocol: 'http' | 'https',
  now: number,
  routed: RoutedRequest,
) {
  const length = header(headers, 'content-length');
  const prefix = routed.params.prefix;
  const responseType = routed.params['response-content-type'];
  return {
    'qcs:ip': request.ip,
    'qcs:current_time': now,
    'cos:secure-transport': protocol === 'https',
    'cos:content-length': length === undefined ? undefined : Number(length),
    'cos:content-type': header(headers, 'content-type'),
    'cos:x-cos-acl': header(headers, 'x-cos-acl'),
    // The header as sent: COS documents the request's x-cos-tagging as a condition key.
    'cos:x-cos-tagging': header(headers, 'x-cos-tagging'),
    'cos:x-cos-storage-class': header(headers, 'x-cos-storage-class'),
    'cos:prefix': prefix === undefined ? undefined : encodeURIComponent(prefix),
    'cos:versionid': routed.params.versionid,
    // GetObject's override of the answer's type, compared URL-encoded like cos:prefix (image%2Fjpeg).
    'cos:response-content-type': responseType === undefined ? undefined : encodeURIComponent(responseType),
    ...grantContextOf((name) => header(headers, name)),
  } satisfies RequestContext;
}

/**
 * Stage 1 (onRequest): per-request state. A body starts as the socket's stream; `watchBody` may put the
 * timeout watchdog in front of it.
 */
function admit(request: FastifyRequest): void {
  const headers = request.headers['content-type'] === '' ? { ...request.headers } : request.headers;
  if (request.headers['content-type'] === '') delete request.headers['content-type'];
  const raw = request.raw;
  const url = raw.url ?? '/';
  const host = header(headers, 'host') ?? '';
  const q = url.indexOf('?');
  const resource = host + (q < 0 ? url : url.slice(0, q));
  request.cosState = {
    url,
    host,
    resource,
    cors: {},
    headers,
    body: raw,
    clientGone: false,
    timedOut: false,
    start: performance.now(),
  };
}

/**
 * Before a handler reads the body: a body the socket has delivered whole (a small one usually arrives
 * with its headers, and is parsed by the time the request's first microtask runs) is read as it is:
 * nothing is left to time out.
 * Any other goes through a watchdog between the socket and the handlers, which ends a body that stays
 * silent too long or outlasts the request timeout with RequestTimeout, and notices a client that hangs
 * up mid-body.
 */
async function watchBody(request: FastifyRequest, config: EmulatorConfig): Promise<void> {
  const st = request.cosState!;
  const { headers } = st;
  const raw = request.raw;
  const length = headers['content-length'];
  const hasBody = length !== undefined ? length !== '0' : headers['transfer-encoding'] !== undefined;
  if (!hasBody) return;
  // Nothing has read the stream yet, so what it buffers is the body from its first byte. The parser
  // reports the body's bytes and then, separately, the message's end: microtasks run between the two.
  const whole = () => raw.complete || (length !== undefined && raw.readableLength >= Number(length));
  if (!whole()) await null;
  if (whole()) return;
  const body = new PassThrough({ highWaterMark: 64 * 1024 });
  // Readers attach their own error listeners; this one keeps an unread, destroyed body from crashing the process.
  body.on('error', () => undefined);
  st.body = body;
  let idle: NodeJS.Timeout | undefined;
  let total: NodeJS.Timeout | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearTimeout(idle);
    clearTimeout(total);
  };
  const cut = (reason: string) => {
    stop();
    st.timedOut = true;
    raw.unpipe(body);
    body.destroy(CosErrors.requestTimeout(reason));
  };
  // Idle time counts only while the emulator is ready for more: a body held back by a slow store is not silent.
  // One timer per body, restarted in place on each chunk (cheaper than a new timer per chunk).
  const armIdle = () => {
    if (stopped || config.bodyIdleTimeoutMs <= 0) return;
    if (body.writableNeedDrain) {
      clearTimeout(idle);
      idle = undefined;
    } else if (idle) idle.refresh();
    else {
      idle = setTimeout(
        () => cut(`the request body sent nothing for ${config.bodyIdleTimeoutMs} ms (bodyIdleTimeoutMs / --body-idle-timeout)`),
        config.bodyIdleTimeoutMs,
      );
    }
  };
  if (config.requestTimeoutMs > 0) {
    const left = config.requestTimeoutMs - (performance.now() - st.start);
    total = setTimeout(
      () => cut(`the request took longer than ${config.requestTimeoutMs} ms (requestTimeoutMs / --request-timeout)`),
      Math.max(0, left),
    );
  }
  // After pipe's own listener, so that a chunk which fills the buffer is seen as holding the body back.
  raw.pipe(body);
  armIdle();
  raw.on('data', armIdle);
  body.on('drain', armIdle);
  raw.once('end', stop);
  const gone = () => {
    stop();
    if (!raw.complete && !st.timedOut) {
      st.clientGone = true;
      body.destroy(new ClientGone('the client closed the connection before the body was complete'));
    }
  };
  // The client may have gone during the microtask above, before this listener.
  if (raw.destroyed) gone();
  else raw.once('close', gone);
}

/**
 * Stage 6b: a fault rule's broken answer after the handler ran: the headers and part of the body, then
 * the connection closed (truncate) or reset (reset mid-body). Without a body, the status line and part
 * of the headers are all that is sent.
 */
async function cutAnswer(reply: FastifyReply, r: Reply, method: string, rule: FaultRule): Promise<void> {
  let body = Buffer.alloc(0);
  if (r.body !== undefined && method !== 'HEAD') {
    if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) body = Buffer.from(r.body);
    else {
      const chunks: Buffer[] = [];
      for await (const chunk of r.body) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    }
  } else if (r.body && typeof (r.body as Readable).destroy === 'function') (r.body as Readable).destroy();
  reply.hijack();
  const res = reply.raw;
  const socket = res.socket;
  if (!socket) return;
  const finish = () => (rule.action.kind === 'truncate' ? socket.end() : resetConnection(socket));
  const headers = { ...(reply.getHeaders() as Record<string, string>), ...r.headers };
  if (body.length === 0) {
    const head = `HTTP/1.1 ${r.status} ${r.status < 300 ? 'OK' : 'Error'}\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}`;
    socket.write(head.slice(0, Math.max(1, Math.floor(head.length / 2))), finish);
    return;
  }
  const keep = Math.min(
    rule.action.kind === 'truncate' && rule.action.bytes !== undefined ? rule.action.bytes : Math.floor(body.length / 2),
    body.length - 1,
  );
  res.writeHead(r.status, { ...headers, 'content-length': String(body.length) });
  res.write(body.subarray(0, keep), finish);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Closes a connection abruptly: a TCP reset where Node can send one (plain sockets), else a plain destroy (TLS). */
function resetConnection(socket: import('node:net').Socket): void {
  if ('encrypted' in socket) socket.destroy();
  else socket.resetAndDestroy();
}

/** Builds one listener's Fastify app; the http and https listeners share stores and STS. */
export function buildApp(deps: AppDeps, protocol: 'http' | 'https', https?: { key: string; cert: string }): FastifyInstance {
  const { config, stores, sts } = deps;
  const app = Fastify({
    logger: config.logger as never,
    ...(https ? { https } : {}),
    genReqId: opaqueId,
    requestIdHeader: false,
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 65535 },
    // One line per request is written by the onResponse hook instead, without the query (which can hold a token).
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    return503OnClosing: true,
    // Bodies stream straight to the stores; this only bounds what Fastify itself would buffer.
    bodyLimit: 1024 * 1024,
    // A path Fastify cannot decode (PUT /bad%ff) gets COS's InvalidURI, not Fastify's JSON.
    frameworkErrors: (error, request, reply) => {
      if (!request.cosState) admit(request);
      const cosError =
        (error as { code?: string }).code === 'FST_ERR_BAD_URL'
          ? CosErrors.invalidUri(`the path of "${(request.raw.url ?? '').slice(0, 200)}" has malformed percent-encoding`)
          : CosErrors.invalidArgument(error.message);
      void refuse(request, reply, cosError);
    },
  }) as unknown as FastifyInstance;
  caseResponseHeaders(app.server);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  // Hooks take callbacks rather than being async: a promise per hook per request is measurable on small requests.
  app.addHook('onRequest', (request, reply, done) => {
    admit(request);
    // One entry per request once the response is over, whether answered, cut by a fault or abandoned.
    reply.raw.once('close', () => logRequest(request, reply));
    done();
  });

  const logRequest = (request: FastifyRequest, reply: FastifyReply) => {
    const st = request.cosState;
    if (!st) return;
    const res = reply.raw;
    const identity: IdentityLabel =
      st.identity ??
      (() => {
        const claimed = claimedSecretId(header(st.headers, 'authorization'), st.url);
        return claimed ? { kind: 'unverified' as const, secretId: claimed } : { kind: 'anonymous' as const };
      })();
    deps.requests.record({
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
      ...(st.fault ? { fault: describeFault(st.fault) } : {}),
      ...(st.admin ? { admin: true } : {}),
    });
  };

  const send = (reply: FastifyReply, r: Reply, method: string) => {
    reply.code(r.status);
    for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
    if (method === 'HEAD' || r.body === undefined) {
      if (r.body && typeof (r.body as Readable).destroy === 'function') (r.body as Readable).destroy();
      return reply.send();
    }
    return reply.send(r.body);
  };

  /** Stage 5: root may do anything, temporary keys are held to their policy, anonymous requests to ACLs. */
  const check = (id: Identity, action: string, bucketName: string, key: string, context: RequestContext, objectKey = key) => {
    if (id.kind === 'root') return;
    const b = stores.metadata.getBucket(bucketName);
    const o = objectKey ? stores.metadata.getObject(bucketName, objectKey) : undefined;
    const policy = stores.metadata.getBucketConfig(bucketName, 'policy')?.document as BucketPolicy | undefined;
    authorize(
      id,
      {
        action,
        bucket: bucketName,
        key,
        context,
        bucketAcl: b?.acl,
        ...(b?.grants ? { bucketGrants: b.grants } : {}),
        objectAcl: o?.acl,
        ...(o?.grants ? { objectGrants: o.grants } : {}),
        ...(policy ? { bucketPolicy: policy } : {}),
      },
      config,
    );
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const st = request.cosState!;
    await watchBody(request, config);
    reply.header('x-cos-request-id', request.id).header('server', 'tencent-cos');
    const { headers, host, url } = st;
    const method = request.method.toUpperCase();

    // Stage 2: route (the emulator's endpoints, STS, then a COS operation from the table).
    if (url.startsWith(ADMIN_PREFIX) && !/\.cos[.-]/.test(host)) {
      const q = url.indexOf('?');
      const admin = await serveAdmin(deps, {
        method,
        path: (q < 0 ? url : url.slice(0, q)).slice(ADMIN_PREFIX.length),
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        headers,
        ip: request.ip,
        body: st.body,
      });
      if (admin) {
        st.admin = true;
        return send(reply, admin, method);
      }
    }
    const toConsole = consoleRedirect(method, url, host, headers, protocol);
    if (toConsole) {
      st.admin = true;
      return send(reply, toConsole, method);
    }

    if (sts.isStsRequest({ method, url, headers })) {
      let body: Buffer;
      try {
        body = await readSmallBody(st.body, 64 * 1024);
      } catch (e) {
        if (e instanceof CosError) throw e;
        throw CosErrors.invalidArgument(`STS request body: ${(e as Error).message}`);
      }
      const res = sts.handle({ method, host, url, headers, body, ip: request.ip });
      return send(reply, { status: res.statusCode, headers: res.headers, body: res.body }, method);
    }

    // Routing asks whether the bucket exists, and the stages below need its record: read it once.
    let looked: { name: string; record: ReturnType<typeof stores.metadata.getBucket> } | undefined;
    const bucketNamed = (name: string) => {
      if (looked?.name !== name) looked = { name, record: stores.metadata.getBucket(name) };
      return looked.record;
    };
    const routed = routeRequest({
      method,
      url,
      host,
      contentType: header(headers, 'content-type') ?? '',
      copySource: header(headers, 'x-cos-copy-source') !== undefined,
      bucketExists: (name) => bucketNamed(name) !== undefined,
      defaultBucket: config.buckets[0]!,
      pathStyle: config.pathStyle,
    });
    st.operation = routed.operation;
    const spec = OPERATIONS[routed.operation];
    if (routed.bucket) st.bucket = routed.bucket;
    if (spec.scope === 'object') st.key = routed.key;

    // Stage 2b: a fault rule that selects this request: latency first, then its answer, or a reset connection.
    const rule = deps.faults.match({ operation: routed.operation, method, bucket: routed.bucket, key: routed.key });
    if (rule) {
      st.fault = rule;
      if (rule.latencyMs > 0) await sleep(rule.latencyMs);
      if (rule.action.kind === 'error') throw injectedError(rule);
      if (rule.action.kind === 'reset-before-response') {
        reply.hijack();
        resetConnection(request.raw.socket);
        return;
      }
    }
    const bucketRecord = routed.bucket ? bucketNamed(routed.bucket) : undefined;
    if (bucketRecord) st.cors = corsResponseHeaders(bucketRecord.cors, header(headers, 'origin'), method === 'OPTIONS' ? 'GET' : method);

    // Stage 3: a CORS preflight is answered from the bucket's rules, unauthenticated.
    if (spec.kind === 'preflight') {
      if (!bucketRecord) throw CosErrors.noSuchBucket(routed.bucket);
      const verdict = preflight(
        bucketRecord.cors,
        header(headers, 'origin'),
        header(headers, 'access-control-request-method'),
        header(headers, 'access-control-request-headers'),
      );
      if (!verdict.ok) throw CosErrors.accessForbiddenCors(verdict.reason);
      st.cors = {};
      return send(reply, { status: 200, headers: verdict.headers }, method);
    }

    // Stage 4: authenticate (Authorization header, presigned query, sign=, else anonymous; a POST form signs itself).
    const now = config.now();
    const policyContext = policyContextOf(request, headers, protocol, now, routed);
    const signed = {
      operation: routed.operation,
      bucket: routed.bucket,
      key: routed.key,
      method,
      signedPath: routed.signedPath,
      query: routed.query,
      headers,
      body: st.body,
    };
    const identity: Identity = authenticate(signed, config, sts, now);
    // A SigV4 signature with a payload hash hands back the body wrapped in a check of that hash.
    st.body = signed.body;
    st.identity = identity.kind === 'anonymous' ? identity : { kind: identity.kind, secretId: identity.secretId };

    // Stage 5: authorize the operation's action on its resource (list operations: <bucket>/<prefix>).
    if (spec.kind === 'bucket' && !bucketRecord) throw CosErrors.noSuchBucket(routed.bucket);
    if (bucketRecord && routed.operation !== 'PostObject') {
      // Hotlink protection: unsigned requests (and, if the bucket asks, presigned URLs) are held to its Referer rules.
      const signature = identity.kind === 'anonymous' ? 'none' : header(headers, 'authorization') ? 'header' : 'query';
      const referer = stores.metadata.getBucketConfig(bucketRecord.name, 'referer')?.document as Record<string, unknown> | undefined;
      checkReferer(referer, header(headers, 'referer'), signature);
    }
    if (routed.operation !== 'PostObject') {
      const resource = resourceOf(routed);
      check(identity, spec.action, resource.bucket, resource.key, policyContext, spec.scope === 'object' ? routed.key : '');
    }

    // Stage 6: headers naming features the emulator does not implement are refused, never ignored
    // (after authorization, so that what COS would refuse is refused as COS does).
    for (const name of unknownHeaders(headers, routed.operation)) {
      if (!config.loose) throw CosErrors.notImplementedHeader(name);
      request.log.warn({ requestId: request.id, header: name }, `--loose: ignoring the unimplemented "${name}" header`);
    }
    for (const name of foreignHeaders(headers)) {
      request.log.info({ requestId: request.id, header: name }, `ignoring "${name}": COS defines no such header and ignores it`);
    }

    // Stage 7: the operation's handler; what it throws goes to the error stage below.
    const ctx: ServiceContext = {
      config,
      stores,
      sts,
      routed,
      bucket: bucketRecord,
      headers,
      body: st.body,
      now,
      host,
      protocol,
      identity,
      policyContext,
      authorizeAlso: (action, key, bucketName) => check(identity, action, bucketName ?? routed.bucket, key, policyContext),
      authorizeAs: (id, action, key, context) => check(id, action, routed.bucket, key, context),
      warn: (message) => request.log.warn({ requestId: request.id }, message),
    };
    const result = spec.kind === 'service' ? await spec.handler(ctx) : await spec.handler({ ...ctx, bucket: bucketRecord! });
    if (rule && (rule.action.kind === 'truncate' || rule.action.kind === 'reset-mid-body')) return cutAnswer(reply, result, method, rule);
    return send(reply, result, method);
  };

  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'], url: '/*', handler: handle });
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'], url: '/', handler: handle });

  app.setNotFoundHandler((request) => {
    throw CosErrors.methodNotAllowed(`${request.method} is not a COS method`);
  });

  /** Stage 8: every refusal as COS's XML, with the trace id COS sends only on failures; logged and listed. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, cosError: CosError) => {
    const st = request.cosState!;
    const traceId = opaqueId();
    const refusal = deps.refusals.record(request, st.resource, st.operation, cosError);
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
        reason: cosError.reason,
        ...(refusal.injected ? { injected: true, fault: st.fault?.name } : {}),
        ...refusal.details,
      },
      `${request.method} ${st.resource} refused: ${cosError.code}${cosError.reason ? ` (${cosError.reason})` : ''}`,
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
  };

  app.setErrorHandler((error, request, reply) => {
    if (!request.cosState) admit(request);
    const st = request.cosState!;
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
    return refuse(request, reply, cosError);
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const st = request.cosState;
    if (st) for (const k in st.cors) if (!reply.hasHeader(k)) reply.header(k, st.cors[k]);
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const st = request.cosState;
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
    done();
  });
  return app;
}
