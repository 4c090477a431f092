import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Reply } from '../http/reply.js';

const destroyUnsent = (body: Reply['body']) => {
  if (body && typeof (body as Readable).destroy === 'function') (body as Readable).destroy();
};

/** Sends a handler's or a route's answer; a HEAD answer, or one without a body, sends no body. */
export function sendReply(reply: FastifyReply, r: Reply, method: string): FastifyReply {
  reply.code(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (method === 'HEAD' || r.body === undefined) {
    destroyUnsent(r.body);
    return reply.send();
  }
  return reply.send(r.body);
}
