import type { Readable } from 'node:stream';
import type { EmulatorConfig } from '../config.js';
import type { StsService } from '../sts/index.js';
import type { Identity } from './identity.js';

/** What the authentication strategies see of a request. */
export interface SignedRequestView {
  method: string;
  signedPath: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** The body as handlers will read it; a strategy may replace it with one that checks what the signature covers. */
  body?: Readable;
  /** Records what a strategy accepted without checking it as strictly as it could (the request log shows it). */
  note?: (text: string) => void;
}

/** What a strategy says about a request: it authenticated it, or the request is not signed its way. Refusals are thrown. */
export type AuthVerdict = { outcome: 'accept'; identity: Identity } | { outcome: 'not-mine' };

export interface AuthStrategy {
  readonly name: string;
  authenticate(request: SignedRequestView & { operation: string }): AuthVerdict;
}

export interface AuthEnvironment {
  config: EmulatorConfig;
  sts: StsService;
  now: number;
}

/** Resolves a SecretId (and its token) to its secret key and identity, or throws COS's refusal. */
export type ResolveKey = (secretId: string, token: string | undefined) => { secretKey: string; identity: Identity };
