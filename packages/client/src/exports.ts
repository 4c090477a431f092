// What every entry exports alike; platform-neutral, so the browser entry can re-export it without Node code.
export { describeError, type ErrorLocale, formatBytes } from './describe.js';
export {
  ClientErrorCodes,
  CosDirectError,
  PERMANENT_ERROR_CODES,
  type ClientErrorCode,
  type ClientErrorDetails,
} from './errors.js';
export { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from './lib/retry-policy.js';
export type * from './types.js';
