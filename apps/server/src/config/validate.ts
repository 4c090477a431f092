import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { type ConfigIssue, type ConfigIssueCode, show } from './config-error.js';
import { nearMissLoose } from './did-you-mean.js';
import { type Annotations, FORMATS } from './schema.js';

// The ajv that Fastify also uses, set up once: every mistake reported (allErrors), defaults written into
// the checked copy (useDefaults), and the failing value and schema kept on each error (verbose) so the
// messages can quote them. No type coercion: the environment reader parses strings itself, more strictly.
const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true });
for (const keyword of ['env', 'hint', 'describe']) ajv.addKeyword({ keyword, schemaType: 'string' });
ajv.addKeyword({
  keyword: 'typeof',
  schemaType: 'string',
  validate: (expected: string, data: unknown) => typeof data === expected,
});
for (const [name, problem] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: (v) => problem(v) === undefined });

type Node = TSchema & Annotations;

/** Where an issue is, and how a message names it: the option (with its variable), or the variable alone. */
export type Naming = (path: string, node: Node) => { option?: string; env?: string; where: string };

/** Library options: "downloadUrlSeconds (DOWNLOAD_URL_SECONDS)". */
export const byOption: Naming = (path, node) => ({
  option: path,
  ...(node.env ? { env: node.env } : {}),
  where: node.env && node.env !== path ? `${path} (${node.env})` : path,
});

/** Settings only the environment has: the variable's name is the option's. */
export const byVariable: Naming = (path) => ({ env: path, where: path });

interface Located {
  path: string[];
  node: Node;
  /** The error is about an item of a list, not the list itself. */
  item: boolean;
}

function locate(root: Node, segments: string[]): Located {
  let node = root;
  const path: string[] = [];
  for (const segment of segments) {
    const child = (node.properties as Record<string, Node> | undefined)?.[segment];
    if (!child) return { path, node, item: node.type === 'array' };
    node = child;
    path.push(segment);
  }
  return { path, node, item: false };
}

const segmentsOf = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));

function phrase(e: ErrorObject, where: string, item: boolean): { code: ConfigIssueCode; message: string } {
  const schema = e.parentSchema as Node & Record<string, unknown>;
  const at = item ? `${where} item` : where;
  switch (e.keyword) {
    case 'required':
      return { code: 'SRV_ERR_CONFIG_REQUIRED', message: `${where} is required` };
    case 'type': {
      if (item) return { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must list only strings, got ${show(e.data)}` };
      const expected = (e.params as { type: string }).type;
      const message =
        expected === 'string'
          ? `must be a string, got ${typeof e.data}`
          : expected === 'integer' || expected === 'number'
            ? `must be a whole number, got ${show(e.data)}`
            : expected === 'boolean'
              ? `must be true or false, got ${show(e.data)}`
              : expected === 'array'
                ? `must be an array of strings, got ${typeof e.data}${typeof e.data === 'string' ? ` (write [${show(e.data)}] for one item)` : ''}`
                : `must be an object, got ${show(e.data)}`;
      return { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} ${message}` };
    }
    case 'typeof':
      return { code: 'SRV_ERR_CONFIG_TYPE', message: `${where} must be a ${e.schema}, got ${typeof e.data}` };
    case 'minLength':
      return e.schema === 1
        ? { code: 'SRV_ERR_CONFIG_REQUIRED', message: `${at} must not be empty` }
        : { code: 'SRV_ERR_CONFIG_RANGE', message: `${at} must have at least ${e.schema} characters` };
    case 'minItems':
      return { code: 'SRV_ERR_CONFIG_RANGE', message: `${where} must not be empty` };
    case 'minimum':
    case 'maximum':
      return { code: 'SRV_ERR_CONFIG_RANGE', message: `${where} must be from ${schema.minimum} to ${schema.maximum}, got ${show(e.data)}` };
    case 'enum':
      return {
        code: 'SRV_ERR_CONFIG_ENUM',
        message: `${where} must be one of ${(schema.enum as string[]).join(', ')}, got ${show(e.data)}`,
      };
    case 'pattern':
      return { code: 'SRV_ERR_CONFIG_FORMAT', message: `${at} is ${show(e.data)}; expected ${schema.hint ?? schema.pattern}` };
    case 'format':
      return { code: 'SRV_ERR_CONFIG_FORMAT', message: `${at} ${show(e.data)} ${FORMATS[e.schema as string]?.(e.data as string)}` };
    default:
      return { code: 'SRV_ERR_CONFIG_TYPE', message: `${at} ${e.message}` };
  }
}

/**
 * Compiles `schema` into a check that writes its defaults into the value it is given and answers every
 * mistake, one issue per setting (a wrong type is one issue, not one per character or union branch).
 */
export function compile(schema: TSchema, naming: Naming): (value: Record<string, unknown>) => ConfigIssue[] {
  const validate = ajv.compile(schema);
  const root = schema as Node;
  const order = Object.keys(root.properties ?? {});
  return (value) => {
    if (validate(value)) return [];
    const unknown: ConfigIssue[] = [];
    const bySetting = new Map<string, ConfigIssue>();
    for (const e of validate.errors ?? []) {
      const segments = segmentsOf(e.instancePath);
      if (e.keyword === 'additionalProperties') {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const { path, node } = locate(root, segments);
        const prefix = path.map((p) => `${p}.`).join('');
        const hint = nearMissLoose(key, Object.keys(node.properties ?? {}));
        unknown.push({
          code: 'SRV_ERR_CONFIG_UNKNOWN',
          option: prefix + key,
          message: `unknown option "${prefix}${key}"${hint ? ` (did you mean "${prefix}${hint}"?)` : ''}`,
        });
        continue;
      }
      if (e.keyword === 'required') segments.push((e.params as { missingProperty: string }).missingProperty);
      // The branches of a union fail one by one; the union's `describe` says what it takes.
      if (e.keyword === 'anyOf' || e.keyword === 'const') continue;
      const { path, node, item } = locate(root, segments);
      const key = path.join('.');
      if (bySetting.has(key)) continue;
      const { where, ...names } = naming(key, node);
      const found = node.describe
        ? { code: 'SRV_ERR_CONFIG_TYPE' as const, message: `${where} must be ${node.describe}` }
        : phrase(e, where, item);
      bySetting.set(key, { code: found.code, ...names, message: found.message });
    }
    const rank = (key: string) => order.indexOf(key.split('.')[0]!);
    return [...unknown, ...[...bySetting].sort(([a], [b]) => rank(a) - rank(b)).map(([, issue]) => issue)];
  };
}
