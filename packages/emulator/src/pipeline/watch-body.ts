import { PassThrough } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { EmulatorConfig } from '../config.js';
import { CosErrors } from '../errors/index.js';
import { ClientGone, type RequestState } from './request-state.js';

/** What a body must send within each `bodyIdleTimeoutMs` to count as moving. */
export const BODY_PROGRESS_BYTES = 1024;

/**
 * Before a handler reads the body: a body the socket has delivered whole (a small one usually arrives
 * with its headers, and is parsed by the time the request's first microtask runs) is read as it is:
 * nothing is left to time out.
 * Any other goes through a watchdog between the socket and the handlers, which ends a body that stays
 * silent too long or outlasts the request timeout with RequestTimeout, and notices a client that hangs
 * up mid-body.
 */
export async function watchBody(request: FastifyRequest, st: RequestState, config: EmulatorConfig): Promise<void> {
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
        () =>
          cut(
            `the request body sent less than ${BODY_PROGRESS_BYTES} bytes in ${config.bodyIdleTimeoutMs} ms (bodyIdleTimeoutMs / --body-idle-timeout)`,
          ),
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
  // Progress is a kilobyte, not a byte: a body trickled a byte every few seconds would otherwise hold
  // its connection and its upload open for ever (COS closes idle uploads too).
  let sinceProgress = 0;
  raw.on('data', (chunk: Buffer) => {
    sinceProgress += chunk.length;
    if (sinceProgress < BODY_PROGRESS_BYTES && !body.writableNeedDrain) return;
    sinceProgress = 0;
    armIdle();
  });
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
