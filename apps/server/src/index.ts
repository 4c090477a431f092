export { createServer } from './server.js';
export { cosDirectTickets } from './plugin.js';
export {
  loadConfig,
  resolveOptions,
  ConfigError,
  CONFIG_ISSUE_CODES,
  type ConfigIssue,
  type ConfigIssueCode,
  type ConfirmedUpload,
  type ServerOptions,
  type ResolvedServerOptions,
  type Authenticate,
  type EnvConfig,
  ServerOptionsSchema,
} from './config/index.js';
export { ServerError, ServerErrorCodes, type ServerErrorCode } from './errors.js';
export type { DirectTicket, MultipartTicket, PostPolicyTicket } from './tickets.js';
