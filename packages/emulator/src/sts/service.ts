import { randomUUID } from 'node:crypto';
import { parseTc3Authorization, verifyStsV1, verifyTc3, type CamPolicy } from '@cos-direct/signer';
import { validatePolicy } from '../policy/index.js';
import { TokenSealer } from './tokens.js';
import { header } from '../http/headers.js';

export interface TemporaryIdentity {
  secretId: string;
  secretKey: string;
  token: string;
  policy: CamPolicy;
  expiredTime: number;
  startTime: number;
}

export interface StsServiceOptions {
  root: { secretId: string; secretKey: string; appId: string };
  tokenKey: Uint8Array;
  region: string;
  now?: () => number;
}

type Headers = Record<string, string | string[] | undefined>;
export interface StsHttpRequest {
  method: string;
  host: string;
  url: string;
  headers: Headers;
  body: Buffer;
  ip: string;
}
export interface StsHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type ResolveResult =
  | { ok: true; identity: TemporaryIdentity }
  | { ok: false; code: 'InvalidAccessKeyId' | 'AccessDenied' | 'ExpiredToken'; message: string; reason: string };

// Timestamps further than this from the server clock are refused, as the TencentCloud API does.
const MAX_TIMESTAMP_SKEW = 300;
const MAX_POLICY_LENGTH = 16384;
const LIMITS = {
  GetFederationToken: { default: 1800, max: 7200 },
  AssumeRole: { default: 7200, max: 43200 },
} as const;

class StsFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The STS API (2018-08-13) that issues temporary keys, in the v1 and TC3 request styles. */
export class StsService {
  readonly #root: StsServiceOptions['root'];
  readonly #sealer: TokenSealer;
  readonly #now: () => number;
  readonly #region: string;

  constructor(options: StsServiceOptions) {
    this.#root = options.root;
    this.#sealer = new TokenSealer(options.tokenKey);
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#region = options.region;
  }

  /** POST / with a form body (v1) or an X-TC-Action header (TC3); never multipart/form-data, which is POST Object. */
  isStsRequest(req: { method: string; url: string; headers: Headers }): boolean {
    if (req.method !== 'POST') return false;
    const path = req.url.split('?')[0];
    if (path !== '/') return false;
    if (header(req.headers, 'x-tc-action')) return true;
    const type = (header(req.headers, 'content-type') ?? '').toLowerCase();
    return type.startsWith('application/x-www-form-urlencoded');
  }

  isTemporarySecretId(secretId: string): boolean {
    return this.#sealer.isTemporarySecretId(secretId);
  }

  handle(req: StsHttpRequest): StsHttpResponse {
    const requestId = randomUUID();
    try {
      const result = header(req.headers, 'x-tc-action') ? this.#handleTc3(req) : this.#handleV1(req);
      return this.#reply({ ...result, RequestId: requestId });
    } catch (e) {
      const failure = e instanceof StsFailure ? e : new StsFailure('InternalError', 'An internal error occurred.');
      return this.#reply({ Error: { Code: failure.code, Message: failure.message }, RequestId: requestId });
    }
  }

  #reply(response: Record<string, unknown>): StsHttpResponse {
    // Like the TencentCloud API, errors are HTTP 200 with an Error object in the envelope.
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ Response: response }),
    };
  }

  #checkCaller(secretId: string | undefined, timestamp: number): string {
    if (!secretId) throw new StsFailure('MissingParameter', 'The request is missing the SecretId parameter.');
    if (this.#sealer.isTemporarySecretId(secretId)) {
      throw new StsFailure('AuthFailure.UnauthorizedOperation', 'Temporary keys cannot request further temporary keys from this emulator.');
    }
    if (secretId !== this.#root.secretId) {
      throw new StsFailure(
        'AuthFailure.SecretIdNotFound',
        `The SecretId ${secretId} is not found; the emulator knows only its root account.`,
      );
    }
    if (!Number.isInteger(timestamp)) throw new StsFailure('InvalidParameter', 'Timestamp must be an integer of unix seconds.');
    const skew = timestamp - this.#now();
    if (Math.abs(skew) > MAX_TIMESTAMP_SKEW) {
      throw new StsFailure(
        'AuthFailure.SignatureExpire',
        `The Timestamp ${timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the server clock; at most ${MAX_TIMESTAMP_SKEW} s is accepted.`,
      );
    }
    return this.#root.secretKey;
  }

  #handleV1(req: StsHttpRequest) {
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params[k] = v;
    const secretKey = this.#checkCaller(params.SecretId, Number(params.Timestamp));
    const verdict = verifyStsV1(params, secretKey, { host: req.host, method: 'POST', path: '/' });
    if (!verdict.valid) {
      throw new StsFailure(
        'AuthFailure.SignatureFailure',
        `The provided credentials could not be validated. Please check your signature is correct. (${verdict.reason}; the emulator signed: ${verdict.formatString ?? ''})`,
      );
    }
    return this.#issue(
      params.Action,
      {
        policy: params.Policy,
        duration: params.DurationSeconds,
        name: params.Name,
        roleArn: params.RoleArn,
        roleSessionName: params.RoleSessionName,
        issuer: params.SecretId!,
      },
      true,
    );
  }

  #handleTc3(req: StsHttpRequest) {
    const authorization = header(req.headers, 'authorization') ?? '';
    let secretId: string;
    try {
      secretId = parseTc3Authorization(authorization).secretId;
    } catch (e) {
      throw new StsFailure('AuthFailure.InvalidAuthorization', (e as Error).message);
    }
    const timestamp = Number(header(req.headers, 'x-tc-timestamp'));
    const secretKey = this.#checkCaller(secretId, timestamp);
    const verdict = verifyTc3({
      authorization,
      secretKey,
      host: req.host,
      timestamp,
      payload: req.body.toString('utf8'),
      contentType: header(req.headers, 'content-type') ?? '',
    });
    if (!verdict.valid) {
      throw new StsFailure(
        'AuthFailure.SignatureFailure',
        `The provided credentials could not be validated. Please check your signature is correct. (${verdict.reason}; canonical request: ${JSON.stringify(verdict.canonicalRequest ?? '')})`,
      );
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      throw new StsFailure('InvalidParameter', 'The request body is not JSON.');
    }
    return this.#issue(
      header(req.headers, 'x-tc-action'),
      {
        policy: body.Policy === undefined ? undefined : String(body.Policy),
        duration: body.DurationSeconds === undefined ? undefined : String(body.DurationSeconds),
        name: body.Name === undefined ? undefined : String(body.Name),
        roleArn: body.RoleArn === undefined ? undefined : String(body.RoleArn),
        roleSessionName: body.RoleSessionName === undefined ? undefined : String(body.RoleSessionName),
        issuer: secretId,
      },
      false,
    );
  }

  #issue(
    action: string | undefined,
    p: { policy?: string; duration?: string; name?: string; roleArn?: string; roleSessionName?: string; issuer: string },
    policyIsEncoded: boolean,
  ) {
    if (action !== 'GetFederationToken' && action !== 'AssumeRole') {
      throw new StsFailure(
        'InvalidAction',
        `The action ${action ?? '(none)'} is not supported; the emulator offers GetFederationToken and AssumeRole.`,
      );
    }
    const limits = LIMITS[action];
    const duration = p.duration === undefined || p.duration === '' ? limits.default : Number(p.duration);
    if (!Number.isInteger(duration) || duration < 1 || duration > limits.max) {
      throw new StsFailure(
        'InvalidParameter.OverTimeError',
        `DurationSeconds ${p.duration} must be an integer from 1 to ${limits.max} for ${action}.`,
      );
    }
    if (action === 'GetFederationToken' && !p.name) throw new StsFailure('MissingParameter', 'The request is missing the Name parameter.');
    if (action === 'AssumeRole') {
      if (!p.roleArn) throw new StsFailure('MissingParameter', 'The request is missing the RoleArn parameter.');
      if (!p.roleSessionName || !/^[\w+=,.@-]{2,128}$/.test(p.roleSessionName)) {
        throw new StsFailure('InvalidParameterValue', 'RoleSessionName must be 2 to 128 characters of letters, digits and +=,.@_-.');
      }
    }
    let policy: CamPolicy;
    if (p.policy === undefined || p.policy === '') {
      if (action === 'GetFederationToken') throw new StsFailure('MissingParameter', 'The request is missing the Policy parameter.');
      policy = { version: '2.0', statement: [{ effect: 'allow', action: ['*'], resource: ['*'] }] };
    } else {
      let text = p.policy;
      if (text.length > MAX_POLICY_LENGTH)
        throw new StsFailure('InvalidParameter.PolicyTooLong', `Policy is longer than ${MAX_POLICY_LENGTH} characters.`);
      try {
        if (policyIsEncoded || text.startsWith('%7B')) text = decodeURIComponent(text);
      } catch {
        throw new StsFailure('InvalidParameter.StrategyFormatError', 'Policy is not valid URL-encoded text.');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new StsFailure('InvalidParameter.StrategyFormatError', 'Policy is not valid JSON.');
      }
      const checked = validatePolicy(parsed);
      if (!checked.ok) throw new StsFailure('InvalidParameter.StrategyFormatError', `Policy is invalid: ${checked.reason}.`);
      policy = checked.policy;
    }
    const now = this.#now();
    const secretId = this.#sealer.newSecretId();
    const expiredTime = now + duration;
    const token = this.#sealer.seal({ v: 1, sid: secretId, policy, iat: now, exp: expiredTime, iss: p.issuer });
    return {
      Credentials: { Token: token, TmpSecretId: secretId, TmpSecretKey: this.#sealer.secretKeyFor(secretId) },
      ExpiredTime: expiredTime,
      Expiration: new Date(expiredTime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }

  /** Validates a temporary SecretId and its token; the identity carries the key and the policy. */
  resolveTemporary(secretId: string, token: string | undefined): ResolveResult {
    if (!token) {
      return {
        ok: false,
        code: 'AccessDenied',
        message: 'Access Denied.',
        reason: `${secretId} is a temporary SecretId, and the request carries no x-cos-security-token`,
      };
    }
    const claims = this.#sealer.open(token);
    if (!claims) {
      return {
        ok: false,
        code: 'AccessDenied',
        message: 'Access Denied.',
        reason: 'the x-cos-security-token was not issued by this emulator or has been altered',
      };
    }
    if (claims.sid !== secretId) {
      return {
        ok: false,
        code: 'AccessDenied',
        message: 'Access Denied.',
        reason: `the x-cos-security-token belongs to ${claims.sid}, not to the request's SecretId ${secretId}`,
      };
    }
    const now = this.#now();
    if (now >= claims.exp) {
      return {
        ok: false,
        code: 'InvalidAccessKeyId',
        message: 'The Access Key Id you provided does not exist in our records.',
        reason: `the temporary key ${secretId} expired at ${new Date(claims.exp * 1000).toISOString()} (${now - claims.exp} s ago)`,
      };
    }
    return {
      ok: true,
      identity: {
        secretId,
        secretKey: this.#sealer.secretKeyFor(secretId),
        token,
        policy: claims.policy,
        expiredTime: claims.exp,
        startTime: claims.iat,
      },
    };
  }
}

export function createStsService(options: StsServiceOptions): StsService {
  return new StsService(options);
}
