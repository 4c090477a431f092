export { CosError, type ErrorDetails } from './cos-error.js';
export { CosErrors } from './factory.js';
