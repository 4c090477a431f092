import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { findSigV4, SignerError, UNSIGNED_PAYLOAD, verifyV4, type FoundSigV4 } from '@cos-direct/signer';
import type { EmulatorConfig } from '../config.js';
import { CosErrors } from '../errors/index.js';
import { header } from '../http/headers.js';
import type { AuthStrategy, AuthVerdict, ResolveKey, SignedRequestView } from './auth-strategy.js';

const CHECKSUM_SETTING =
  "the S3 SDK's default checksums (create the client with requestChecksumCalculation: 'WHEN_REQUIRED', " +
  'or request_checksum_calculation = when_required in other SDKs)';

/**
 * COS does not take aws-chunked bodies (x-amz-content-sha256 STREAMING-*, Content-Encoding:
 * aws-chunked), and refuses them as S3-compatible stores do. The flexible checksums sent beside a
 * whole body are accepted unverified, as COS accepts them (`http/s3-dialect.ts` notes each).
 */
function refuseChunkedPayload(request: SignedRequestView, found: FoundSigV4): void {
  const encoding = (header(request.headers, 'content-encoding') ?? '').toLowerCase();
  if (found.payloadHash?.startsWith('STREAMING-') || encoding.split(',').some((e) => e.trim() === 'aws-chunked')) {
    throw CosErrors.invalidArgument(
      `aws-chunked encoding is not supported with the specified x-amz-content-sha256 value (${found.payloadHash ?? 'none'}): ` +
        `COS takes a whole body with its SHA-256 or UNSIGNED-PAYLOAD; this comes from ${CHECKSUM_SETTING}`,
    );
  }
}

function checkPayloadHash(found: FoundSigV4, malformed: (reason: string) => Error): string {
  const hash = found.payloadHash;
  if (hash === undefined) {
    throw CosErrors.invalidRequest(
      'Missing required header for this request: x-amz-content-sha256',
      'a SigV4 header signature needs x-amz-content-sha256: the hex SHA-256 of the body, or UNSIGNED-PAYLOAD',
    );
  }
  if (hash !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(hash)) {
    throw malformed(`x-amz-content-sha256 "${hash}" must be UNSIGNED-PAYLOAD or the lower-case hex SHA-256 of the body`);
  }
  return hash;
}

/**
 * The scope COS accepts: service s3, in any region. COS's own guide to S3 SDKs (doc 436/37421) has
 * clients sign for regions other than the bucket's (boto3 with no region signs us-east-1, its iOS
 * sample us-east-2), and rclone's TencentCOS provider asks for no region; the signature is computed
 * with the scope as sent, so it is checked all the same. Another region is noted in the log.
 */
function checkScope(found: FoundSigV4, config: EmulatorConfig, malformed: (reason: string) => Error, note?: (text: string) => void): void {
  if (found.service !== 's3') {
    throw malformed(`the credential scope names the service "${found.service}"; COS expects "s3"`);
  }
  if (found.region !== config.region) {
    note?.(
      `the SigV4 credential scope names the region "${found.region}", not the bucket's "${config.region}"; COS accepts any region there`,
    );
  }
}

function checkTime(found: FoundSigV4, now: number, skew: number): void {
  const at = new Date(found.signingTime * 1000).toISOString();
  const server = new Date(now * 1000).toISOString();
  if (found.source === 'query') {
    const end = found.signingTime + found.expiresIn!;
    if (now > end) {
      throw CosErrors.requestExpired(
        `X-Amz-Date ${found.amzDate} + X-Amz-Expires ${found.expiresIn} s ended at ${new Date(end * 1000).toISOString()}, ${now - end} s before the server time ${server}`,
      );
    }
    if (found.signingTime > now + skew) {
      throw CosErrors.requestTimeTooSkewed(
        `X-Amz-Date ${at} is ${found.signingTime - now} s after the server time ${server}; at most ${skew} s of skew is accepted`,
      );
    }
    return;
  }
  if (Math.abs(now - found.signingTime) > skew) {
    throw CosErrors.requestTimeTooSkewed(
      `X-Amz-Date ${at} is ${Math.abs(now - found.signingTime)} s from the server time ${server}; at most ${skew} s of skew is accepted`,
    );
  }
}

/** The body as handlers will read it, failing at its end when its SHA-256 is not the signed one. */
function sha256Checked(body: Readable, expected: string): Readable {
  const hash = createHash('sha256');
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = hash.digest('hex');
      done(
        actual === expected
          ? null
          : CosErrors.contentSha256Mismatch(`x-amz-content-sha256 is ${expected} but the body's SHA-256 is ${actual}; nothing was stored`),
      );
    },
  });
  checked.on('error', () => undefined);
  pipeline(body, checked, () => undefined);
  return checked;
}

/**
 * AWS Signature Version 4, which COS accepts from S3 SDKs: an Authorization header
 * "AWS4-HMAC-SHA256 Credential=…" or a presigned URL's X-Amz-* parameters. As strict as the COS
 * signature: scope, clock, key (root or a temporary key with X-Amz-Security-Token) and signature
 * are checked, a mismatch carries the canonical request and string to sign computed, and a signed
 * payload hash is checked against the body as it arrives.
 */
export function sigV4Strategy(env: { config: EmulatorConfig; now: number }, resolveKey: ResolveKey): AuthStrategy {
  return {
    name: 'SigV4',
    authenticate(request): AuthVerdict {
      let found: FoundSigV4 | undefined;
      try {
        found = findSigV4({ headers: request.headers, query: request.query });
      } catch (e) {
        if (!(e instanceof SignerError)) throw e;
        const isHeader = /^\s*AWS4-HMAC-SHA256/.test(header(request.headers, 'authorization') ?? '');
        throw isHeader ? CosErrors.authorizationHeaderMalformed(e.message) : CosErrors.authorizationQueryParametersError(e.message);
      }
      if (!found) return { outcome: 'not-mine' };
      const malformed = found.source === 'header' ? CosErrors.authorizationHeaderMalformed : CosErrors.authorizationQueryParametersError;
      checkScope(found, env.config, malformed, request.note);
      refuseChunkedPayload(request, found);
      const payloadHash = checkPayloadHash(found, CosErrors.invalidArgument);
      const { secretKey, identity } = resolveKey(found.accessKeyId, found.securityToken);
      checkTime(found, env.now, env.config.clockSkewSeconds);
      if (found.securityToken !== undefined && !found.signedHeaders.includes('x-amz-security-token') && found.source === 'header') {
        throw CosErrors.accessDenied('x-amz-security-token must be among the SignedHeaders of a SigV4 signature');
      }
      const verdict = verifyV4(
        { method: request.method, pathname: request.signedPath, query: request.query, headers: request.headers },
        found,
        secretKey,
      );
      if (!verdict.valid) {
        throw CosErrors.signatureDoesNotMatch(
          `${verdict.reason} (AWS SigV4 signature from the ${found.source === 'header' ? 'Authorization header' : 'presigned URL'})`,
          { CanonicalRequest: verdict.canonicalRequest, StringToSign: verdict.stringToSign },
        );
      }
      if (payloadHash !== UNSIGNED_PAYLOAD && request.body) request.body = sha256Checked(request.body, payloadHash);
      return { outcome: 'accept', identity };
    },
  };
}
