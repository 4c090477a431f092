// The emulator's option validators without the emulator: nothing here loads a store, LMDB or Fastify, so
// the Testcontainers module (and anything else that only checks options) can use the emulator's own rules.
export {
  bucketNameProblem,
  DEFAULT_CREDENTIALS,
  DEFAULT_REGION,
  type EmulatorOptions,
  EmulatorOptionsSchema,
  fullBucketName,
  shortBucketName,
} from './schema.js';
export { checkEmulatorOptions, EmulatorConfigError, type EmulatorConfigIssue, sourcesOf } from './validate.js';
// Fault rules are options too (COS_EMULATOR_FAULTS, --fault): their checker needs only the operation names.
export { FaultRuleError, type FaultRuleInput, validateFaultRules } from '../faults/rules.js';
