import { CosErrors } from '../errors/index.js';
import { header } from '../http/headers.js';
import type { Reply } from '../http/reply.js';
import type { BucketRecord, CorsRule } from '../persistence/index.js';
import { wildcardMatch } from '../policy/resource.js';
import type { RequestState } from './request-state.js';

const originMatches = (rule: CorsRule, origin: string) => rule.allowedOrigins.some((o) => wildcardMatch(o, origin));
const methodMatches = (rule: CorsRule, method: string) => rule.allowedMethods.some((m) => m.toUpperCase() === method.toUpperCase());
const headerAllowed = (rule: CorsRule, header: string) =>
  rule.allowedHeaders.some((h) => wildcardMatch(h.toLowerCase(), header.toLowerCase()));

export type PreflightResult = { ok: true; headers: Record<string, string> } | { ok: false; reason: string };

function allowOrigin(rule: CorsRule, origin: string): Record<string, string> {
  return rule.allowedOrigins.includes('*')
    ? { 'access-control-allow-origin': '*' }
    : { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}

/** Evaluates a preflight against a bucket's rules, first match wins, as COS does. */
export function preflight(
  rules: CorsRule[] | undefined,
  origin: string | undefined,
  method: string | undefined,
  requestHeaders: string | undefined,
): PreflightResult {
  if (!origin) return { ok: false, reason: 'the preflight has no Origin header' };
  if (!method) return { ok: false, reason: 'the preflight has no Access-Control-Request-Method header' };
  if (!rules || rules.length === 0) return { ok: false, reason: 'the bucket has no CORS rules (PUT Bucket cors to add some)' };
  const headers = (requestHeaders ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const misses: string[] = [];
  for (const [i, rule] of rules.entries()) {
    if (!originMatches(rule, origin)) {
      misses.push(`rule ${i}: origin ${origin} not in ${rule.allowedOrigins.join(' ')}`);
      continue;
    }
    if (!methodMatches(rule, method)) {
      misses.push(`rule ${i}: method ${method} not in ${rule.allowedMethods.join(' ')}`);
      continue;
    }
    const refused = headers.find((h) => !headerAllowed(rule, h));
    if (refused) {
      misses.push(`rule ${i}: header ${refused} not in ${rule.allowedHeaders.join(' ')}`);
      continue;
    }
    const out: Record<string, string> = {
      ...allowOrigin(rule, origin),
      'access-control-allow-methods': rule.allowedMethods.join(','),
    };
    if (headers.length > 0) out['access-control-allow-headers'] = headers.join(',');
    if (rule.exposeHeaders.length > 0) out['access-control-expose-headers'] = rule.exposeHeaders.join(',');
    if (rule.maxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.maxAgeSeconds);
    return { ok: true, headers: out };
  }
  return { ok: false, reason: misses.join('; ') };
}

/** CORS headers for an actual (non-preflight) response. */
export function corsResponseHeaders(rules: CorsRule[] | undefined, origin: string | undefined, method: string): Record<string, string> {
  if (!origin || !rules) return {};
  const rule = rules.find((r) => originMatches(r, origin) && methodMatches(r, method));
  if (!rule) return {};
  const out = allowOrigin(rule, origin);
  if (rule.exposeHeaders.length > 0) out['access-control-expose-headers'] = rule.exposeHeaders.join(',');
  return out;
}

/** Stage 3: a CORS preflight is answered from the bucket's rules, unauthenticated, as COS does. */
export function answerPreflight(st: RequestState, bucket: BucketRecord | undefined, bucketName: string): Reply {
  if (!bucket) throw CosErrors.noSuchBucket(bucketName);
  const verdict = preflight(
    bucket.cors,
    header(st.headers, 'origin'),
    header(st.headers, 'access-control-request-method'),
    header(st.headers, 'access-control-request-headers'),
  );
  if (!verdict.ok) throw CosErrors.accessForbiddenCors(verdict.reason);
  st.cors = {};
  return { status: 200, headers: verdict.headers };
}
