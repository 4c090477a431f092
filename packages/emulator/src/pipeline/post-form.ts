import { checkPostPolicy, decodePolicyField, verifyPostSignature } from '@cos-direct/signer';
import { CosErrors } from '../errors/index.js';
import { fieldOf } from '../http/form-fields.js';
import { grantContextOf, type RequestContext } from '../policy/index.js';
import type { AuthEnvironment } from './auth-strategy.js';
import { checkSignTime, secretKeyOf } from './authenticate.js';
import type { AuthenticatedForm, Identity } from './identity.js';

export interface FormRequest {
  bucket: string;
  /** The request's own policy context (qcs:ip, cos:secure-transport, …), which the form's fields complete. */
  policyContext: RequestContext;
  /** Checks an action for an identity with a policy context, as the authorization stage does. */
  authorizeAs(identity: Identity, action: string, key: string, context: RequestContext): void;
}

/** Authenticates a form by its q-* fields: the identity, and the policy document it signed (none when anonymous). */
function signerOf(env: AuthEnvironment, fields: Record<string, string>): { identity: Identity; policyJson?: string } {
  const secretId = fieldOf(fields, 'q-ak');
  if (!secretId) {
    if (fieldOf(fields, 'Signature')) throw CosErrors.notImplemented('the legacy "Signature" form field (use policy + q-* fields)');
    return { identity: { kind: 'anonymous' } };
  }
  const { secretKey, identity } = secretKeyOf(secretId, fieldOf(fields, 'x-cos-security-token'), env.config, env.sts);
  const verdict = verifyPostSignature(fields, secretKey);
  if (!verdict.valid) {
    if (verdict.code === 'SIGN_ERR_SIGNATURE_MISMATCH') {
      throw CosErrors.signatureDoesNotMatch(verdict.reason, verdict.stringToSign ? { StringToSign: verdict.stringToSign } : {});
    }
    throw CosErrors.accessDenied(`the form signature is incomplete: ${verdict.reason}`);
  }
  const keyTime = fieldOf(fields, 'q-key-time')!;
  checkSignTime({ signTime: keyTime, keyTime }, env.now, env.config.clockSkewSeconds);
  const policyJson = decodePolicyField(fieldOf(fields, 'policy')!);
  return { identity, policyJson };
}

function checkPolicy(policyJson: string | undefined, fields: Record<string, string>, bucket: string, fileSize: number, now: number) {
  if (policyJson === undefined) return;
  const verdict = checkPostPolicy(policyJson, fields, { bucket, fileSize, now });
  if (!verdict.ok) {
    if (verdict.code === 'SIGN_ERR_POLICY_MALFORMED') throw CosErrors.invalidPolicyDocument(verdict.reason);
    if (
      verdict.code === 'SIGN_ERR_POLICY_CONDITION' &&
      verdict.condition &&
      Array.isArray(verdict.condition) &&
      verdict.condition[0] === 'content-length-range'
    ) {
      throw CosErrors.entityTooLarge(`policy clause ${JSON.stringify(verdict.condition)}: ${verdict.reason}`);
    }
    throw CosErrors.accessDenied(
      `the form violates its policy${verdict.condition ? ` (clause ${JSON.stringify(verdict.condition)})` : ''}: ${verdict.reason}`,
    );
  }
}

/**
 * POST Object's authentication: the form signs itself (policy, q-* fields) and its fields arrive in the
 * body, so it is authenticated once they are read, with `key` the key the form names (its ${filename}
 * filled in). The policy context is the request's, with the form's fields where headers would be.
 */
export function authenticateForm(env: AuthEnvironment, form: FormRequest, fields: Record<string, string>, key: string): AuthenticatedForm {
  const checked = { ...fields, key };
  const { identity, policyJson } = signerOf(env, checked);
  const formContext = {
    ...form.policyContext,
    'cos:content-type': fieldOf(fields, 'Content-Type'),
    'cos:x-cos-acl': fieldOf(fields, 'acl') ?? fieldOf(fields, 'x-cos-acl'),
    'cos:x-cos-tagging': fieldOf(fields, 'x-cos-tagging'),
    ...grantContextOf((name) => fieldOf(fields, name)),
  };
  return {
    identity,
    authorize(size) {
      // An unknown size is NaN to the policy, which satisfies no bound: content-length-range waits for the upload.
      checkPolicy(policyJson, checked, form.bucket, size ?? Number.NaN, env.now);
      form.authorizeAs(identity, 'name/cos:PostObject', key, { ...formContext, 'cos:content-length': size });
    },
  };
}
