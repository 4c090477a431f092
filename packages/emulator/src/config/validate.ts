import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { didYouMean } from './did-you-mean.js';
import { type Annotations, bucketNameProblem, DEFAULT_CREDENTIALS, type EmulatorOptions, EmulatorOptionsSchema } from './schema.js';

/** One mistake in the options; `option` names the option it is about, when there is one. */
export interface EmulatorConfigIssue {
  option?: string;
  message: string;
}

/** Thrown when options are unknown, mistyped or out of range; `problems` lists every mistake at once. */
export class EmulatorConfigError extends Error {
  override readonly name = 'EmulatorConfigError';
  readonly code = 'EMU_ERR_CONFIG';
  readonly problems: string[];
  readonly issues: EmulatorConfigIssue[];
  constructor(problems: Array<string | EmulatorConfigIssue>) {
    const issues = problems.map((p) => (typeof p === 'string' ? { message: p } : p));
    super(`invalid emulator configuration:\n  - ${issues.map((i) => i.message).join('\n  - ')}`);
    this.issues = issues;
    this.problems = issues.map((i) => i.message);
  }
}

// Every mistake at once (allErrors), the failing value kept for the message (verbose). Defaults are not
// written here: checking a builder's partial options must not invent the rest; the full configuration
// fills them in (see config.ts).
const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
for (const keyword of ['problem', 'flag', 'env', 'of']) ajv.addKeyword({ keyword, schemaType: 'string' });
ajv.addKeyword({ keyword: 'typeof', schemaType: 'string', validate: (expected: string, data: unknown) => typeof data === expected });
const check = ajv.compile(EmulatorOptionsSchema);

type Node = TSchema & Annotations;
const PROPERTIES = EmulatorOptionsSchema.properties as unknown as Record<string, Node>;
const NAMES = Object.keys(PROPERTIES);

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
const a = (v: unknown) => (typeof v === 'string' ? `the string ${JSON.stringify(v)}` : Array.isArray(v) ? 'a list' : show(v));

function phrase(name: string, node: Node, e: ErrorObject, item: boolean): string {
  const value = item ? undefined : e.data;
  if (node.problem && !item) return node.problem.replace('{value}', show(value));
  if (item) return `${name} must list only strings, got ${show(e.data)}`;
  if (e.keyword === 'type' && node.type === 'array') {
    const one = typeof e.data === 'string' ? ` (write [${JSON.stringify(e.data)}] for one)` : '';
    return `${name} must be a list${node.of ? ` of ${node.of}` : ''}, got ${a(e.data)}${one}`;
  }
  if (e.keyword === 'minItems') return `${name} must not be empty`;
  if (node.type === 'boolean') return `${name} must be true or false`;
  if (e.keyword === 'typeof') return `${name} must be a ${e.schema}, got ${typeof e.data}`;
  if (e.keyword === 'minLength') return `${name} must not be empty`;
  return `${name} ${e.message}`;
}

/**
 * Every mistake in `options`, checked against the schema and the rules that span options (buckets need
 * the appId; a certificate needs its key). Partial options are fine: what is absent is not checked.
 * Fault rules are left to their own validator.
 */
export function checkEmulatorOptions(options: unknown): EmulatorConfigIssue[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return [{ message: `the options must be an object, got ${a(options)}` }];
  }
  const issues: EmulatorConfigIssue[] = [];
  const seen = new Set<string>();
  if (!check(options)) {
    for (const e of check.errors ?? []) {
      if (e.keyword === 'additionalProperties') {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const near = didYouMean(key, NAMES);
        issues.push({ option: key, message: `unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ''}` });
        continue;
      }
      const [name, ...rest] = e.instancePath.split('/').slice(1);
      const node = name === undefined ? undefined : PROPERTIES[name];
      // One message per option, however many keywords or union branches it failed.
      if (name === undefined || !node || seen.has(name)) continue;
      seen.add(name);
      issues.push({ option: name, message: phrase(name, node, e, rest.length > 0) });
    }
  }
  const o = options as EmulatorOptions;
  const appId = o.appId ?? DEFAULT_CREDENTIALS.appId;
  if (Array.isArray(o.buckets) && !seen.has('buckets')) {
    for (const bucket of o.buckets) {
      const problem = typeof bucket === 'string' ? bucketNameProblem(bucket, appId) : undefined;
      if (problem) issues.push({ option: 'buckets', message: problem });
    }
  }
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    issues.push({ option: 'tlsCert', message: 'tlsCert and tlsKey go together: give both PEM files or neither' });
  }
  // In the order of the schema, so that a list of problems reads like the options.
  const rank = (i: EmulatorConfigIssue) => (i.option && i.option in PROPERTIES ? NAMES.indexOf(i.option) : -1);
  return issues.sort((x, y) => rank(x) - rank(y));
}

/** The flag and environment variable that set `option` from the CLI, for messages there. */
export function sourcesOf(option: string): { flag?: string; env?: string } {
  const node = PROPERTIES[option];
  return { ...(node?.flag ? { flag: node.flag } : {}), ...(node?.env ? { env: node.env } : {}) };
}
