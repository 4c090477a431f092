export { createServer } from './server.js';
export { cosDirectTickets, type CosDirectPluginOptions } from './plugin.js';
export * from './core.js';
export { cosDirectMiddleware, type CosDirectMiddleware, type NodeAdapterSetup } from './adapters/node.js';
export { createFetchHandler, type CosDirectFetchHandler, type FetchAdapterSetup } from './adapters/fetch.js';
export {
  CONFIG_ISSUE_CODES,
  type ConfigIssue,
  type ConfigIssueCode,
  type EnvConfig,
  type OnUploadConfirmed,
  ServerOptionsSchema,
} from './config/index.js';
