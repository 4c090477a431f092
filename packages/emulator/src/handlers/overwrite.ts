import { CosErrors } from '../errors/index.js';
import type { ReplaceCheck } from '../persistence/index.js';

/**
 * `x-cos-forbid-overwrite: true` (a header, or a POST form field) as a condition on the write: checked
 * once before the body is taken, to refuse early, and again in the transaction that would replace the
 * object, so that of two racing writes to a new key only one succeeds. Any other value allows overwriting.
 */
export function forbidOverwrite(value: string | undefined, key: string): ReplaceCheck | undefined {
  if ((value ?? '').trim().toLowerCase() !== 'true') return undefined;
  return (previous) => {
    if (previous) throw CosErrors.fileAlreadyExists(key);
  };
}
