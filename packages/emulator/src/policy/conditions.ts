import { BlockList, isIP } from 'node:net';
import { wildcardMatch } from './resource.js';

export type ContextValue = string | number | boolean | undefined;
export type RequestContext = Record<string, ContextValue>;

type Comparator = (actual: ContextValue, expected: string | number | boolean) => boolean;

const num = (v: ContextValue) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
const str = (v: ContextValue) => (v === undefined ? '' : String(v));
const date = (v: ContextValue) => (typeof v === 'number' ? v * 1000 : Date.parse(String(v)));

function ipMatch(actual: ContextValue, expected: string | number | boolean): boolean {
  let ip = str(actual);
  if (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  const family = isIP(ip);
  if (!family) return false;
  const [net, bits] = String(expected).split('/');
  let base = net!;
  if (base.startsWith('::ffff:') && isIP(base.slice(7)) === 4) base = base.slice(7);
  const baseFamily = isIP(base);
  if (!baseFamily || baseFamily !== family) return false;
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) list.addAddress(base, type);
  else list.addSubnet(base, Number(bits), type);
  return list.check(ip, type);
}

const COMPARATORS: Record<string, Comparator> = {
  string_equal: (a, e) => str(a) === String(e),
  string_not_equal: (a, e) => str(a) !== String(e),
  string_equal_ignore_case: (a, e) => str(a).toLowerCase() === String(e).toLowerCase(),
  string_not_equal_ignore_case: (a, e) => str(a).toLowerCase() !== String(e).toLowerCase(),
  string_like: (a, e) => wildcardMatch(String(e), str(a)),
  string_not_like: (a, e) => !wildcardMatch(String(e), str(a)),
  numeric_equal: (a, e) => num(a) === Number(e),
  numeric_not_equal: (a, e) => num(a) !== Number(e),
  numeric_greater_than: (a, e) => num(a) > Number(e),
  numeric_greater_than_equal: (a, e) => num(a) >= Number(e),
  numeric_less_than: (a, e) => num(a) < Number(e),
  numeric_less_than_equal: (a, e) => num(a) <= Number(e),
  date_equal: (a, e) => date(a) === Date.parse(String(e)),
  date_not_equal: (a, e) => date(a) !== Date.parse(String(e)),
  date_greater_than: (a, e) => date(a) > Date.parse(String(e)),
  date_greater_than_equal: (a, e) => date(a) >= Date.parse(String(e)),
  date_less_than: (a, e) => date(a) < Date.parse(String(e)),
  date_less_than_equal: (a, e) => date(a) <= Date.parse(String(e)),
  ip_equal: ipMatch,
  ip_not_equal: (a, e) => !ipMatch(a, e),
  bool_equal: (a, e) => str(a).toLowerCase() === String(e).toLowerCase(),
};

// Negated operators: with several values the request must differ from all of them, not just one.
const NEGATED = new Set([
  'string_not_equal',
  'string_not_equal_ignore_case',
  'string_not_like',
  'numeric_not_equal',
  'date_not_equal',
  'ip_not_equal',
]);

export function isKnownOperator(op: string): boolean {
  const bare = op.replace(/^for_(all|any)_value:/, '').replace(/_if_exist$/, '');
  return bare === 'null_equal' ? !op.endsWith('_if_exist') : bare in COMPARATORS;
}

export interface ConditionFailure {
  clause: string;
}

/** Evaluates one condition block; returns the first clause that does not hold, or undefined. */
export function evaluateConditions(
  condition: Record<string, Record<string, unknown>>,
  context: RequestContext,
): ConditionFailure | undefined {
  for (const [rawOp, keys] of Object.entries(condition)) {
    const qualifier = /^for_(all|any)_value:/.exec(rawOp)?.[1];
    const op = rawOp.replace(/^for_(all|any)_value:/, '');
    const ifExist = op.endsWith('_if_exist');
    const bare = ifExist ? op.slice(0, -'_if_exist'.length) : op;
    for (const [key, expectedRaw] of Object.entries(keys ?? {})) {
      const expected = (Array.isArray(expectedRaw) ? expectedRaw : [expectedRaw]) as Array<string | number | boolean>;
      const actual = context[key];
      const describe = (why: string) => `${rawOp} ${key} ${JSON.stringify(expectedRaw)}: ${why}`;
      if (bare === 'null_equal') {
        const wantNull = String(expected[0]).toLowerCase() === 'true';
        if ((actual === undefined) !== wantNull) {
          return { clause: describe(actual === undefined ? 'the request has no value' : `the request has ${JSON.stringify(actual)}`) };
        }
        continue;
      }
      if (actual === undefined) {
        if (ifExist) continue;
        return { clause: describe('the request has no value for this key') };
      }
      const compare = COMPARATORS[bare];
      if (!compare) return { clause: describe('unknown operator') };
      // Multi-valued keys are not produced by COS requests; the qualifiers reduce to the single value.
      void qualifier;
      const ok = NEGATED.has(bare) ? expected.every((e) => compare(actual, e)) : expected.some((e) => compare(actual, e));
      if (!ok) return { clause: describe(`the request has ${JSON.stringify(actual)}`) };
    }
  }
  return undefined;
}

/** Request headers (or form fields) that grant access to an object, as COS names their condition keys. */
export const GRANT_HEADERS = ['x-cos-grant-read', 'x-cos-grant-read-acp', 'x-cos-grant-write-acp', 'x-cos-grant-full-control'] as const;

/** The `cos:x-cos-grant-*` condition keys of a request, read through `lookup` (a header or form field lookup). */
export function grantContextOf(lookup: (name: string) => string | undefined): RequestContext {
  const out: RequestContext = {};
  for (const name of GRANT_HEADERS) out[`cos:${name}`] = lookup(name);
  return out;
}
