import { signRequest } from '@cos-direct/signer';
import type { TemporaryCredentials } from '../types.js';
import type { Interceptor, PipelineRequest } from './dispatch.js';

/** The headers that authorize one request. */
export type Authorizer = (request: PipelineRequest) => Record<string, string>;

/** A direct ticket's signature: the sign server signed the one PUT it allows, so it is sent as is. */
export function ticketAuthorizer(ticket: { authorization: string; securityToken: string }): Authorizer {
  return () => ({ authorization: ticket.authorization, 'x-cos-security-token': ticket.securityToken });
}

/**
 * A temporary key's signature (multipart): each request signed with its method, key, query and headers,
 * valid for 15 minutes from the attempt that sends it.
 */
export function keyAuthorizer(credentials: TemporaryCredentials, host: string): Authorizer {
  const key = { secretId: credentials.tmpSecretId, secretKey: credentials.tmpSecretKey };
  return (req) => {
    const { authorization } = signRequest(
      { method: req.method, pathname: `/${req.key ?? ''}`, query: { ...req.query }, headers: { host, ...req.headers } },
      { credentials: key, expiresIn: 900 },
    );
    return { authorization, 'x-cos-security-token': credentials.sessionToken };
  };
}

/** Adds the authorization to every attempt (a retry after a long wait gets a fresh signature). */
export function sign(authorize: Authorizer): Interceptor {
  return (next) => (req) => next({ ...req, headers: { ...req.headers, ...authorize(req) } });
}
