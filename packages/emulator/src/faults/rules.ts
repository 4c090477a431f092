import { CosError, CosErrors } from '../errors/index.js';
import { isOperation, OPERATION_NAMES } from '../operation-names.js';

/**
 * A fault rule as users write it (HTTP `//_emulator/faults`, `--fault <json>`, `faults` option,
 * COS_EMULATOR_FAULTS, Testcontainers `withFaults`): which requests it selects, what it does to them,
 * and how often it fires.
 */
export interface FaultRuleInput {
  /** A name shown in the log and the listing; default `#<position>`. */
  name?: string;
  /** Operation names from the emulator's operation table (PutObject, HeadObject, UploadPart, …), one or several. */
  operation?: string | string[];
  /** HTTP method(s). */
  method?: string | string[];
  /** Bucket, by its full name or its short name. */
  bucket?: string;
  /** Only keys starting with this. */
  keyPrefix?: string;
  /** Answer this HTTP status (with `code`, or the usual code of that status). */
  status?: number;
  /** The COS error code of the answer (SlowDown, InternalError, RequestTimeTooSkewed, …). */
  code?: string;
  /** Hold the request this long before going on (alone, or before any other action). */
  latencyMs?: number;
  /** Close the connection: before any answer byte, or after the headers and part of the body. */
  reset?: boolean | 'before-response' | 'mid-body';
  /** Send the headers and only part of the body (true: half of it; a number: that many bytes), then close. */
  truncate?: boolean | number;
  /** Fire at most this many times. */
  count?: number;
  /** Fire with this probability (0 to 1) for each matching request. Default 1. */
  probability?: number;
}

export type FaultAction =
  | { kind: 'error'; status: number; code: string }
  | { kind: 'reset-before-response' }
  | { kind: 'reset-mid-body' }
  | { kind: 'truncate'; bytes?: number }
  | { kind: 'latency' };

/** A validated rule. */
export interface FaultRule {
  name: string;
  operations?: string[];
  methods?: string[];
  bucket?: string;
  keyPrefix?: string;
  latencyMs: number;
  action: FaultAction;
  count?: number;
  probability: number;
}

/** What a listing shows: the rule as validated, with how often it fired and what it has left. */
export interface FaultRuleStatus extends FaultRule {
  hits: number;
  remaining?: number;
}

/** What the log records on a request a rule fired on. */
export interface InjectedFault {
  rule: string;
  action: FaultAction['kind'];
  latencyMs?: number;
  status?: number;
  code?: string;
}

export class FaultRuleError extends Error {
  override readonly name = 'FaultRuleError';
  readonly code = 'EMU_ERR_FAULT_RULE';
  constructor(readonly problems: string[]) {
    super(`invalid fault rules:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The COS codes a rule may answer, each rendered by its factory (message as COS sends it). */
const INJECTABLE: Record<string, (reason: string) => CosError> = {
  SlowDown: CosErrors.slowDown,
  ServiceUnavailable: CosErrors.serviceUnavailable,
  InternalError: (reason) => CosErrors.internalError(reason),
  RequestTimeTooSkewed: CosErrors.requestTimeTooSkewed,
  RequestTimeout: CosErrors.requestTimeout,
  AccessDenied: CosErrors.accessDenied,
  InvalidAccessKeyId: CosErrors.invalidAccessKeyId,
  NoSuchKey: () => CosErrors.noSuchKey('(injected)'),
  NoSuchBucket: () => CosErrors.noSuchBucket('(injected)'),
  NoSuchUpload: () => CosErrors.noSuchUpload('(injected)'),
  EntityTooLarge: CosErrors.entityTooLarge,
  BadDigest: CosErrors.badDigest,
  IncompleteBody: CosErrors.incompleteBody,
  InvalidArgument: CosErrors.invalidArgument,
};

/**
 * COS can fail Complete Multipart Upload and the copies after it has answered 200: the error comes in
 * the body (doc 436/7742, 436/10881), and the official SDKs retry it. A rule can answer so for these.
 */
const ERROR_IN_200 = new Set(['CompleteMultipartUpload', 'CopyObject', 'UploadPartCopy']);

/** The code a bare `status` answers with. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'InvalidArgument',
  403: 'AccessDenied',
  404: 'NoSuchKey',
  500: 'InternalError',
  503: 'SlowDown',
};

const KEYS = new Set([
  'name',
  'operation',
  'method',
  'bucket',
  'keyPrefix',
  'status',
  'code',
  'latencyMs',
  'reset',
  'truncate',
  'count',
  'probability',
]);
const METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS']);

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** The error a rule's `status`/`code` answer is, as the error stage renders it. */
export function injectedError(rule: FaultRule): CosError {
  const action = rule.action as Extract<FaultAction, { kind: 'error' }>;
  const base = INJECTABLE[action.code]!(`injected by fault rule ${rule.name} (//_emulator/faults)`);
  const error =
    base.statusCode === action.status
      ? base
      : new CosError(base.code, action.status, base.message, base.reason, base.details, base.headers);
  (error as CosError & { injected?: boolean }).injected = true;
  return error;
}

/** Validates rules once, at the edge; every problem is named with the rule's position. */
export function validateFaultRules(input: unknown): FaultRule[] {
  const problems: string[] = [];
  if (!Array.isArray(input)) throw new FaultRuleError(['rules must be an array of rule objects ({"rules":[...]})']);
  const rules: FaultRule[] = [];
  input.forEach((raw, i) => {
    const at = `rule ${i + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const r = raw as Record<string, unknown>;
    const before = problems.length;
    for (const k of Object.keys(r)) {
      if (!KEYS.has(k)) problems.push(`${at}: unknown field "${k}" (known: ${[...KEYS].join(', ')})`);
    }
    const name = r.name === undefined ? `#${i + 1}` : r.name;
    if (typeof name !== 'string' || name === '') problems.push(`${at}: name must be a non-empty string`);
    let operations: string[] | undefined;
    if (r.operation !== undefined) {
      operations = [];
      for (const op of list(r.operation)) {
        if (typeof op !== 'string' || !isOperation(op)) {
          problems.push(`${at}: operation ${JSON.stringify(op)} is not one of ${OPERATION_NAMES.join(', ')}`);
        } else operations.push(op);
      }
    }
    let methods: string[] | undefined;
    if (r.method !== undefined) {
      methods = [];
      for (const m of list(r.method)) {
        if (typeof m !== 'string' || !METHODS.has(m.toUpperCase())) {
          problems.push(`${at}: method ${JSON.stringify(m)} is not one of ${[...METHODS].join(', ')}`);
        } else methods.push(m.toUpperCase());
      }
    }
    for (const k of ['bucket', 'keyPrefix'] as const) {
      if (r[k] !== undefined && typeof r[k] !== 'string') problems.push(`${at}: ${k} must be a string`);
    }
    const latencyMs = r.latencyMs ?? 0;
    if (!Number.isInteger(latencyMs) || (latencyMs as number) < 0 || (latencyMs as number) > 600_000) {
      problems.push(`${at}: latencyMs must be an integer from 0 to 600000`);
    }
    if (r.count !== undefined && (!Number.isInteger(r.count) || (r.count as number) < 1)) {
      problems.push(`${at}: count must be a positive integer`);
    }
    const probability = r.probability ?? 1;
    if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
      problems.push(`${at}: probability must be a number from 0 to 1`);
    }

    const actions = (['status', 'code', 'reset', 'truncate'] as const).filter((k) => r[k] !== undefined && r[k] !== false);
    let action: FaultAction = { kind: 'latency' };
    if (actions.includes('reset') || actions.includes('truncate')) {
      if (actions.length > 1) problems.push(`${at}: choose one of status/code, reset and truncate (got ${actions.join(', ')})`);
      else if (actions[0] === 'reset') {
        if (r.reset === true || r.reset === 'before-response') action = { kind: 'reset-before-response' };
        else if (r.reset === 'mid-body') action = { kind: 'reset-mid-body' };
        else problems.push(`${at}: reset must be true, "before-response" or "mid-body"`);
      } else if (r.truncate === true) action = { kind: 'truncate' };
      else if (Number.isInteger(r.truncate) && (r.truncate as number) >= 0) action = { kind: 'truncate', bytes: r.truncate as number };
      else problems.push(`${at}: truncate must be true (half the body) or a number of bytes to send`);
    } else if (actions.length > 0) {
      const status = r.status;
      let code = r.code;
      const in200 = status === 200;
      if (in200 && (code === undefined || !operations?.length || !operations.every((op) => ERROR_IN_200.has(op)))) {
        problems.push(
          `${at}: status 200 (an <Error> in a 200 answer) needs a code and operation limited to ${[...ERROR_IN_200].join(', ')}, where COS answers so`,
        );
      } else if (!in200 && status !== undefined && (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599)) {
        problems.push(`${at}: status must be an HTTP error status from 400 to 599, or 200 for an <Error> in a 200 answer`);
      } else if (code !== undefined && (typeof code !== 'string' || !(code in INJECTABLE))) {
        problems.push(`${at}: code ${JSON.stringify(code)} is not one the emulator can answer (${Object.keys(INJECTABLE).join(', ')})`);
      } else {
        if (code === undefined) {
          code = CODE_OF_STATUS[status as number];
          if (code === undefined) problems.push(`${at}: status ${status} needs a code (${Object.keys(INJECTABLE).join(', ')})`);
        }
        if (code !== undefined) {
          const c = code as string;
          action = { kind: 'error', code: c, status: (status as number | undefined) ?? INJECTABLE[c]!('').statusCode };
        }
      }
    } else if (latencyMs === 0) {
      problems.push(`${at}: does nothing: give status/code, latencyMs, reset or truncate`);
    }
    if (problems.length > before) return;
    rules.push({
      name: name as string,
      ...(operations ? { operations } : {}),
      ...(methods ? { methods } : {}),
      ...(r.bucket !== undefined ? { bucket: r.bucket as string } : {}),
      ...(r.keyPrefix !== undefined ? { keyPrefix: r.keyPrefix as string } : {}),
      latencyMs: latencyMs as number,
      action,
      ...(r.count !== undefined ? { count: r.count as number } : {}),
      probability: probability as number,
    });
  });
  const names = rules.map((r) => r.name);
  for (const n of new Set(names)) if (names.indexOf(n) !== names.lastIndexOf(n)) problems.push(`rule name "${n}" is used twice`);
  if (problems.length > 0) throw new FaultRuleError(problems);
  return rules;
}

/** Parses rules from JSON text: an array of rules, one rule, or `{"rules":[...]}`. */
export function parseFaultRules(text: string): FaultRule[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FaultRuleError([`not JSON: ${(e as Error).message}`]);
  }
  return validateFaultRules(normalizeRuleInput(value));
}

/** `{"rules":[...]}`, an array, or a single rule object, as an array. */
export function normalizeRuleInput(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (Object.keys(o).length === 1 && 'rules' in o) return o.rules;
    return [value];
  }
  return value;
}

export interface FaultTarget {
  operation?: string;
  method: string;
  bucket?: string;
  key?: string;
}

/**
 * The rules in force: matched in order, the first that selects a request and fires decides. Shared by
 * the http and https listeners.
 */
export class FaultInjector {
  #rules: FaultRuleStatus[] = [];
  constructor(
    private readonly appId: string,
    private readonly random: () => number = Math.random,
  ) {}

  /** Replaces the rules (validating them first; nothing changes when one is invalid). */
  set(input: unknown): FaultRuleStatus[] {
    this.load(validateFaultRules(normalizeRuleInput(input)));
    return this.list();
  }

  /** Puts already validated rules in force (the `faults` option). */
  load(rules: readonly FaultRule[]): void {
    this.#rules = rules.map((r) => ({ ...r, hits: 0, ...(r.count !== undefined ? { remaining: r.count } : {}) }));
  }

  clear(): void {
    this.#rules = [];
  }

  list(): FaultRuleStatus[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  /** The rule that fires on this request, counted as a hit, or undefined. */
  match(target: FaultTarget): FaultRule | undefined {
    for (const rule of this.#rules) {
      if (rule.remaining === 0) continue;
      if (rule.operations && (!target.operation || !rule.operations.includes(target.operation))) continue;
      if (rule.methods && !rule.methods.includes(target.method)) continue;
      if (rule.bucket && target.bucket !== rule.bucket && target.bucket !== `${rule.bucket}-${this.appId}`) continue;
      if (rule.keyPrefix !== undefined && !(target.key ?? '').startsWith(rule.keyPrefix)) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.hits++;
      if (rule.remaining !== undefined) rule.remaining--;
      return rule;
    }
    return undefined;
  }
}

/** The log's record of a fired rule. */
export function describeFault(rule: FaultRule): InjectedFault {
  const a = rule.action;
  return {
    rule: rule.name,
    action: a.kind,
    ...(rule.latencyMs ? { latencyMs: rule.latencyMs } : {}),
    ...(a.kind === 'error' ? { status: a.status, code: a.code } : {}),
  };
}
