import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { encodeKeyPath, signRequest } from '@cos-direct/signer';
import { ServerError } from './errors.js';
import { describeNetworkFailure, type NetworkFailureKind, networkFailureOf } from './network-failure.js';

export interface CosClientOptions {
  secretId: string;
  secretKey: string;
  cosHost: string;
  cosProtocol: 'https' | 'http';
  timeoutMs: number;
  /** The clock signatures start at, in unix seconds (the server's `now`). */
  now?: () => number;
}

export interface CosAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A COS request the server itself failed to make; `detail` is for the log only. */
export class CosUpstreamError extends ServerError {
  constructor(
    readonly detail: string,
    /** Set when no answer came at all: the name, the connection, TLS, or the deadline. */
    readonly failure?: { kind: NetworkFailureKind | 'timeout'; code: string },
  ) {
    super('SRV_ERR_COS_FAILED', failure ? 'COS could not be reached by the server' : undefined);
  }
}

/** Credentials a request is signed with instead of the server's own key: a temporary key and its token. */
export interface RequestCredentials {
  secretId: string;
  secretKey: string;
  sessionToken: string;
}

/**
 * The few requests the server makes to COS with its own key (HEAD an uploaded object, list, complete
 * and abort a multipart upload), each signed over host and every query parameter, with a deadline
 * that aborts the request.
 */
export class CosClient {
  constructor(private readonly options: CosClientOptions) {}

  send(
    method: string,
    key: string,
    query: Record<string, string>,
    body?: string,
    extra: Record<string, string> = {},
    as?: RequestCredentials,
  ): Promise<CosAnswer> {
    const o = this.options;
    const headers: Record<string, string> = { host: o.cosHost, ...extra };
    if (as) headers['x-cos-security-token'] = as.sessionToken;
    if (body !== undefined) {
      headers['content-type'] = 'application/xml';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const signed = signRequest(
      { method, pathname: `/${key}`, query, headers },
      {
        credentials: as ?? { secretId: o.secretId, secretKey: o.secretKey },
        ...(o.now ? { startTime: o.now() } : {}),
        expiresIn: 60,
        signHeaders: ['host'],
      },
    );
    const search = Object.entries(query)
      .map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
      .join('&');
    const url = new URL(`${o.cosProtocol}://${o.cosHost}${encodeKeyPath(key)}${search ? `?${search}` : ''}`);
    const request = o.cosProtocol === 'https' ? httpsRequest : httpRequest;
    return new Promise<CosAnswer>((resolve, reject) => {
      const req = request(
        url,
        { method, headers: { ...headers, authorization: signed.authorization }, signal: AbortSignal.timeout(o.timeoutMs) },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            if (text.length < 1024 * 1024) text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
          res.on('error', (e) => reject(new CosUpstreamError(`${method} ${key}: ${e.message}`)));
        },
      );
      req.on('error', (e) => reject(failed(e, `${method} ${key || '/'}`, o)));
      req.end(body);
    });
  }
}

/** Why a request got no answer, in words that name the setting to check. */
function failed(e: Error, what: string, o: CosClientOptions): CosUpstreamError {
  if (e.name === 'TimeoutError' || (e.name === 'AbortError' && (e.cause as Error | undefined)?.name === 'TimeoutError')) {
    return new CosUpstreamError(`${what}: no answer from ${o.cosHost} within ${o.timeoutMs} ms`, { kind: 'timeout', code: 'ETIMEDOUT' });
  }
  const failure = networkFailureOf(e);
  if (failure) return new CosUpstreamError(`${what}: ${describeNetworkFailure(o.cosHost, failure, 'COS_HOST')}`, failure);
  return new CosUpstreamError(`${what}: ${(e as { code?: string }).code ?? ''} ${e.message}`);
}

/** The text of the first <tag> in an XML answer. */
export function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m ? m[1] : undefined;
}
