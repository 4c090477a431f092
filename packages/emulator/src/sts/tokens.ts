import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { CamPolicy } from '@cos-direct/signer';

/** What a session token carries. Tokens are sealed with the emulator's key, so no database is needed. */
export interface TokenClaims {
  v: 1;
  /** TmpSecretId the token belongs to. */
  sid: string;
  policy: CamPolicy;
  iat: number;
  exp: number;
  /** SecretId of the caller that requested the key. */
  iss: string;
}

const TMP_ID_PREFIX = 'AKIDtmp';

export class TokenSealer {
  constructor(private readonly key: Uint8Array) {
    if (key.length !== 32) throw new Error('the token key must be 32 bytes');
  }

  newSecretId(): string {
    return TMP_ID_PREFIX + randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
  }

  isTemporarySecretId(secretId: string): boolean {
    return secretId.startsWith(TMP_ID_PREFIX);
  }

  /** The TmpSecretKey is derived from the TmpSecretId, so it never has to be stored. */
  secretKeyFor(secretId: string): string {
    return createHmac('sha256', this.key).update(`tmp-secret-key\0${secretId}`).digest('base64url');
  }

  seal(claims: TokenClaims): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    return `cdt1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** Returns the claims, or undefined for a token this emulator did not issue or that was altered. */
  open(token: string): TokenClaims | undefined {
    if (!token.startsWith('cdt1.')) return undefined;
    try {
      const raw = Buffer.from(token.slice(5), 'base64url');
      if (raw.length < 29) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const claims = JSON.parse(text) as TokenClaims;
      return claims.v === 1 ? claims : undefined;
    } catch {
      return undefined;
    }
  }
}
