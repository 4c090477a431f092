export { createServer } from './server.js';
export { cosDirectTickets, type CosDirectPluginOptions } from './plugin.js';
export * from './core.js';
export {
  CONFIG_ISSUE_CODES,
  type ConfigIssue,
  type ConfigIssueCode,
  type EnvConfig,
  type OnUploadConfirmed,
  ServerOptionsSchema,
} from './config/index.js';
