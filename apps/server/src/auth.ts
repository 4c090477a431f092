import { timingSafeEqual, createHash } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AppRequest, Authenticate, ResolvedServerOptions } from './config/index.js';
import { ServerError } from './errors.js';

/** The Authorization header of a Node or Fastify request (a plain object) or of a Web Request (Headers). */
function authorizationOf(request: AppRequest): unknown {
  const headers = (request as { headers?: unknown })?.headers;
  if (typeof (headers as Headers | undefined)?.get === 'function') return (headers as Headers).get('authorization') ?? undefined;
  return (headers as Record<string, unknown> | undefined)?.authorization;
}

function bearerOf(request: AppRequest): string {
  const header = authorizationOf(request);
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

/**
 * How far the caller's clock may be from ours: `exp` and `nbf` are honoured this much late, and an `iat`
 * later than this ahead of us is refused (a token minted for the future would outlive any revocation).
 */
export const JWT_CLOCK_SKEW_SECONDS = 60;

/** Why jose refused a token, in words that name the claim and never echo the token. */
function jwtProblem(e: unknown): string {
  const { code, claim, reason } = e as { code?: string; claim?: string; reason?: string };
  if (code === 'ERR_JWT_EXPIRED') return 'it has expired (exp)';
  if (claim && reason === 'missing') return `it has no "${claim}" claim`;
  if (claim) return `its "${claim}" claim is not acceptable`;
  return code ?? 'verification failed';
}

/**
 * JWT verification with an HS256 secret or a JWKS URL. Every token must expire (`exp`): one without it
 * would stay valid forever once leaked.
 */
export function jwtAuthenticator(jwt: NonNullable<ResolvedServerOptions['jwt']>, now: () => number): Authenticate {
  const key: Uint8Array | JWTVerifyGetKey = jwt.jwksUrl ? createRemoteJWKSet(new URL(jwt.jwksUrl)) : new TextEncoder().encode(jwt.secret!);
  const algorithms = jwt.jwksUrl ? undefined : ['HS256'];
  return async (request) => {
    const token = bearerOf(request);
    const at = now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as never, {
        ...(algorithms ? { algorithms } : {}),
        ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
        ...(jwt.audience ? { audience: jwt.audience } : {}),
        requiredClaims: ['exp'],
        clockTolerance: JWT_CLOCK_SKEW_SECONDS,
        currentDate: new Date(at * 1000),
      }));
    } catch (e) {
      throw new ServerError('SRV_ERR_UNAUTHENTICATED', `the JWT is not valid: ${jwtProblem(e)}`);
    }
    if (typeof payload.iat === 'number' && payload.iat > at + JWT_CLOCK_SKEW_SECONDS) {
      throw new ServerError('SRV_ERR_UNAUTHENTICATED', 'the JWT is not valid: its "iat" claim is in the future');
    }
    return { kind: 'jwt', subject: payload.sub };
  };
}

export function authenticatorOf(options: ResolvedServerOptions): Authenticate | undefined {
  if (options.authenticate) return options.authenticate;
  if (options.jwt) return jwtAuthenticator(options.jwt, options.now);
  if (options.bearerTokens && options.bearerTokens.length > 0) return bearerAuthenticator(options.bearerTokens);
  return undefined;
}
