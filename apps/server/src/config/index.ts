export { CONFIG_ISSUE_CODES, ConfigError, type ConfigIssue, type ConfigIssueCode } from './config-error.js';
export { type EnvConfig, loadConfig } from './env.js';
export { isResolved, type ResolvedServerOptions, resolveOptions } from './resolve.js';
export { type Authenticate, EnvOnlySchema, type OnUploadConfirmed, type ServerOptions, ServerOptionsSchema } from './schema.js';
export type { ConfirmedUpload } from '@cos-direct/protocol';
