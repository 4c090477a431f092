import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { EmulatorConfig } from '../config.js';
import type { RefusalLog } from '../diagnostics/refusals.js';
import type { RequestEntry, RequestLog } from '../diagnostics/request-log.js';
import { CosError } from '../errors/cos-error.js';
import { FaultRuleError, type FaultInjector } from '../faults/rules.js';
import { readSmallBody } from '../http/body.js';
import { header } from '../http/headers.js';
import type { Reply } from '../http/reply.js';
import { parseRule } from '../image/rule.js';
import { contentTypeOf, runPlan } from '../image/run.js';
import { listGrouped, type ObjectRecord, type Stores } from '../persistence/index.js';
import { CONSOLE_HTML } from './page.js';

export interface AdminDeps {
  config: EmulatorConfig;
  stores: Stores;
  refusals: RefusalLog;
  requests: RequestLog;
  faults: FaultInjector;
  caCert?: string;
}

export interface AdminRequest {
  method: string;
  /** The path after `//_emulator/`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  ip: string;
  body: import('node:stream').Readable;
}

const json = (body: unknown, status = 200): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});
const problem = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  json({ error: { code, message, ...extra } }, status);

/** The emulator's own error codes on its admin endpoints (JSON, never COS XML). */
export const ADMIN_ERROR_CODES = [
  'EMU_ERR_FAULT_RULE',
  'EMU_ERR_ADMIN_AUTH',
  'EMU_ERR_ADMIN_NOT_FOUND',
  'EMU_ERR_ADMIN_METHOD',
  'EMU_ERR_ADMIN_BODY',
  'EMU_ERR_ADMIN_HOST',
  'EMU_ERR_ADMIN_ORIGIN',
  'EMU_ERR_ADMIN_PROCESS',
] as const;

/** Endpoints anyone who can reach the emulator may read, as before: container health checks and CA downloads need them. */
const OPEN = new Set(['health', 'ca.pem', 'refusals']);
/** Read by health checks under whatever name a network gives the emulator (a compose service name). */
const ANY_HOST = new Set(['health', 'ca.pem']);

/**
 * Whether a Host header names the emulator: an IP address, localhost, or a name it was given
 * (`--hostname`). A page whose own name was rebound to 127.0.0.1 sends that name, so the admin API,
 * which trusts loopback, does not answer it (DNS rebinding). A browser always sends Host: a request
 * without one (HTTP/1.0) is no page's.
 */
export function servesHost(host: string, config: EmulatorConfig): boolean {
  const name = (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')).toLowerCase();
  if (name === '') return true;
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || config.hostnames.includes(name);
}

/**
 * Whether a request that changes state comes from a page of another origin (CSRF): a browser names
 * the page's origin in `Origin` and, in newer browsers, says `Sec-Fetch-Site: cross-site`. The
 * console's own requests are same-origin; curl and test code send neither header.
 */
export function crossSiteWrite(method: string, headers: IncomingHttpHeaders, host: string): boolean {
  if (method === 'GET' || method === 'HEAD') return false;
  const site = header(headers, 'sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = header(headers, 'origin');
  if (origin === undefined) return false;
  if (origin === 'null' || !URL.canParse(origin)) return true;
  return new URL(origin).host.toLowerCase() !== host.toLowerCase();
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/**
 * The console, the request log and the fault rules are for the developer at this machine: open on
 * loopback, and from elsewhere only with the root key as HTTP Basic credentials (SecretId:SecretKey).
 */
export function adminAccessAllowed(ip: string, authorization: string | undefined, config: EmulatorConfig): boolean {
  if (isLoopback(ip)) return true;
  const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  return decoded === `${config.credentials.secretId}:${config.credentials.secretKey}`;
}

/**
 * A browser opening the bare address (GET / with Accept: text/html, no signature, no query) is sent
 * to the console. COS itself would answer AccessDenied XML; SDKs never send Accept: text/html
 * unsigned, so their behaviour is unchanged.
 */
export function consoleRedirect(
  method: string,
  url: string,
  host: string,
  headers: IncomingHttpHeaders,
  protocol: string,
): Reply | undefined {
  if (method !== 'GET' || url !== '/' || /\.cos[.-]/.test(host) || host === '') return undefined;
  if (header(headers, 'authorization') !== undefined) return undefined;
  if (!(header(headers, 'accept') ?? '').includes('text/html')) return undefined;
  return { status: 302, headers: { location: `${protocol}://${host}//_emulator/console`, 'cache-control': 'no-store' } };
}

/** Server-sent events: recent requests first (from `since`), then each new one as it is answered. */
function eventStream(requests: RequestLog, since: number): Reply {
  const stream = new PassThrough();
  const write = (entry: RequestEntry) => stream.write(`id: ${entry.seq}\nevent: request\ndata: ${JSON.stringify(entry)}\n\n`);
  stream.write('retry: 2000\n\n');
  for (const entry of requests.list()) if (entry.seq > since && !entry.admin) write(entry);
  const unsubscribe = requests.subscribe((entry) => {
    // The console's own polling stays out of its live log.
    if (!entry.admin) write(entry);
  });
  const ping = setInterval(() => stream.write(': ping\n\n'), 15_000);
  ping.unref();
  stream.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
    body: stream,
  };
}

/**
 * One level of a bucket: folders (common prefixes at "/") and objects after `marker`, `limit` entries
 * at most. The store's delimiter listing skips past each folder, so a page costs its own entries, not
 * the objects the folders hold.
 */
function listObjects(deps: AdminDeps, bucket: string, prefix: string, marker: string, limit = 1000) {
  const metadata = deps.stores.metadata;
  const page = listGrouped(
    (range) => metadata.listObjects(bucket, range),
    (o) => o.key,
    {
      prefix,
      delimiter: '/',
      max: limit,
      after: marker,
    },
  );
  const folders: string[] = [];
  const objects = [];
  let last = '';
  for (const entry of page.entries) {
    if ('commonPrefix' in entry) {
      folders.push(entry.commonPrefix);
      last = entry.commonPrefix;
      continue;
    }
    const o = entry.item;
    last = o.key;
    objects.push({
      key: o.key,
      size: o.size,
      contentType: o.headers['content-type'],
      etag: o.etag,
      crc64: o.crc64,
      lastModified: new Date(o.lastModified).toISOString(),
      meta: o.meta,
      headers: o.headers,
      acl: o.acl,
      storageClass: o.storageClass,
    });
  }
  return { bucket, prefix, folders, objects, truncated: page.truncated, ...(page.truncated ? { nextMarker: last } : {}) };
}

/**
 * The console's preview of a processing rule (`?process=imageMogr2/thumbnail/200x`): what a GET with that
 * rule would answer, through the same parser and executor, without a signature. A refusal is the one a
 * download would get, as JSON naming COS's code.
 */
async function processed(deps: AdminDeps, o: ObjectRecord, rule: string): Promise<Reply> {
  try {
    const outcome = await runPlan(parseRule(rule), o.size, () => buffer(deps.stores.blobs.read(o.blobId)));
    if (outcome.kind === 'json') return json(outcome.body);
    const { picture } = outcome;
    return {
      status: 200,
      headers: {
        'content-type': contentTypeOf(picture),
        'content-length': String(picture.data.length),
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-image-width': String(picture.width),
        'x-image-height': String(picture.height),
      },
      body: picture.data,
    };
  } catch (e) {
    if (!(e instanceof CosError)) throw e;
    return problem(e.statusCode, 'EMU_ERR_ADMIN_PROCESS', e.reason ?? e.message, { cosCode: e.code });
  }
}

/** Serves `//_emulator/<path>`; undefined when the path is not one of the emulator's. */
export async function serveAdmin(deps: AdminDeps, req: AdminRequest): Promise<Reply | undefined> {
  const { method, path, query } = req;
  const host = header(req.headers, 'host') ?? '';
  if (!ANY_HOST.has(path) && !servesHost(host, deps.config)) {
    return problem(
      403,
      'EMU_ERR_ADMIN_HOST',
      `the emulator's admin endpoints answer only for its own names (an IP address, localhost, or a --hostname), not "${host}"`,
    );
  }
  if (crossSiteWrite(method, req.headers, host)) {
    return problem(403, 'EMU_ERR_ADMIN_ORIGIN', `a ${method} from a page of another origin cannot change the emulator's state`);
  }
  if (!OPEN.has(path) && !adminAccessAllowed(req.ip, header(req.headers, 'authorization'), deps.config)) {
    return {
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="cos-emulator", charset="UTF-8"', 'content-type': 'application/json' },
      body: JSON.stringify({
        error: {
          code: 'EMU_ERR_ADMIN_AUTH',
          message: `the emulator's console and admin endpoints answer loopback freely; from ${req.ip} they need the root SecretId and SecretKey as HTTP Basic credentials`,
        },
      }),
    };
  }
  const read = method === 'GET' || method === 'HEAD';
  const methodNotAllowed = () => problem(405, 'EMU_ERR_ADMIN_METHOD', `${method} is not served on //_emulator/${path}`);
  switch (path) {
    case 'health':
      return read ? json({ status: 'ok', buckets: deps.config.buckets }) : methodNotAllowed();
    case 'ca.pem':
      if (!deps.caCert) return undefined;
      return read ? { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: deps.caCert } : methodNotAllowed();
    case 'refusals': {
      if (!read) return methodNotAllowed();
      const limit = Number(query.get('limit') ?? 50);
      return json({ refusals: deps.refusals.list(Number.isInteger(limit) && limit >= 0 ? limit : 50) });
    }
    case 'console':
      return read
        ? { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: CONSOLE_HTML }
        : methodNotAllowed();
    case 'requests': {
      if (!read) return methodNotAllowed();
      const limit = Number(query.get('limit') ?? 200);
      return json({ requests: deps.requests.list(Number.isInteger(limit) && limit >= 0 ? limit : 200).filter((e) => !e.admin) });
    }
    case 'events':
      return read
        ? eventStream(deps.requests, Number(query.get('since') ?? header(req.headers, 'last-event-id') ?? 0) || 0)
        : methodNotAllowed();
    case 'faults': {
      if (read) return json({ rules: deps.faults.list() });
      if (method === 'DELETE') {
        deps.faults.clear();
        return json({ rules: [] });
      }
      if (method !== 'PUT' && method !== 'POST') return methodNotAllowed();
      let text: string;
      try {
        text = (await readSmallBody(req.body, 256 * 1024)).toString('utf8');
      } catch (e) {
        return problem(400, 'EMU_ERR_ADMIN_BODY', (e as Error).message);
      }
      try {
        const value: unknown = JSON.parse(text);
        if (!value || typeof value !== 'object' || Array.isArray(value) || !('rules' in value)) {
          return problem(400, 'EMU_ERR_FAULT_RULE', 'the body must be {"rules":[...]}', { problems: ['the body must be {"rules":[...]}'] });
        }
        return json({ rules: deps.faults.set((value as { rules: unknown }).rules) });
      } catch (e) {
        if (e instanceof FaultRuleError) return problem(400, e.code, e.message, { problems: e.problems });
        return problem(400, 'EMU_ERR_FAULT_RULE', `the body is not JSON: ${(e as Error).message}`, { problems: ['not JSON'] });
      }
    }
    case 'api/buckets':
      return read
        ? json({
            buckets: deps.stores.metadata
              .listBuckets()
              .map((b) => ({ name: b.name, region: b.region, acl: b.acl, created: new Date(b.created).toISOString() })),
          })
        : methodNotAllowed();
    case 'api/objects': {
      if (!read) return methodNotAllowed();
      const bucket = query.get('bucket') ?? '';
      if (!deps.stores.metadata.getBucket(bucket)) return problem(404, 'EMU_ERR_ADMIN_NOT_FOUND', `no bucket is named "${bucket}"`);
      return json(listObjects(deps, bucket, query.get('prefix') ?? '', query.get('marker') ?? ''));
    }
    case 'api/object': {
      const bucket = query.get('bucket') ?? '';
      const key = query.get('key') ?? '';
      const o = deps.stores.metadata.getObject(bucket, key);
      if (!o) return problem(404, 'EMU_ERR_ADMIN_NOT_FOUND', `no object "${key}" in bucket "${bucket}"`);
      if (method === 'DELETE') {
        const old = await deps.stores.metadata.deleteObject(bucket, key);
        if (old) await deps.stores.blobs.delete(old.blobId);
        return json({ deleted: { bucket, key } });
      }
      if (!read) return methodNotAllowed();
      const rule = query.get('process');
      if (rule !== null && method === 'GET') return processed(deps, o, rule);
      const name = key.slice(key.lastIndexOf('/') + 1) || 'object';
      return {
        status: 200,
        headers: {
          'content-type': o.headers['content-type'] || 'application/octet-stream',
          'content-length': String(o.size),
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          // Previews render in the console's sandbox; nothing stored runs as the console's page.
          'content-security-policy': "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'",
          ...(query.get('download') !== null ? { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}` } : {}),
        },
        body: method === 'HEAD' ? undefined : deps.stores.blobs.read(o.blobId),
      };
    }
  }
  return path.startsWith('api/') || path === ''
    ? problem(404, 'EMU_ERR_ADMIN_NOT_FOUND', `//_emulator/${path} is not an emulator endpoint`)
    : undefined;
}
