import { CosErrors } from '../errors/index.js';

/** A parsed XML element: text, or named children (a repeated child is an array). */
export type Tree = Record<string, unknown>;

/** Helpers for checking a parsed configuration document; each names the element path it complains about. */
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

export function element(v: unknown, path: string): Tree {
  if (v === '') return {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw CosErrors.malformedXml(`<${path}> must be an element with children`);
  return v as Tree;
}

export function text(v: unknown, path: string): string {
  if (typeof v !== 'string') throw CosErrors.malformedXml(`<${path}> must hold text${Array.isArray(v) ? ' (it is repeated)' : ''}`);
  return v;
}

export function required(parent: Tree, name: string, path: string): unknown {
  const v = parent[name];
  if (v === undefined) throw CosErrors.malformedXml(`<${path}> needs a <${name}>`);
  return v;
}

export function requiredText(parent: Tree, name: string, path: string): string {
  return text(required(parent, name, path), `${path}.${name}`);
}

export function optionalText(parent: Tree, name: string, path: string): string | undefined {
  return parent[name] === undefined ? undefined : text(parent[name], `${path}.${name}`);
}

export function oneOf(value: string | undefined, allowed: readonly string[], path: string): void {
  if (value !== undefined && !allowed.includes(value))
    throw CosErrors.invalidArgument(`<${path}> is "${value}"; COS takes ${allowed.join(', ')}`);
}

export function positiveInteger(value: string | undefined, path: string): void {
  if (value !== undefined && !/^[1-9]\d*$/.test(value))
    throw CosErrors.invalidArgument(`<${path}> is "${value}"; it must be a positive integer`);
}

export function count(items: unknown[], min: number, max: number, path: string): void {
  if (items.length < min) throw CosErrors.malformedXml(`<${path}> needs at least ${min}`);
  if (items.length > max) throw CosErrors.invalidArgument(`at most ${max} <${path}> are allowed; there are ${items.length}`);
}
