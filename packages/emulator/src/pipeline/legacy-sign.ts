import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EmulatorConfig } from '../config.js';
import { CosErrors } from '../errors/index.js';
import type { AuthStrategy, ResolveKey, SignedRequestView } from './auth-strategy.js';

/** Operations a `sign` of COS's earlier (JSON API) signature authorizes: downloads, what the SDKs' getV4Auth makes it for. */
const DOWNLOADS = new Set(['GetObject', 'HeadObject']);

/** The fields of the earlier signature's plain text: `a=<appid>&b=<bucket>&k=<SecretId>&e=<expiry>&t=<now>&r=<random>&f=<fileid>`. */
interface LegacyFields {
  a: string;
  b: string;
  k: string;
  e: string;
  t: string;
  r: string;
  f: string;
}

/** The decoded `sign` when it is of the earlier form (base64 of HMAC-SHA1 digest + plain text), else undefined. */
function decode(sign: string): { digest: Buffer; plain: string; fields: LegacyFields } | undefined {
  if (sign.includes('q-sign-algorithm') || !/^[A-Za-z0-9+/=]+$/.test(sign)) return undefined;
  const bytes = Buffer.from(sign, 'base64');
  if (bytes.length <= 20) return undefined;
  const plain = bytes.subarray(20).toString('latin1');
  if (!plain.startsWith('a=')) return undefined;
  const fields: Partial<LegacyFields> = {};
  for (const part of plain.split('&')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (['a', 'b', 'k', 'e', 't', 'r', 'f'].includes(name)) fields[name as keyof LegacyFields] = eq < 0 ? '' : part.slice(eq + 1);
  }
  for (const name of ['a', 'b', 'k', 'e', 't', 'r'] as const) {
    if (fields[name] === undefined) throw CosErrors.accessDenied(`the sign parameter's plain text lacks its "${name}" field: ${plain}`);
  }
  return { digest: bytes.subarray(0, 20), plain, fields: { f: '', ...fields } as LegacyFields };
}

/**
 * COS's earlier signature, still taken for downloads (the official SDKs' getV4Auth): a `sign`
 * parameter carrying HMAC-SHA1(SecretKey, plain text) followed by the plain text. A multi-use
 * signature has an expiry `e` and no file; a single-use one names the file in `f` (`/<appid>/<bucket>/<key>`).
 */
export function legacySignStrategy(
  env: { config: EmulatorConfig; now: number },
  resolve: ResolveKey,
  target: { bucket: string; key: string },
): AuthStrategy {
  return {
    name: 'sign parameter (earlier signature)',
    authenticate(request: SignedRequestView & { operation: string }) {
      const sign = Object.entries(request.query).find(([k]) => k.toLowerCase() === 'sign')?.[1];
      const decoded = sign === undefined ? undefined : decode(sign);
      if (!decoded) return { outcome: 'not-mine' };
      const { digest, plain, fields } = decoded;
      if (!DOWNLOADS.has(request.operation)) {
        throw CosErrors.accessDenied(
          `a sign parameter of the earlier form (a=…&b=…&k=…, as getV4Auth makes) authorizes downloads only, not ${request.operation}; sign this request with q-sign-algorithm=sha1`,
        );
      }
      const token = request.query['x-cos-security-token'];
      const { secretKey, identity } = resolve(fields.k, token);
      const expected = createHmac('sha1', secretKey).update(plain, 'latin1').digest();
      if (!timingSafeEqual(expected, digest)) {
        throw CosErrors.signatureDoesNotMatch(
          `the sign parameter's digest does not match HMAC-SHA1 of its plain text under the secret key of k=${fields.k}`,
          { StringToSign: plain },
        );
      }
      const dash = target.bucket.lastIndexOf('-');
      const [shortName, appId] = [target.bucket.slice(0, dash), target.bucket.slice(dash + 1)];
      if (fields.a !== appId || fields.b !== shortName) {
        throw CosErrors.accessDenied(`the sign parameter is for a=${fields.a}&b=${fields.b}, not bucket ${target.bucket}`);
      }
      const expiry = Number(fields.e);
      if (!/^\d+$/.test(fields.e)) throw CosErrors.accessDenied(`the sign parameter's expiry e=${fields.e} is not a number`);
      if (fields.f === '' && expiry === 0) {
        throw CosErrors.accessDenied('the sign parameter has neither an expiry (e) nor a file (f): a multi-use signature needs e');
      }
      if (expiry !== 0 && expiry < env.now) {
        throw CosErrors.requestExpired(`the sign parameter expired at e=${fields.e}; it is now ${env.now}`);
      }
      if (Number(fields.t) > env.now + env.config.clockSkewSeconds) {
        throw CosErrors.requestTimeTooSkewed(`the sign parameter's t=${fields.t} lies in the future (now ${env.now})`);
      }
      if (fields.f !== '') {
        let file: string;
        try {
          file = decodeURIComponent(fields.f);
        } catch {
          throw CosErrors.accessDenied(`the sign parameter's file f=${fields.f} is not valid percent-encoding`);
        }
        const wanted = `/${appId}/${shortName}/${target.key}`;
        if (file !== wanted) throw CosErrors.accessDenied(`the sign parameter is for the file ${file}, not ${wanted}`);
      }
      return { outcome: 'accept', identity };
    },
  };
}
