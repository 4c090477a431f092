import type { HttpRequest, HttpResponse } from '../types.js';

/**
 * One request on its way to COS or the sign server. `url` has no query: the query is one record, so the
 * signature and the URL are made from the same pairs, once per attempt.
 */
export interface PipelineRequest extends Omit<HttpRequest, 'body'> {
  /** What the request does, for messages: "PUT images/a.jpg", "Upload Part 3". */
  what: string;
  /** The object key the request names (its path, for the signature). */
  key?: string;
  query?: Readonly<Record<string, string>>;
  /** Makes the body for an attempt: a file range is read afresh by every attempt. */
  body?: () => unknown;
}

/** Sends a request and resolves with the answer. */
export type Dispatch = (request: PipelineRequest) => Promise<HttpResponse>;

/** A step of the request path: wraps the steps under it (undici's interceptor shape). */
export type Interceptor = (next: Dispatch) => Dispatch;

/** `base` wrapped by each interceptor in turn: the first listed is the closest to the wire. */
export function compose(base: Dispatch, ...interceptors: Interceptor[]): Dispatch {
  return interceptors.reduce((next, wrap) => wrap(next), base);
}
