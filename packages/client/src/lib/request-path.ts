import type { Transport } from '../types.js';
import { check } from './check.js';
import { compose, type Dispatch } from './dispatch.js';
import { network } from './network.js';
import { progress } from './progress.js';
import { retry } from './retry.js';
import type { RetryPolicy } from './retry-policy.js';
import { type Authorizer, sign } from './sign.js';
import { send } from './send.js';

/**
 * The one path every COS request takes (single PUT, Initiate, List Parts, Upload Part, Complete, Abort):
 * transport → sign → retry(policy) → check → progress → network (a failure without an answer, named).
 */
export function cosRequestPath(transport: Transport, authorize: Authorizer, policy: RetryPolicy): Dispatch {
  return compose(send(transport), sign(authorize), retry(policy), check(), progress(), network('cos'));
}
