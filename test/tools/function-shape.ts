/**
 * The shape rule of the house, checked in `npm test` (`npm run shape`): no function in `src/` longer than
 * 60 lines or nesting deeper than 3, unless the comment directly above it says why.
 *
 * What it measures, with TypeScript's own parser (no type checking, so it runs in a second):
 * - Which functions: function declarations, methods (and constructors, getters, setters), and arrow functions
 *   or function expressions assigned to a name (a `const`/`let`, an object property or a class property).
 *   A callback passed as an argument is not measured on its own: it is part of the function it is written in.
 * - Length: the lines of the function's body, from the line of its opening `{` to the line of its closing `}`
 *   (an arrow function's expression body: its first to its last line).
 * - Nesting: the deepest chain of nested blocks inside the body, one level for each `if`, `for`/`for of`/
 *   `for in`, `while`/`do`, `switch`, `try` (its `catch` and `finally` are the same level) and each block body
 *   `{ }` of a callback written inside it (a one-expression arrow such as `(x) => x.name` opens no block).
 *   A named function inside it (an inner `const f = () => {}`, an object's method) is measured on its own
 *   instead, so it adds nothing to the nesting around it (its lines do count in the length).
 *   An `else if` is the same level as its `if`. The body itself is level 0, so `if { for { if {} } }` is 3.
 * - The way out: a comment ending on the line directly above the function (above its `const`, property or
 *   `export` line) holding `long-function:` (for the length) or `deep-nesting:` (for the nesting), followed
 *   by the reason, e.g. `// deep-nesting: one state machine over the lines; split, its states would scatter`.
 *
 * Usage: `tsx test/tools/function-shape.ts [DIR...]` (default `src`); exit 1 with one line per function.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export const MAX_LINES = 60;
export const MAX_NESTING = 3;

export interface ShapeProblem {
  file: string;
  line: number;
  name: string;
  lines: number;
  nesting: number;
  /** What is wrong, e.g. "94 lines" or "nesting 5". */
  problems: string[];
}

type FunctionNode = ts.FunctionLikeDeclaration;

const NESTING_STATEMENTS = new Set([
  ts.SyntaxKind.IfStatement,
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ForInStatement,
  ts.SyntaxKind.WhileStatement,
  ts.SyntaxKind.DoStatement,
  ts.SyntaxKind.SwitchStatement,
  ts.SyntaxKind.TryStatement,
]);

function isFunctionWithBody(node: ts.Node): node is FunctionNode {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node)) &&
    node.body !== undefined
  );
}

/** The name a measured function goes by, or undefined for a callback that is part of its enclosing function. */
function nameOf(fn: FunctionNode): string | undefined {
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return fn.name?.getText();
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText();
  }
  return undefined;
}

/** The node whose line the excusing comment must sit above: the statement or property that names the function. */
function anchorOf(fn: FunctionNode): ts.Node {
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent)) return parent.parent.parent;
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent;
  return fn;
}

/** An `else if` continues its `if` rather than nesting inside it. */
function isElseIf(node: ts.Node): boolean {
  return ts.isIfStatement(node) && ts.isIfStatement(node.parent) && node.parent.elseStatement === node;
}

function nestingBelow(node: ts.Node, depth: number): number {
  let deepest = depth;
  ts.forEachChild(node, (child) => {
    if (isFunctionWithBody(child) && nameOf(child) !== undefined) return;
    const opens = (NESTING_STATEMENTS.has(child.kind) && !isElseIf(child)) || (isFunctionWithBody(child) && child.body !== undefined && ts.isBlock(child.body));
    deepest = Math.max(deepest, nestingBelow(child, opens ? depth + 1 : depth));
  });
  return deepest;
}

/** The text of the comments that end on the line directly above the anchor (a contiguous block). */
function commentAbove(anchor: ts.Node, source: ts.SourceFile): string {
  const text = source.getFullText();
  const startLine = source.getLineAndCharacterOfPosition(anchor.getStart(source)).line;
  const ranges = ts.getLeadingCommentRanges(text, anchor.getFullStart()) ?? [];
  const block: string[] = [];
  let expectEndLine = startLine - 1;
  for (const range of [...ranges].reverse()) {
    const endLine = source.getLineAndCharacterOfPosition(range.end).line;
    if (endLine !== expectEndLine) break;
    block.unshift(text.slice(range.pos, range.end));
    expectEndLine = source.getLineAndCharacterOfPosition(range.pos).line - 1;
  }
  return block.join('\n');
}

function excused(comment: string, marker: 'long-function:' | 'deep-nesting:'): boolean {
  return new RegExp(`${marker}\\s*\\S`).test(comment);
}

/** Every function in one file's text that breaks the rule without saying why. */
export function shapeProblems(file: string, text: string): ShapeProblem[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ShapeProblem[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node): void => {
    const name = isFunctionWithBody(node) ? nameOf(node) : undefined;
    if (isFunctionWithBody(node) && name !== undefined && node.body) {
      const body = node.body;
      const lines = lineOf(body.getEnd()) - lineOf(body.getStart(source)) + 1;
      const nesting = nestingBelow(body, 0);
      const comment = commentAbove(anchorOf(node), source);
      const problems: string[] = [];
      if (lines > MAX_LINES && !excused(comment, 'long-function:')) problems.push(`${lines} lines`);
      if (nesting > MAX_NESTING && !excused(comment, 'deep-nesting:')) problems.push(`nesting ${nesting}`);
      if (problems.length > 0) {
        found.push({ file, line: lineOf(node.getStart(source)) + 1, name, lines, nesting, problems });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return typeScriptFiles(path);
      return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
    });
}

function main(dirs: string[]): number {
  const problems = dirs.flatMap(typeScriptFiles).flatMap((file) => shapeProblems(file, readFileSync(file, 'utf8')));
  for (const p of problems) console.error(`${p.file}:${p.line} ${p.name}: ${p.problems.join(', ')}`);
  if (problems.length === 0) return 0;
  console.error(
    `\n${problems.length} function(s) longer than ${MAX_LINES} lines or nesting deeper than ${MAX_NESTING}: split them, ` +
      'or say why on the line above (a comment with "long-function:" or "deep-nesting:" and the reason).',
  );
  return 1;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = main(process.argv.length > 2 ? process.argv.slice(2) : ['src']);
}
