import { encodeKeyPath } from '@cos-direct/signer';
import type { Dispatch, PipelineRequest } from '../lib/dispatch.js';
import { cosRequestPath } from '../lib/request-path.js';
import type { RetryPolicy } from '../lib/retry-policy.js';
import { keyAuthorizer } from '../lib/sign.js';
import type { HttpResponse, ResumeState, TemporaryCredentials, Transport } from '../types.js';

/** A request of one multipart upload: the object's URL and key are the upload's. */
export type UploadRequest = (request: Omit<PipelineRequest, 'url' | 'key'>) => Promise<HttpResponse>;

/**
 * The requests of one multipart upload, on the request path, each attempt signed with the key
 * `credentials` gives at that moment (the upload's key, which a renewal replaces).
 */
export function uploadRequests(
  transport: Transport,
  policy: RetryPolicy,
  state: ResumeState,
  credentials: () => TemporaryCredentials = () => state.credentials!,
): UploadRequest {
  const path: Dispatch = cosRequestPath(transport, (req) => keyAuthorizer(credentials(), state.cosHost)(req), policy);
  const url = `${new URL(state.cosUrl).origin}${encodeKeyPath(state.cosKey)}`;
  return (request) => path({ ...request, url, key: state.cosKey });
}
