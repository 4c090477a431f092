import type { CamPolicy } from '@cos-direct/signer';
import { evaluatePolicy, validatePolicy, type PolicyRequest } from './evaluate.js';
import { wildcardMatch } from './resource.js';

/**
 * A bucket policy as stored: COS's capitalised names, each statement with its principals, for the
 * evaluator; and the document GET returns.
 */
export interface BucketPolicy {
  Statement: Array<{
    Principal: { qcs: string[] };
    Effect: string;
    Action: string[];
    Resource: string[];
    Condition?: Record<string, Record<string, unknown>>;
  }>;
  version: string;
  /**
   * What GET Bucket policy answers: the document as sent, its statement list named `Statement` and each
   * statement as sent. Absent in policies stored before it was kept: GET then answers the fields above.
   */
  answer?: Record<string, unknown>;
}

/**
 * The GET Bucket policy document. COS answers `Statement` (doc 436/8276) but the statements as they were
 * put: the official SDK suite puts lower-case names and reads the answer's `Statement[0].resource[0]`.
 */
export function policyAnswer(policy: BucketPolicy): Record<string, unknown> {
  if (policy.answer) return policy.answer;
  const { answer: _none, ...stored } = policy;
  return stored;
}

export type BucketPolicyVerdict =
  | { effect: 'allow'; statement: number }
  | { effect: 'deny'; statement: number; reason: string }
  | { effect: 'none' };

/** Principals that stand for everyone, the anonymous included. */
export const ANYONE = ['*', 'qcs::cam::anyone:anyone'];

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** A member by name, whatever its case (COS accepts `statement` and `Statement` alike). */
function member(o: Record<string, unknown>, name: string): unknown {
  const hit = Object.keys(o).find((k) => k.toLowerCase() === name);
  return hit === undefined ? undefined : o[hit];
}

function principalsOf(raw: unknown): string[] | undefined {
  if (raw === '*') return ['*'];
  if (!raw || typeof raw !== 'object') return undefined;
  const qcs = member(raw as Record<string, unknown>, 'qcs');
  const list = asArray(qcs).map(String);
  return list.length ? list : undefined;
}

/**
 * Checks a PUT Bucket policy document and brings it to the form GET returns. Names are taken in any
 * case; a principal given beside the statements applies to each statement that names none.
 */
export function parseBucketPolicy(text: string): { ok: true; policy: BucketPolicy } | { ok: false; reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `the policy is not JSON: ${(e as Error).message}` };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, reason: 'the policy is not a JSON object' };
  const root = doc as Record<string, unknown>;
  const outer = member(root, 'principal');
  const statements = asArray(member(root, 'statement'));
  const policy: BucketPolicy = { Statement: [], version: String(member(root, 'version') ?? '2.0') };
  const cam: CamPolicy = { version: '2.0', statement: [] } as unknown as CamPolicy;
  for (const [i, raw] of statements.entries()) {
    if (!raw || typeof raw !== 'object') return { ok: false, reason: `statement ${i} is not an object` };
    const s = raw as Record<string, unknown>;
    const principals = principalsOf(member(s, 'principal') ?? outer);
    if (!principals)
      return { ok: false, reason: `statement ${i} names no principal ({"qcs": [...]}) and the policy has none beside its statements` };
    const condition = member(s, 'condition') as Record<string, Record<string, unknown>> | undefined;
    const statement = {
      Principal: { qcs: principals },
      Effect: String(member(s, 'effect') ?? ''),
      Action: asArray(member(s, 'action')).map(String),
      Resource: asArray(member(s, 'resource')).map(String),
      ...(condition === undefined ? {} : { Condition: condition }),
    };
    policy.Statement.push(statement);
    (cam.statement as unknown[]).push({ effect: statement.Effect, action: statement.Action, resource: statement.Resource, condition });
  }
  // The statement checks are those STS applies to a temporary key's policy: effect, action, resource, condition operators.
  const checked = validatePolicy(cam);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  const answer: Record<string, unknown> = { Statement: statements };
  for (const [name, value] of Object.entries(root)) if (name.toLowerCase() !== 'statement') answer[name] = value;
  if (member(root, 'version') === undefined) answer.version = policy.version;
  return { ok: true, policy: { ...policy, answer } };
}

/**
 * What a bucket policy says about a request by one of `principals`: an explicit deny, an allow, or
 * nothing (no statement for this principal, action and resource).
 */
export function evaluateBucketPolicy(policy: BucketPolicy, principals: string[], request: PolicyRequest): BucketPolicyVerdict {
  const indexes: number[] = [];
  const statements: unknown[] = [];
  policy.Statement.forEach((s, i) => {
    if (!s.Principal.qcs.some((p) => principals.some((who) => wildcardMatch(p, who)))) return;
    indexes.push(i);
    statements.push({ effect: s.Effect, action: s.Action, resource: s.Resource, condition: s.Condition });
  });
  if (statements.length === 0) return { effect: 'none' };
  const decision = evaluatePolicy({ statement: statements } as unknown as CamPolicy, request);
  if (decision.allowed) {
    const allowing = statements.findIndex((s) => evaluatePolicy({ statement: [s] } as unknown as CamPolicy, request).allowed);
    return { effect: 'allow', statement: indexes[allowing] ?? 0 };
  }
  if (decision.statement !== undefined) {
    const index = indexes[decision.statement] ?? decision.statement;
    return {
      effect: 'deny',
      statement: index,
      reason: decision.reason.replace(`statement ${decision.statement}`, `bucket policy statement ${index}`),
    };
  }
  return { effect: 'none' };
}
