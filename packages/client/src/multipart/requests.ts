import { encodeKeyPath } from '@cos-direct/signer';
import type { Dispatch, PipelineRequest } from '../lib/dispatch.js';
import { cosRequestPath } from '../lib/request-path.js';
import type { RetryPolicy } from '../lib/retry-policy.js';
import { keyAuthorizer } from '../lib/sign.js';
import type { HttpResponse, ResumeState, Transport } from '../types.js';

/** A request of one multipart upload: the object's URL and key are the upload's. */
export type UploadRequest = (request: Omit<PipelineRequest, 'url' | 'key'>) => Promise<HttpResponse>;

/** The requests of one multipart upload, on the request path with the upload's temporary key. */
export function uploadRequests(transport: Transport, policy: RetryPolicy, state: ResumeState): UploadRequest {
  const path: Dispatch = cosRequestPath(transport, keyAuthorizer(state.credentials, state.cosHost), policy);
  const url = `${new URL(state.cosUrl).origin}${encodeKeyPath(state.cosKey)}`;
  return (request) => path({ ...request, url, key: state.cosKey });
}
