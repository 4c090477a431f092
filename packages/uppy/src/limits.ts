import type { SignServerLimits } from '@cos-direct/client/browser';

export interface Restrictions {
  allowedFileTypes?: string[] | null;
  maxFileSize?: number | null;
}

/**
 * Uppy restrictions from the sign server's /limits: its extensions (unless the app chose its own types) and
 * the smaller of the app's and the server's largest size, so a refused file is turned away when it is added.
 */
export function restrictionsFrom(limits: SignServerLimits, current: Restrictions): Restrictions {
  const sizes = [limits.maxSize, limits.maxMultipartSize, current.maxFileSize].filter((n): n is number => typeof n === 'number' && n > 0);
  return {
    allowedFileTypes: current.allowedFileTypes?.length
      ? current.allowedFileTypes
      : limits.allowedExtensions.length
        ? limits.allowedExtensions.map((e) => `.${e}`)
        : null,
    maxFileSize: sizes.length ? Math.min(...sizes) : null,
  };
}
