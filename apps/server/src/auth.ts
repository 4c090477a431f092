import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Authenticate, ResolvedServerOptions } from './config/index.js';
import { ServerError } from './errors.js';

function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) throw new ServerError('SRV_ERR_UNAUTHENTICATED', 'an "Authorization: Bearer <token>" header is required');
  return m[1]!;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer tokens from configuration, compared in constant time. */
export function bearerAuthenticator(tokens: string[]): Authenticate {
  const digests = tokens.map(digest);
  return (request) => {
    const given = digest(bearerOf(request));
    if (!digests.some((d) => timingSafeEqual(d, given))) throw new ServerError('SRV_ERR_UNAUTHENTICATED', 'the bearer token is not valid');
    return { kind: 'bearer' };
  };
}

/** JWT verification with an HS256 secret or a JWKS URL. */
export function jwtAuthenticator(jwt: NonNullable<ResolvedServerOptions['jwt']>): Authenticate {
  const key: Uint8Array | JWTVerifyGetKey = jwt.jwksUrl ? createRemoteJWKSet(new URL(jwt.jwksUrl)) : new TextEncoder().encode(jwt.secret!);
  const algorithms = jwt.jwksUrl ? undefined : ['HS256'];
  return async (request) => {
    const token = bearerOf(request);
    try {
      const { payload } = await jwtVerify(token, key as never, {
        ...(algorithms ? { algorithms } : {}),
        ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
        ...(jwt.audience ? { audience: jwt.audience } : {}),
      });
      return { kind: 'jwt', subject: payload.sub };
    } catch (e) {
      throw new ServerError('SRV_ERR_UNAUTHENTICATED', `the JWT is not valid: ${(e as { code?: string }).code ?? 'verification failed'}`);
    }
  };
}

export function authenticatorOf(options: ResolvedServerOptions): Authenticate | undefined {
  if (options.authenticate) return options.authenticate;
  if (options.jwt) return jwtAuthenticator(options.jwt);
  if (options.bearerTokens && options.bearerTokens.length > 0) return bearerAuthenticator(options.bearerTokens);
  return undefined;
}
