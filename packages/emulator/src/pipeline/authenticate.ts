import {
  findAuthorization,
  parseKeyTime,
  SignerError,
  verifyRequest,
  type AuthorizationFields,
  type FoundAuthorization,
  type TimeWindow,
} from '@cos-direct/signer';
import type { EmulatorConfig } from '../config.js';
import { CosErrors } from '../errors/index.js';
import { header } from '../http/headers.js';
import type { StsService } from '../sts/index.js';
import type { AuthEnvironment, AuthStrategy, SignedRequestView } from './auth-strategy.js';
import type { Identity } from './identity.js';
import { legacySignStrategy } from './legacy-sign.js';
import type { RequestState } from './request-state.js';
import type { RoutedRequest } from './routed-request.js';
import { sigV4Strategy } from './sigv4.js';

/** Resolves a SecretId to its secret key, or throws the refusal COS gives for it. */
export function secretKeyOf(
  secretId: string,
  token: string | undefined,
  config: EmulatorConfig,
  sts: StsService,
): { secretKey: string; identity: Identity } {
  // COS looks q-ak up exactly as sent: a SecretId with a stray space or a control character is malformed, not unknown.
  if (!/^[\x21-\x7e]+$/.test(secretId)) {
    throw CosErrors.invalidAccessKeyIdFormat(
      `the SecretId ${JSON.stringify(secretId)} contains whitespace or characters outside printable ASCII (COS does not trim q-ak)`,
    );
  }
  if (secretId === config.credentials.secretId) {
    return { secretKey: config.credentials.secretKey, identity: { kind: 'root', secretId } };
  }
  if (sts.isTemporarySecretId(secretId)) {
    const resolved = sts.resolveTemporary(secretId, token);
    if (!resolved.ok) {
      if (resolved.code === 'InvalidAccessKeyId') throw CosErrors.invalidAccessKeyId(resolved.reason);
      if (resolved.code === 'ExpiredToken') throw CosErrors.expiredToken(resolved.reason);
      throw CosErrors.accessDenied(resolved.reason);
    }
    const id = resolved.identity;
    return { secretKey: id.secretKey, identity: { kind: 'temporary', secretId, policy: id.policy, expiredTime: id.expiredTime } };
  }
  throw CosErrors.invalidAccessKeyId(
    `the SecretId "${secretId}" is neither the emulator's root SecretId (${config.credentials.secretId}) nor a temporary key issued by its STS`,
  );
}

/** Parses one of the two windows, refusing it as COS does when it has ended or starts too far ahead. */
function checkWindow(name: 'q-sign-time' | 'q-key-time', value: string, now: number, skew: number): TimeWindow {
  let window: TimeWindow;
  try {
    window = parseKeyTime(value);
  } catch (e) {
    throw CosErrors.accessDenied(`${name}: ${(e as Error).message}`);
  }
  if (now > window.end) {
    throw CosErrors.requestExpired(
      `${name} ${value} ended at ${new Date(window.end * 1000).toISOString()}, ${now - window.end} s before the server time ${new Date(now * 1000).toISOString()}`,
    );
  }
  if (window.start > now + skew) {
    throw CosErrors.requestTimeTooSkewed(
      `${name} ${value} starts ${window.start - now} s after the server time ${new Date(now * 1000).toISOString()}; at most ${skew} s of clock skew is accepted`,
    );
  }
  return window;
}

/**
 * Checks a signature's time windows against the clock: q-sign-time, and q-key-time, from which the
 * SignKey derives, so an expired or future key time is refused even when q-sign-time is current,
 * and q-sign-time must lie within it.
 */
export function checkSignTime(fields: Pick<AuthorizationFields, 'signTime' | 'keyTime'>, now: number, skew: number): void {
  const key = checkWindow('q-key-time', fields.keyTime, now, skew);
  const sign = fields.signTime === fields.keyTime ? key : checkWindow('q-sign-time', fields.signTime, now, skew);
  if (sign.start < key.start || sign.end > key.end) {
    throw CosErrors.accessDenied(`q-sign-time ${fields.signTime} does not lie within q-key-time ${fields.keyTime}`);
  }
}

/** q-ak as the client sent it: the signer's parser trims each value, COS does not. */
function sentSecretId(authorization: string | undefined, parsed: string): string {
  if (authorization === undefined) return parsed;
  for (const part of authorization.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === 'q-ak') return part.slice(eq + 1);
  }
  return parsed;
}

const SOURCE_NAMES = { header: 'Authorization header', query: 'presigned URL', sign: 'sign parameter' } as const;

/** Resolves the key, checks the time windows and recomputes the signature of one found signature. */
function verifyFound(request: SignedRequestView, found: FoundAuthorization, sent: string | undefined, env: AuthEnvironment): Identity {
  const { fields } = found;
  const { secretKey, identity } = secretKeyOf(sentSecretId(sent, fields.secretId), found.securityToken, env.config, env.sts);
  checkSignTime(fields, env.now, env.config.clockSkewSeconds);
  const verdict = verifyRequest(
    { method: request.method, pathname: request.signedPath, query: request.query, headers: request.headers },
    fields,
    secretKey,
  );
  if (!verdict.valid) {
    throw CosErrors.signatureDoesNotMatch(`${verdict.reason} (signature from the ${SOURCE_NAMES[found.source]})`, {
      StringToSign: verdict.stringToSign,
      FormatString: verdict.formatString,
    });
  }
  return identity;
}

/** Finds a signature in one place only, turning the signer's parse errors into COS's refusal. */
function find(request: SignedRequestView, source: FoundAuthorization['source']): { found: FoundAuthorization; sent?: string } | undefined {
  const token = header(request.headers, 'x-cos-security-token') ?? request.query['x-cos-security-token'];
  const tokenOnly = token === undefined ? {} : { 'x-cos-security-token': token };
  let found: FoundAuthorization | undefined;
  let sent: string | undefined;
  try {
    if (source === 'header') {
      sent = header(request.headers, 'authorization');
      if (sent === undefined || sent === '') return undefined;
      found = findAuthorization({ headers: request.headers, query: tokenOnly });
    } else {
      const { authorization: _header, ...headers } = request.headers;
      found = findAuthorization({ headers, query: request.query });
      if (found?.source !== source) return undefined;
      if (source === 'sign') sent = Object.entries(request.query).find(([k]) => k.toLowerCase() === 'sign')?.[1];
    }
  } catch (e) {
    if (e instanceof SignerError) throw CosErrors.accessDenied(`the signature is malformed: ${e.message}`);
    throw e;
  }
  return found ? { found, sent } : undefined;
}

const signatureIn = (source: FoundAuthorization['source'], env: AuthEnvironment): AuthStrategy => ({
  name: SOURCE_NAMES[source],
  authenticate(request) {
    const hit = find(request, source);
    return hit ? { outcome: 'accept', identity: verifyFound(request, hit.found, hit.sent, env) } : { outcome: 'not-mine' };
  },
});

/**
 * POST Object: the form signs itself (policy, q-* fields), and its fields arrive in the body, so it is
 * authenticated once its handler has read them (`post-form.ts`), before anything is stored; headers and
 * query are not looked at.
 */
const postForm: AuthStrategy = {
  name: 'POST form',
  authenticate: (request) =>
    request.operation === 'PostObject' ? { outcome: 'accept', identity: { kind: 'anonymous' } } : { outcome: 'not-mine' },
};

const anonymous: AuthStrategy = { name: 'anonymous', authenticate: () => ({ outcome: 'accept', identity: { kind: 'anonymous' } }) };

/**
 * The authentication stage, a chain of strategies tried in COS's order: a POST form, an AWS SigV4
 * header or presigned URL, the Authorization header, a presigned URL's q-* fields, a `sign`
 * parameter (COS's earlier signature, or the q-* fields in one), else anonymous. The first
 * that claims the request decides; a refusal carries what the emulator computed, so a user can
 * compare it with what their client signed.
 */
export function authenticate(
  request: SignedRequestView & { operation: string; bucket: string; key: string },
  config: EmulatorConfig,
  sts: StsService,
  now: number,
): Identity {
  const env = { config, sts, now };
  const resolve = (secretId: string, token: string | undefined) => secretKeyOf(secretId, token, config, sts);
  const sigV4 = sigV4Strategy(env, resolve);
  const legacy = legacySignStrategy(env, resolve, request);
  for (const strategy of [
    postForm,
    sigV4,
    signatureIn('header', env),
    legacy,
    signatureIn('query', env),
    signatureIn('sign', env),
    anonymous,
  ]) {
    const verdict = strategy.authenticate(request);
    if (verdict.outcome === 'accept') return verdict.identity;
  }
  return { kind: 'anonymous' };
}

/**
 * Stage 4: who the request acts as (a POST form signs itself, later). A SigV4 signature with a payload
 * hash hands back the body wrapped in a check of that hash, which the handler then reads.
 */
export function authenticateRequest(env: AuthEnvironment, st: RequestState, routed: RoutedRequest, method: string): Identity {
  const signed = {
    operation: routed.operation,
    bucket: routed.bucket,
    key: routed.key,
    method,
    signedPath: routed.signedPath,
    query: routed.query,
    headers: st.signedHeaders,
    body: st.body,
    note: (text: string) => st.notes.push(text),
  };
  const identity = authenticate(signed, env.config, env.sts, env.now);
  st.body = signed.body;
  st.identity = identity.kind === 'anonymous' ? identity : { kind: identity.kind, secretId: identity.secretId };
  return identity;
}
