import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { Crc64Ecma } from '@cos-direct/signer/crc64';
import type { Dispatcher } from 'undici';
import { abortError, CosDirectError } from '../errors.js';
import { UNNAMED_NETWORK_ERROR } from '../lib/retry-policy.js';
import type { HttpRequest, HttpResponse, Transport } from '../types.js';

/** Counts, hashes and reports the bytes of a request body as undici reads them. */
class Meter extends Transform {
  readonly md5 = createHash('md5');
  readonly crc = new Crc64Ecma();
  size = 0;
  constructor(private readonly onProgress?: (sent: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void) {
    this.md5.update(chunk);
    this.crc.update(chunk);
    this.size += chunk.length;
    this.onProgress?.(this.size);
    callback(null, chunk);
  }
}

function toReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body instanceof Uint8Array) {
    return Readable.from(
      (function* () {
        for (let i = 0; i < body.length; i += 65536) yield Buffer.from(body.buffer, body.byteOffset + i, Math.min(65536, body.length - i));
      })(),
    );
  }
  throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'unsupported request body');
}

// undici is an optional peer dependency: a browser app that installs this package must not get it, so the
// Node build loads it on its first request and says how to get it when it is not installed.
let undici: Promise<typeof import('undici')> | undefined;
function loadUndici(): Promise<typeof import('undici')> {
  undici ??= import('undici').catch((e: unknown) => {
    undici = undefined;
    throw new CosDirectError(
      'CLIENT_ERR_INVALID_ARGUMENT',
      'the Node build of @cos-direct/client sends requests with undici, which is not installed: run `npm install undici`',
      { cause: e },
    );
  });
  return undici;
}

/** Sends requests with undici; pass a Dispatcher (e.g. an Agent with `connect: { ca }`) to trust a private CA. */
export function undiciTransport(dispatcher?: Dispatcher): Transport {
  return {
    async send(req: HttpRequest): Promise<HttpResponse> {
      const { request } = await loadUndici();
      let meter: Meter | undefined;
      let body: Readable | undefined;
      const headers = { ...req.headers };
      if (req.body !== undefined) {
        meter = new Meter(req.onProgress);
        const source = toReadable(req.body);
        source.on('error', (e) => meter!.destroy(e));
        body = source.pipe(meter);
        headers['content-length'] = String(req.bodySize ?? (req.body as Uint8Array).length);
      }
      try {
        const res = await request(req.url, {
          method: req.method as Dispatcher.HttpMethod,
          headers,
          body,
          signal: req.signal,
          ...(dispatcher ? { dispatcher } : {}),
        });
        const text = await res.body.text();
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        return {
          status: res.statusCode,
          headers: out,
          text,
          ...(meter ? { sent: { size: meter.size, crc64: meter.crc.digest(), md5: meter.md5.digest('hex') } } : {}),
        };
      } catch (e) {
        body?.destroy();
        if (req.signal?.aborted) throw abortError();
        const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
        throw new CosDirectError(
          'CLIENT_ERR_NETWORK',
          `${req.method} ${new URL(req.url).origin}: ${(e as Error).message}${code ? ` (${code})` : ''}`,
          { cause: e, networkCode: code ?? UNNAMED_NETWORK_ERROR },
        );
      }
    },
  };
}
