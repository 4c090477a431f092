import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FaultInjector, type FaultRule, injectedError } from '../faults/rules.js';
import type { Reply } from '../http/reply.js';
import type { RoutedRequest } from './routed-request.js';
import type { RequestState } from './request-state.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Closes a connection abruptly: a TCP reset where Node can send one (plain sockets), else a plain destroy (TLS). */
function resetConnection(socket: Socket): void {
  if ('encrypted' in socket) socket.destroy();
  else socket.resetAndDestroy();
}

/** The connection was reset before any answer: nothing is left to send. */
export const CONNECTION_RESET = Symbol('connection reset');

/**
 * Stage 2b: a fault rule that selects this request: latency first, then its error, or a reset
 * connection. A rule that breaks the answer instead is returned, for `breakAnswer` after the handler.
 */
export async function applyFault(
  faults: FaultInjector,
  request: FastifyRequest,
  reply: FastifyReply,
  st: RequestState,
  routed: RoutedRequest,
  method: string,
): Promise<FaultRule | typeof CONNECTION_RESET | undefined> {
  const rule = faults.match({ operation: routed.operation, method, bucket: routed.bucket, key: routed.key });
  if (!rule) return undefined;
  st.fault = rule;
  if (rule.latencyMs > 0) await sleep(rule.latencyMs);
  if (rule.action.kind === 'error') throw injectedError(rule);
  if (rule.action.kind === 'reset-before-response') {
    reply.hijack();
    resetConnection(request.raw.socket);
    return CONNECTION_RESET;
  }
  return rule;
}

/** Whether a rule breaks the answer rather than replacing it. */
export const breaksAnswer = (rule: FaultRule | undefined): rule is FaultRule =>
  rule !== undefined && (rule.action.kind === 'truncate' || rule.action.kind === 'reset-mid-body');

/**
 * Stage 6b: a fault rule's broken answer after the handler ran: the headers and part of the body, then
 * the connection closed (truncate) or reset (reset mid-body). Without a body, the status line and part
 * of the headers are all that is sent.
 */
export async function breakAnswer(reply: FastifyReply, r: Reply, method: string, rule: FaultRule): Promise<void> {
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
