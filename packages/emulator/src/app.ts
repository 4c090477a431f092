import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { EmulatorConfig } from './config.js';
import type { RefusalLog } from './diagnostics/refusals.js';
import { CosError, CosErrors } from './errors/index.js';
import * as bucket from './handlers/bucket.js';
import { header, readSmallBody, XML, type HandlerContext, type Reply } from './handlers/context.js';
import * as multipart from './handlers/multipart.js';
import * as object from './handlers/object.js';
import { aclOf } from './handlers/metadata-headers.js';
import { postObject } from './handlers/post-object.js';
import type { Stores } from './persistence/index.js';
import { authenticate, type Identity } from './pipeline/authenticate.js';
import { authorize } from './pipeline/authorize.js';
import { corsResponseHeaders, DEV_CORS_RULE, preflight } from './pipeline/cors.js';
import { errorXml } from './pipeline/error-response.js';
import { ACTION_OF, routeRequest, type Operation, type RoutedRequest } from './pipeline/route.js';
import type { RequestContext } from './policy/index.js';
import type { StsService } from './sts/index.js';
import { toXml } from './xml/xml.js';

export interface AppDeps {
  config: EmulatorConfig;
  stores: Stores;
  sts: StsService;
  /** PEM of the CA, served at /_emulator/ca.pem for phones, browsers and containers' clients. */
  caCert?: string;
  /** Recent refusals, served at /_emulator/refusals; shared by the http and https listeners. */
  refusals: RefusalLog;
}

// Emulator endpoints on the bare address (never on a bucket's virtual host): health for container
// checks, the CA certificate so a device can fetch and trust it, and the recent refusals.
const ADMIN_PREFIX = '/_emulator/';

type Handler = (ctx: HandlerContext) => Promise<Reply>;

const HANDLERS: Partial<Record<Operation, Handler>> = {
  GetBucket: bucket.listObjects,
  HeadBucket: bucket.headBucket,
  DeleteBucket: bucket.deleteBucket,
  GetBucketCors: bucket.getBucketCors,
  PutBucketCors: bucket.putBucketCors,
  DeleteBucketCors: bucket.deleteBucketCors,
  GetBucketAcl: bucket.getBucketAcl,
  PutBucketAcl: bucket.putBucketAcl,
  ListMultipartUploads: multipart.listMultipartUploads,
  DeleteMultipleObjects: bucket.deleteMultipleObjects,
  PutObject: object.putObject,
  CopyObject: object.copyObject,
  GetObject: (ctx) => object.getObject(ctx, false),
  HeadObject: (ctx) => object.getObject(ctx, true),
  DeleteObject: object.deleteObject,
  GetObjectAcl: object.getObjectAcl,
  PutObjectAcl: object.putObjectAcl,
  InitiateMultipartUpload: multipart.initiateMultipartUpload,
  UploadPart: multipart.uploadPart,
  ListParts: multipart.listParts,
  CompleteMultipartUpload: multipart.completeMultipartUpload,
  AbortMultipartUpload: multipart.abortMultipartUpload,
};

// Request and trace ids look like COS's: opaque base64. randomUUID draws from a pooled entropy cache,
// cheaper per request than a randomBytes call each.
const opaqueId = () => Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64');

interface RequestState {
  traceId: string;
  resource: string;
  cors: Record<string, string>;
  operation?: Operation;
}
const state = new WeakMap<FastifyRequest, RequestState>();

function policyContextOf(
  request: FastifyRequest,
  headers: FastifyRequest['headers'],
  protocol: 'http' | 'https',
  now: number,
  routed: RoutedRequest,
): RequestContext {
  const length = header(headers, 'content-length');
  const prefix = routed.query.prefix;
  return {
    'qcs:ip': request.ip,
    'qcs:current_time': now,
    'cos:secure-transport': protocol === 'https',
    'cos:content-length': length === undefined ? undefined : Number(length),
    'cos:content-type': header(headers, 'content-type'),
    'cos:x-cos-acl': header(headers, 'x-cos-acl'),
    'cos:x-cos-storage-class': header(headers, 'x-cos-storage-class'),
    'cos:prefix': prefix === undefined ? undefined : encodeURIComponent(prefix),
  };
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
  }) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  // Fastify refuses an empty Content-Type before any handler runs, yet the official SDKs send one
  // (Initiate Multipart Upload); the handler reads the headers as sent from `headersOf`.
  const sentHeaders = new WeakMap<FastifyRequest, FastifyRequest['headers']>();
  const headersOf = (request: FastifyRequest) => sentHeaders.get(request) ?? request.headers;
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-type'] === '') {
      sentHeaders.set(request, { ...request.headers });
      delete request.headers['content-type'];
    }
  });

  const send = (reply: FastifyReply, r: Reply, method: string) => {
    reply.code(r.status);
    for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
    if (method === 'HEAD' || r.body === undefined) {
      if (r.body && typeof (r.body as Readable).destroy === 'function') (r.body as Readable).destroy();
      return reply.send();
    }
    return reply.send(r.body);
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const st: RequestState = { traceId: opaqueId(), resource: '', cors: {} };
    state.set(request, st);
    reply.header('x-cos-request-id', request.id).header('x-cos-trace-id', st.traceId).header('server', 'tencent-cos');
    const url = request.raw.url ?? '/';
    const headers = headersOf(request);
    const host = header(headers, 'host') ?? '';
    const method = request.method.toUpperCase();
    st.resource = host + url.split('?')[0];

    if ((method === 'GET' || method === 'HEAD') && url.startsWith(ADMIN_PREFIX) && !/\.cos[.-]/.test(host)) {
      const path = url.split('?')[0];
      if (path === '/_emulator/health') {
        return send(
          reply,
          { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'ok', buckets: config.buckets }) },
          method,
        );
      }
      if (path === '/_emulator/ca.pem' && deps.caCert) {
        return send(reply, { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: deps.caCert }, method);
      }
      if (path === '/_emulator/refusals') {
        const limit = Number(new URLSearchParams(url.slice(path.length)).get('limit') ?? 50);
        const refusals = deps.refusals.list(Number.isInteger(limit) && limit >= 0 ? limit : 50);
        return send(reply, { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refusals }) }, method);
      }
    }

    if (sts.isStsRequest({ method, url, headers: headers })) {
      let body: Buffer;
      try {
        body = await readSmallBody(request.raw, 64 * 1024);
      } catch (e) {
        throw CosErrors.invalidArgument(`STS request body: ${(e as Error).message}`);
      }
      const res = sts.handle({ method, host, url, headers: headers, body, ip: request.ip });
      return send(reply, { status: res.statusCode, headers: res.headers, body: res.body }, method);
    }

    const routed = routeRequest({
      method,
      url,
      host,
      contentType: header(headers, 'content-type') ?? '',
      copySource: header(headers, 'x-cos-copy-source') !== undefined,
      bucketExists: (name) => stores.metadata.getBucket(name) !== undefined,
      defaultBucket: config.buckets[0]!,
    });
    st.operation = routed.operation;
    const bucketRecord = routed.bucket ? stores.metadata.getBucket(routed.bucket) : undefined;
    if (bucketRecord) st.cors = corsResponseHeaders(bucketRecord.cors, header(headers, 'origin'), method === 'OPTIONS' ? 'GET' : method);

    if (routed.operation === 'OptionsObject') {
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

    const now = config.now();
    const policyContext = policyContextOf(request, headers, protocol, now, routed);
    const identity: Identity =
      routed.operation === 'PostObject'
        ? { kind: 'anonymous' }
        : authenticate({ method, signedPath: routed.signedPath, query: routed.query, headers: headers }, config, sts, now);

    const check = (id: Identity, action: string, key: string, bucketName = routed.bucket, context = policyContext) => {
      const b = stores.metadata.getBucket(bucketName);
      authorize(
        id,
        {
          action,
          bucket: bucketName,
          key,
          context,
          bucketAcl: b?.acl,
          objectAcl: key ? stores.metadata.getObject(bucketName, key)?.acl : undefined,
        },
        config,
      );
    };

    if (routed.operation === 'ListBuckets') {
      check(identity, ACTION_OF.ListBuckets, '', '*');
      const owner = { ID: `qcs::cam::uin/${config.appId}:uin/${config.appId}`, DisplayName: config.appId };
      return send(
        reply,
        {
          status: 200,
          headers: XML,
          body: toXml('ListAllMyBucketsResult', {
            Owner: owner,
            Buckets: {
              Bucket: stores.metadata
                .listBuckets()
                .map((b) => ({ Name: b.name, Location: b.region, CreationDate: new Date(b.created).toISOString() })),
            },
          }),
        },
        method,
      );
    }

    if (routed.operation === 'PutBucket') {
      check(identity, ACTION_OF.PutBucket, '');
      if (bucketRecord) throw CosErrors.bucketAlreadyExists(routed.bucket);
      if (!routed.bucket.endsWith(`-${config.appId}`))
        throw CosErrors.invalidBucketName(`bucket "${routed.bucket}" must end with -${config.appId}, the emulator's AppId`);
      await stores.metadata.putBucket({
        name: routed.bucket,
        region: config.region,
        created: Date.now(),
        acl: header(headers, 'x-cos-acl') ? aclOf(header(headers, 'x-cos-acl')) : 'private',
        ...(config.devCors ? { cors: [DEV_CORS_RULE] } : {}),
      });
      return send(reply, { status: 200, headers: { location: `/${routed.bucket}` } }, method);
    }

    if (!bucketRecord) throw CosErrors.noSuchBucket(routed.bucket);
    if (routed.operation !== 'PostObject') check(identity, ACTION_OF[routed.operation], routed.key);

    const ctx: HandlerContext = {
      config,
      stores,
      routed,
      bucket: bucketRecord,
      headers: headers,
      body: request.raw,
      now,
      host,
      protocol,
      identity,
      policyContext,
      authorizeAlso: (action, key, bucketName) => check(identity, action, key, bucketName ?? routed.bucket),
    };
    if (routed.operation === 'PostObject') {
      const result = await postObject(ctx, {
        sts,
        authorize: (id, key, context) => check(id, ACTION_OF.PostObject, key, routed.bucket, context),
      });
      return send(reply, result, method);
    }
    const handler = HANDLERS[routed.operation];
    if (!handler) throw CosErrors.notImplemented(routed.operation);
    return send(reply, await handler(ctx), method);
  };

  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'], url: '/*', handler: handle });
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'], url: '/', handler: handle });

  app.setNotFoundHandler((request, reply) => {
    throw CosErrors.methodNotAllowed(`${request.method} is not a COS method`);
  });

  app.setErrorHandler((error, request, reply) => {
    const st = state.get(request) ?? { traceId: opaqueId(), resource: '', cors: {} };
    let cosError: CosError;
    if (error instanceof CosError) {
      cosError = error;
    } else if ((error as { statusCode?: number }).statusCode && (error as { statusCode: number }).statusCode < 500) {
      cosError = CosErrors.invalidArgument((error as Error).message);
    } else {
      request.log.error({ err: error, requestId: request.id }, 'unexpected error');
      cosError = CosErrors.internalError();
    }
    const refusal = deps.refusals.record(request, st.resource, st.operation, cosError);
    request.log.warn(
      {
        requestId: request.id,
        operation: st.operation,
        code: cosError.code,
        status: cosError.statusCode,
        reason: cosError.reason,
        ...refusal.details,
      },
      `${request.method} ${st.resource} refused: ${cosError.code}${cosError.reason ? ` (${cosError.reason})` : ''}`,
    );
    reply.code(cosError.statusCode);
    reply.header('x-cos-request-id', request.id).header('x-cos-trace-id', st.traceId).header('server', 'tencent-cos');
    for (const [k, v] of Object.entries({ ...st.cors, ...cosError.headers })) reply.header(k, v);
    // A refused upload leaves its body unread: drain it so the connection can answer.
    if (!request.raw.readableEnded) request.raw.resume();
    if (request.method === 'HEAD') return reply.send();
    reply.header('content-type', 'application/xml');
    return reply.send(errorXml(cosError, st.resource, request.id, st.traceId));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const st = state.get(request);
    if (st) for (const [k, v] of Object.entries(st.cors)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const st = state.get(request);
    request.log.info(
      { requestId: request.id, operation: st?.operation, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      `${request.method} ${st?.resource ?? ''} ${reply.statusCode}`,
    );
  });
  return app;
}
