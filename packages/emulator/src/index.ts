export { startEmulator, type EmulatorInfo, type RunningEmulator } from './server.js';
export {
  resolveConfig,
  DEFAULT_CREDENTIALS,
  DEFAULT_REGION,
  EmulatorConfigError,
  type EmulatorOptions,
  type EmulatorConfig,
} from './config.js';
export { CosError } from './errors/index.js';
export type { Refusal } from './diagnostics/refusals.js';
export type { MetadataStore, BlobStore } from './persistence/index.js';
export { createCertificateAuthority } from './tls/certificates.js';
