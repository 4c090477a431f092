import type { FastifyRequest } from 'fastify';
import { header } from '../http/headers.js';
import { grantContextOf, type RequestContext } from '../policy/index.js';
import type { RoutedRequest } from './routed-request.js';

/** The request's values of the condition keys COS evaluates policies against. */
export function policyContextOf(
  request: FastifyRequest,
  headers: FastifyRequest['headers'],
  protocol: 'http' | 'https',
  now: number,
  routed: RoutedRequest,
): RequestContext {
  const length = header(headers, 'content-length');
  const prefix = routed.params.prefix;
  const responseType = routed.params['response-content-type'];
  return {
    'qcs:ip': request.ip,
    'qcs:current_time': now,
    'cos:secure-transport': protocol === 'https',
    'cos:content-length': length === undefined ? undefined : Number(length),
    'cos:content-type': header(headers, 'content-type'),
    'cos:x-cos-acl': header(headers, 'x-cos-acl'),
    // The header as sent: COS documents the request's x-cos-tagging as a condition key.
    'cos:x-cos-tagging': header(headers, 'x-cos-tagging'),
    'cos:x-cos-storage-class': header(headers, 'x-cos-storage-class'),
    'cos:prefix': prefix === undefined ? undefined : encodeURIComponent(prefix),
    'cos:versionid': routed.params.versionid,
    // GetObject's override of the answer's type, compared URL-encoded like cos:prefix (image%2Fjpeg).
    'cos:response-content-type': responseType === undefined ? undefined : encodeURIComponent(responseType),
    ...grantContextOf((name) => header(headers, name)),
  } satisfies RequestContext;
}
