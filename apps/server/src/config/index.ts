export { CONFIG_ISSUE_CODES, ConfigError, type ConfigIssue, type ConfigIssueCode } from './config-error.js';
export { type EnvConfig, loadConfig } from './env.js';
export { isResolved, type ResolvedServerOptions, resolveOptions } from './resolve.js';
export {
  type AppRequest,
  type Authenticate,
  type KeyFolder,
  type KeyFolderContext,
  EnvOnlySchema,
  type OnUploadConfirmed,
  type ServerOptions,
  ServerOptionsSchema,
} from './schema.js';
export type { ConfirmedUpload } from '@cos-direct/protocol';
export { COS_REGIONS, type CosRegion, isKnownRegion } from './regions.js';
