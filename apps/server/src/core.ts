// The sign server without a framework: what `@cos-direct/server/core` exports. Nothing here loads Fastify.
export {
  type Caller,
  type CompleteInput,
  type ConfirmInput,
  type CoreLogger,
  CosDirect,
  type CosDirectSetup,
  callerIdOf,
  createCosDirect,
  type Limits,
  type DirectInput,
  type MultipartInput,
  type TicketInput,
  type TicketKind,
} from './service.js';
export { TicketHttp, type TicketHttpRequest, type TicketHttpResponse, TICKET_PATHS } from './http/handler.js';
export {
  type AppRequest,
  type Authenticate,
  ConfigError,
  type ConfirmedUpload,
  type KeyFolder,
  type KeyFolderContext,
  loadConfig,
  type ResolvedServerOptions,
  resolveOptions,
  type ServerOptions,
} from './config/index.js';
export { ServerError, ServerErrorCodes, type ServerErrorCode } from './errors.js';
export { COS_REGIONS, type CosRegion, isKnownRegion } from './config/index.js';
export type { ReadinessCheck, ReadinessOptions, SignServerReadiness } from './readiness.js';
export { METRICS_CONTENT_TYPE } from './metrics.js';
export type { DirectTicket, MultipartRefresh, MultipartTicket, PostPolicyTicket } from './tickets.js';
