import { Transform, type TransformCallback } from 'node:stream';
import { CosErrors } from '../errors/index.js';

/** COS's bounds for x-cos-traffic-limit, in bit/s: 100 KB/s to 100 MB/s (doc 436/34072). */
export const TRAFFIC_LIMIT_MIN = 819200;
export const TRAFFIC_LIMIT_MAX = 838860800;
export const TRAFFIC_LIMIT = 'x-cos-traffic-limit';

/**
 * The limit a request asks for, in bit/s, from the first of `sources` that carries one (a header, a
 * query parameter, a POST form field); undefined for none. Outside COS's range, or not an integer,
 * it is refused with 400 as COS refuses it.
 */
export function trafficLimitOf(...sources: Array<string | undefined>): number | undefined {
  const raw = sources.find((v) => v !== undefined);
  if (raw === undefined) return undefined;
  const value = raw.trim();
  const bits = Number(value);
  if (!/^\d+$/.test(value) || bits < TRAFFIC_LIMIT_MIN || bits > TRAFFIC_LIMIT_MAX) {
    throw CosErrors.invalidArgument(
      `${TRAFFIC_LIMIT} "${raw}" must be an integer number of bit/s from ${TRAFFIC_LIMIT_MIN} to ${TRAFFIC_LIMIT_MAX} (100 KB/s to 100 MB/s)`,
    );
  }
  return bits;
}

/**
 * A stream step that lets bytes through at `bitsPerSecond`: a token bucket refilled by the clock and
 * holding at most a tenth of a second's worth, so a transfer proceeds steadily from its first bytes
 * (progress events and pauses behave as against COS) instead of waiting at its end. Backpressure
 * reaches the source while tokens are short: a throttled upload is read from the socket at the rate.
 */
export function throttle(bitsPerSecond: number): Transform {
  const rate = bitsPerSecond / 8; // bytes per second
  const capacity = Math.max(1024, Math.floor(rate / 10));
  let tokens = capacity;
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const refill = () => {
    const now = performance.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * rate);
    last = now;
  };
  const stream = new Transform({
    highWaterMark: capacity,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let offset = 0;
      const step = () => {
        timer = undefined;
        if (stream.destroyed) return;
        while (offset < chunk.length) {
          refill();
          const slice = Math.min(chunk.length - offset, capacity);
          if (tokens < slice) {
            timer = setTimeout(step, Math.max(1, Math.ceil(((slice - tokens) / rate) * 1000)));
            return;
          }
          tokens -= slice;
          stream.push(chunk.subarray(offset, offset + slice));
          offset += slice;
        }
        callback();
      };
      step();
    },
    destroy(error, callback) {
      clearTimeout(timer);
      callback(error);
    },
  });
  return stream;
}
