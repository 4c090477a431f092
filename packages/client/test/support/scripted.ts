import { parseAuthorization, verifyRequest } from '@cos-direct/signer';
import type { HttpRequest, HttpResponse, Transport } from '../../src/types.js';

/** What a scripted request must look like. Unlisted parts are not compared. */
export interface Expected {
  method: string;
  /** Decoded path, e.g. '/videos/a.mp4'. */
  path?: string;
  /** The whole query, decoded; a value-less parameter is ''. */
  query?: Record<string, string>;
  /** Headers the request must carry (lower-case names), with these values. */
  headers?: Record<string, string>;
  /** The body as UTF-8 text (bodies of Uint8Array only). */
  body?: string;
  /** The request is signed with this key, over its method, path, query and the headers it lists (host included). */
  signedBy?: { secretKey: string; host: string };
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  sent?: HttpResponse['sent'];
}

/** A canned answer, a thrown error (a network failure), or a function for answers that wait or depend on the request. */
export type Reply = Answer | Error | ((req: HttpRequest) => Promise<Answer | Error>);

export interface Scene {
  expect: Expected;
  reply: Reply;
}

function mismatch(req: HttpRequest, want: Expected): string | undefined {
  const url = new URL(req.url);
  if (req.method !== want.method) return `method ${req.method}, not ${want.method}`;
  if (want.path !== undefined && decodeURIComponent(url.pathname) !== want.path) return `path ${url.pathname}, not ${want.path}`;
  if (want.query !== undefined) {
    const got = Object.fromEntries(url.searchParams);
    if (JSON.stringify(Object.entries(got).sort()) !== JSON.stringify(Object.entries(want.query).sort())) {
      return `query ${JSON.stringify(got)}, not ${JSON.stringify(want.query)}`;
    }
  }
  for (const [k, v] of Object.entries(want.headers ?? {})) {
    if (req.headers[k] !== v) return `header ${k}: ${String(req.headers[k])}, not ${v}`;
  }
  if (want.body !== undefined) {
    const text = req.body instanceof Uint8Array ? new TextDecoder().decode(req.body) : undefined;
    if (text !== want.body) return `body ${String(text)}, not ${want.body}`;
  }
  if (want.signedBy) {
    const fields = parseAuthorization(req.headers.authorization ?? '');
    const result = verifyRequest(
      {
        method: req.method,
        pathname: decodeURIComponent(url.pathname),
        query: Object.fromEntries(url.searchParams),
        headers: { host: want.signedBy.host, ...req.headers },
      },
      fields,
      want.signedBy.secretKey,
    );
    if (!result.valid) return `signature: ${result.reason}`;
  }
  return undefined;
}

const describe = (req: HttpRequest) => `${req.method} ${req.url}`;

/**
 * A test double for the network: it plays back a script of expected requests and their answers. Each
 * request takes the first unused scene it matches (so a retried request takes the next scene for it); a
 * request no scene expects is recorded and fails, and `verify()` fails on it or on any scene left unplayed,
 * even when the code under test swallowed the failure.
 */
export function scriptedTransport(scenes: Scene[]) {
  const used = new Set<number>();
  const requests: HttpRequest[] = [];
  const unexpected: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: Transport = {
    async send(req) {
      requests.push(req);
      const i = scenes.findIndex((scene, j) => !used.has(j) && mismatch(req, scene.expect) === undefined);
      if (i < 0) {
        const near = scenes.map((scene, j) => (used.has(j) ? undefined : `  scene ${j}: ${mismatch(req, scene.expect)}`)).filter(Boolean);
        const message = `unexpected request ${describe(req)}${near.length ? `\n${near.join('\n')}` : ' (the script is played out)'}`;
        unexpected.push(message);
        throw new Error(message);
      }
      used.add(i);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        const reply = scenes[i]!.reply;
        const answer = typeof reply === 'function' ? await reply(req) : reply;
        if (answer instanceof Error) throw answer;
        // The body goes out in two halves, as a real transport reports it in chunks.
        if (req.bodySize !== undefined) {
          req.onProgress?.(Math.floor(req.bodySize / 2));
          req.onProgress?.(req.bodySize);
        }
        return {
          status: answer.status,
          headers: answer.headers ?? {},
          text: answer.body ?? '',
          ...(answer.sent ? { sent: answer.sent } : {}),
        };
      } finally {
        inFlight--;
      }
    },
  };
  return {
    transport,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Fails on an unexpected request or a scene not played. */
    verify() {
      const left = scenes.map((s, j) => (used.has(j) ? undefined : `${s.expect.method} ${s.expect.path ?? ''}`)).filter(Boolean);
      if (unexpected.length || left.length) {
        throw new Error([...unexpected, ...(left.length ? [`scenes not played: ${left.join(', ')}`] : [])].join('\n'));
      }
    },
  };
}

/** A COS error document. */
export const cosFailure = (status: number, code: string, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'x-cos-request-id': `rid-${code}`, ...headers },
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>scripted</Message><RequestId>rid-${code}</RequestId></Error>`,
});

/** A sign server answer. */
export const signServer = (data: unknown, status = 200): Answer => ({
  status,
  body: JSON.stringify(status === 200 ? { code: 0, data } : data),
});
