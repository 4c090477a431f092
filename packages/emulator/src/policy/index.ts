export { evaluatePolicy, validatePolicy, type PolicyRequest, type PolicyDecision } from './evaluate.js';
export { grantContextOf, GRANT_HEADERS, type RequestContext } from './conditions.js';
export type { RequestResource } from './resource.js';
