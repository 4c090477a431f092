import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { OPERATION_NAMES } from '../src/operation-names.js';
import { OPERATIONS } from '../src/operations.js';

/**
 * The emulator's layers, read from the sources: every relative import, type-only ones and `import('…')`
 * types included, since a type import still ties two modules' meanings together.
 */
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

/** The module specifiers a file names: import and export declarations, `import()` calls and import types. */
export function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteral(first)) found.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Each source file (relative to src, with .ts) and the source files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const targets = specifiersOf(file, readFileSync(join(SRC, file), 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => posix.normalize(posix.join(posix.dirname(file), s)).replace(/\.js$/, '.ts'));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The import circles of a graph: its strongly connected components with more than one file, or a file importing itself. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const connect = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return cycles;
}

function reachableFrom(graph: Map<string, string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const walk = (file: string) => {
    for (const target of graph.get(file) ?? []) {
      if (seen.has(target)) continue;
      seen.add(target);
      walk(target);
    }
  };
  walk(start);
  return seen;
}

/** What the pipeline shows handlers: where the request was routed, who it acts as, and how to check what else it may do. */
const PIPELINE_FOR_HANDLERS = new Set(['pipeline/identity.ts', 'pipeline/routed-request.ts']);
/** The shared core (wire helpers, header names, operation names) depends on no layer above it. */
const ABOVE_THE_CORE = /^(handlers\/|pipeline\/|console\/|bucket-config\/handlers\.ts$|operations\.ts$|app\.ts$|server\.ts$|routes\/)/;

describe('the layers of the emulator', () => {
  const graph = importGraph();

  it('reads every kind of import, type-only ones included', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B } from './b.js';",
      "export { C } from './c.js';",
      "export type { D } from './d.js';",
      "type E = import('./e.js').E;",
      "const f = () => import('./f.js');",
    ].join('\n');
    expect(specifiersOf('x.ts', text)).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js']);
  });

  it('finds a circle, however long, and none in a tree', () => {
    const circle = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCycles(circle)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(importCycles(new Map([['a.ts', ['a.ts']]]))).toEqual([['a.ts']]);
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts', 'c.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('resolves every relative import to a source file', () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${file} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('has no import cycle in src', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('keeps handlers off the pipeline, but for the identity it hands them', () => {
    const reaching = [...graph]
      .filter(([file]) => file.startsWith('handlers/') || file === 'bucket-config/handlers.ts')
      .flatMap(([file, targets]) =>
        targets.filter((t) => t.startsWith('pipeline/') && !PIPELINE_FOR_HANDLERS.has(t)).map((t) => `${file} -> ${t}`),
      );
    expect(reaching).toEqual([]);
  });

  it('loads the configuration without any handler', () => {
    const loaded = [...reachableFrom(graph, 'config.ts')].filter(
      (file) => file.startsWith('handlers/') || file === 'operations.ts' || file === 'bucket-config/handlers.ts',
    );
    expect(loaded).toEqual([]);
  });

  it('keeps the shared core below the pipeline and the handlers', () => {
    const core = [...graph].filter(([file]) => file.startsWith('http/') || file === 'operation-names.ts');
    expect(core.length).toBeGreaterThan(0);
    const upward = core.flatMap(([file, targets]) => targets.filter((t) => ABOVE_THE_CORE.test(t)).map((t) => `${file} -> ${t}`));
    expect(upward).toEqual([]);
  });

  it('names the same operations in the list of names as in the operation table', () => {
    expect(Object.keys(OPERATIONS)).toEqual(OPERATION_NAMES);
  });
});
