/**
 * Lines of compensation code in the reference system, counted from its source with the
 * TypeScript parser: per agent (every `agent({ ... })` call in system/agents.ts), the lines of
 * its `execute` and of its `compensate`; and the lines of the ledger method compensation calls.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Row } from '../types.js';

const AGENTS = fileURLToPath(
  new URL('../../../examples/credit-decisioning/system/agents.ts', import.meta.url),
);
const LEDGER = fileURLToPath(
  new URL('../../../examples/credit-decisioning/system/ledger.ts', import.meta.url),
);

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
}

const lines = (sf: ts.SourceFile, node: ts.Node): number =>
  sf.getLineAndCharacterOfPosition(node.getEnd()).line -
  sf.getLineAndCharacterOfPosition(node.getStart(sf)).line +
  1;

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}

const propName = (p: ts.ObjectLiteralElementLike): string | null =>
  p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : null;

/** Per agent of the reference system: lines of execute and of compensate (0 when it has none). */
export function compensationLines(): Row[] {
  const sf = parse(AGENTS);
  const rows: Row[] = [];
  walk(sf, (n) => {
    if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression) || n.expression.text !== 'agent')
      return;
    const def = n.arguments[0];
    if (!def || !ts.isObjectLiteralExpression(def)) return;
    const prop = (name: string) => def.properties.find((p) => propName(p) === name);
    const nameProp = prop('name');
    const name =
      nameProp && ts.isPropertyAssignment(nameProp) && ts.isStringLiteral(nameProp.initializer)
        ? nameProp.initializer.text
        : '?';
    const execute = prop('execute');
    const compensate = prop('compensate');
    rows.push({
      agent: name,
      executeLines: execute ? lines(sf, execute) : 0,
      compensateLines: compensate ? lines(sf, compensate) : 0,
    });
  });
  return rows;
}

/** Lines of the ledger code compensation relies on (`voidLine`: its statement and its method). */
export function ledgerVoidLines(): number {
  const sf = parse(LEDGER);
  let n = 0;
  walk(sf, (node) => {
    if (
      (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node)) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'voidLine'
    )
      n += lines(sf, node);
  });
  return n;
}
