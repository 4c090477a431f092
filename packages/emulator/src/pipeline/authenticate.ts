import { findAuthorization, parseKeyTime, SignerError, verifyRequest, type AuthorizationFields, type CamPolicy } from '@cos-direct/signer';
import type { EmulatorConfig } from '../config.js';
import { CosErrors } from '../errors/index.js';
import type { StsService } from '../sts/index.js';

export type Identity =
  | { kind: 'root'; secretId: string }
  | { kind: 'temporary'; secretId: string; policy: CamPolicy; expiredTime: number }
  | { kind: 'anonymous' };

export interface SignedRequestView {
  method: string;
  signedPath: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

/** Resolves a SecretId to its secret key, or throws the refusal COS gives for it. */
export function secretKeyOf(
  secretId: string,
  token: string | undefined,
  config: EmulatorConfig,
  sts: StsService,
): { secretKey: string; identity: Identity } {
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

/** Checks a signature's time window against the clock. */
export function checkSignTime(fields: Pick<AuthorizationFields, 'signTime' | 'keyTime'>, now: number, skew: number): void {
  let window;
  try {
    window = parseKeyTime(fields.signTime);
    parseKeyTime(fields.keyTime);
  } catch (e) {
    throw CosErrors.accessDenied(`q-sign-time/q-key-time: ${(e as Error).message}`);
  }
  if (now > window.end) {
    throw CosErrors.requestExpired(
      `q-sign-time ${fields.signTime} ended at ${new Date(window.end * 1000).toISOString()}, ${now - window.end} s before the server time ${new Date(now * 1000).toISOString()}`,
    );
  }
  if (window.start > now + skew) {
    throw CosErrors.requestTimeTooSkewed(
      `q-sign-time ${fields.signTime} starts ${window.start - now} s after the server time ${new Date(now * 1000).toISOString()}; at most ${skew} s of clock skew is accepted`,
    );
  }
}

/**
 * The authentication stage: finds the signature (header, presigned query or sign=), resolves the
 * key, checks the time window, and recomputes the signature. A refusal carries what the emulator
 * computed, so a user can compare it with what their client signed.
 */
export function authenticate(request: SignedRequestView, config: EmulatorConfig, sts: StsService, now: number): Identity {
  let found;
  try {
    found = findAuthorization({ headers: request.headers, query: request.query });
  } catch (e) {
    if (e instanceof SignerError) throw CosErrors.accessDenied(`the signature is malformed: ${e.message}`);
    throw e;
  }
  if (!found) return { kind: 'anonymous' };
  const { fields } = found;
  const { secretKey, identity } = secretKeyOf(fields.secretId, found.securityToken, config, sts);
  checkSignTime(fields, now, config.clockSkewSeconds);
  const verdict = verifyRequest(
    { method: request.method, pathname: request.signedPath, query: request.query, headers: request.headers },
    fields,
    secretKey,
  );
  if (!verdict.valid) {
    throw CosErrors.signatureDoesNotMatch(
      `${verdict.reason} (signature from the ${found.source === 'header' ? 'Authorization header' : found.source === 'query' ? 'presigned URL' : 'sign parameter'})`,
      {
        StringToSign: verdict.stringToSign,
        FormatString: verdict.formatString,
      },
    );
  }
  return identity;
}
