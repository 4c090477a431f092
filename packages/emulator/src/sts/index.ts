export { createStsService, StsService, type TemporaryIdentity, type StsServiceOptions, type ResolveResult } from './service.js';
