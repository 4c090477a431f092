export { startEmulator, type EmulatorInfo, type RunningEmulator, type FaultControl } from './server.js';
export { resolveConfig, type EmulatorConfig } from './config.js';
export {
  DEFAULT_CREDENTIALS,
  DEFAULT_REGION,
  EmulatorConfigError,
  type EmulatorConfigIssue,
  type EmulatorOptions,
  EmulatorOptionsSchema,
  checkEmulatorOptions,
  bucketNameProblem,
} from './config/index.js';
export { CosError } from './errors/index.js';
export type { Refusal } from './diagnostics/refusals.js';
export type { RequestEntry, IdentityLabel, RequestLog } from './diagnostics/request-log.js';
export { formatRequestLine, requestPrinter, type RequestLogFormat } from './diagnostics/format.js';
export {
  FaultRuleError,
  parseFaultRules,
  validateFaultRules,
  type FaultRuleInput,
  type FaultRule,
  type FaultRuleStatus,
  type FaultAction,
  type InjectedFault,
} from './faults/rules.js';
export type { MetadataStore, BlobStore } from './persistence/index.js';
export { createCertificateAuthority } from './tls/certificates.js';
