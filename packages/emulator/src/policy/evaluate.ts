import type { CamPolicy } from '@cos-direct/signer';
import { evaluateConditions, isKnownOperator, type RequestContext } from './conditions.js';
import { describeResource, parseResource, resourceMatches, wildcardMatch, type RequestResource } from './resource.js';

export interface PolicyRequest {
  /** e.g. 'name/cos:PutObject' */
  action: string;
  resource: RequestResource;
  context: RequestContext;
}

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string; statement?: number; clause?: string };

const asArray = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  return wildcardMatch(pattern, action);
}

/**
 * CAM evaluation as COS applies it to temporary keys: default deny, an allow needs a statement whose
 * action, resource and conditions all match, and any matching deny wins.
 */
export function evaluatePolicy(policy: CamPolicy, request: PolicyRequest): PolicyDecision {
  const statements = Array.isArray(policy?.statement) ? policy.statement : [];
  let allowedBy: number | undefined;
  const misses: string[] = [];
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    const effect = String(s.effect).toLowerCase();
    const actions = asArray(s.action);
    const resources = asArray(s.resource);
    if (!actions.some((a) => actionMatches(a, request.action))) {
      if (effect === 'allow') misses.push(`statement ${i} allows ${actions.join(', ')}, not ${request.action}`);
      continue;
    }
    const matchingResource = resources.some((r) => {
      const p = parseResource(r);
      return !('error' in p) && resourceMatches(p, request.resource);
    });
    if (!matchingResource) {
      if (effect === 'allow') misses.push(`statement ${i} covers ${resources.join(', ')}, not ${describeResource(request.resource)}`);
      continue;
    }
    const failed = s.condition ? evaluateConditions(s.condition as Record<string, Record<string, unknown>>, request.context) : undefined;
    if (effect === 'deny') {
      if (!failed) {
        const clause = s.condition ? Object.keys(s.condition).join(', ') : 'no condition';
        return {
          allowed: false,
          statement: i,
          clause,
          reason: `${request.action} on ${describeResource(request.resource)} is denied by statement ${i} (deny, ${clause}${describeContext(s.condition, request.context)})`,
        };
      }
      continue;
    }
    if (failed) {
      misses.push(`statement ${i} allows it only if ${failed.clause}`);
      continue;
    }
    allowedBy ??= i;
  }
  if (allowedBy !== undefined) return { allowed: true };
  return {
    allowed: false,
    reason:
      `no statement of the temporary key's policy allows ${request.action} on ${describeResource(request.resource)}` +
      (misses.length ? `: ${misses.join('; ')}` : ': the policy has no allow statements'),
    clause: misses[0],
  };
}

function describeContext(condition: unknown, context: RequestContext): string {
  if (!condition || typeof condition !== 'object') return '';
  const keys = new Set<string>();
  for (const block of Object.values(condition as Record<string, Record<string, unknown>>))
    for (const k of Object.keys(block ?? {})) keys.add(k);
  const parts = [...keys].map((k) => `${k}=${JSON.stringify(context[k] ?? null)}`);
  return parts.length ? `; request ${parts.join(', ')}` : '';
}

/** Checks a policy's shape when STS issues it. */
export function validatePolicy(policy: unknown): { ok: true; policy: CamPolicy } | { ok: false; reason: string } {
  if (!policy || typeof policy !== 'object') return { ok: false, reason: 'the policy is not a JSON object' };
  const p = policy as Record<string, unknown>;
  if (!Array.isArray(p.statement) || p.statement.length === 0)
    return { ok: false, reason: 'the policy needs a non-empty "statement" array' };
  for (const [i, raw] of p.statement.entries()) {
    if (!raw || typeof raw !== 'object') return { ok: false, reason: `statement ${i} is not an object` };
    const s = raw as Record<string, unknown>;
    const effect = String(s.effect ?? '').toLowerCase();
    if (effect !== 'allow' && effect !== 'deny')
      return { ok: false, reason: `statement ${i} has effect "${s.effect}"; expected allow or deny` };
    if (asArray(s.action).length === 0) return { ok: false, reason: `statement ${i} has no action` };
    const resources = asArray(s.resource);
    if (resources.length === 0) return { ok: false, reason: `statement ${i} has no resource` };
    for (const r of resources) {
      const parsed = parseResource(r);
      if ('error' in parsed) return { ok: false, reason: `statement ${i}: ${parsed.error}` };
    }
    if (s.condition !== undefined) {
      if (!s.condition || typeof s.condition !== 'object')
        return { ok: false, reason: `statement ${i} has a condition that is not an object` };
      for (const op of Object.keys(s.condition)) {
        if (!isKnownOperator(op)) return { ok: false, reason: `statement ${i} uses unknown condition operator "${op}"` };
      }
    }
  }
  return { ok: true, policy: policy as CamPolicy };
}
