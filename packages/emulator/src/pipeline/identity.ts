import type { CamPolicy } from '@cos-direct/signer';

/**
 * What the pipeline shows the handlers: who a request acts as, and the checks a handler may still ask
 * for. Everything else of the pipeline stays behind it.
 */
export type Identity =
  | { kind: 'root'; secretId: string }
  | { kind: 'temporary'; secretId: string; policy: CamPolicy; expiredTime: number }
  | { kind: 'anonymous' };

/** A POST form, authenticated by its own fields; its policy and PostObject are checked once per size known. */
export interface AuthenticatedForm {
  identity: Identity;
  /**
   * Checks the form's policy and PostObject on its key for a file of `size` bytes: before the upload,
   * when the size is unknown (undefined), and again once it is.
   */
  authorize(size?: number): void;
}

/** The authorization a handler may ask for beyond the one the pipeline did for its operation. */
export interface RequestAccess {
  readonly identity: Identity;
  /** Checks a further action of the request's identity: GetObject on a copy's source, DeleteObject per key. */
  authorize(action: string, key: string, bucket?: string): void;
  /** POST Object: the form signs itself, so it is authenticated by its fields once the handler has read them. */
  authenticateForm(fields: Record<string, string>, key: string): AuthenticatedForm;
}
