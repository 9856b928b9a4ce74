import { TemplateError } from '../core/errors.js';
import { parseTemplate } from './parse-cache.js';

export interface NameUse {
  name: string;
  line: number;
  col: number;
}

type AstNode = { type: string; loc?: { start: { line: number; column: number } }; [k: string]: unknown };

/** Block helpers whose body runs in another context (its bare names are the item's, not variables). */
const CONTEXT_CHANGING = new Set(['each', 'with']);

/**
 * The top-level names a template reads, with positions. Handlebars' strict mode does not see a
 * missing variable inside `{{#if}}`; this walk does, so undeclared names are found when roles
 * load, before anything is rendered or any host is touched.
 */
export function templateVariables(text: string, file: string): NameUse[] {
  let ast: AstNode;
  try {
    ast = parseTemplate(text) as unknown as AstNode;
  } catch (e) {
    const m = /^Parse error on line (\d+):/.exec((e as Error).message);
    const line = m ? Number(m[1]) : 1;
    const last = (e as Error).message.split('\n').slice(-1)[0];
    throw new TemplateError(`template syntax error: ${last}`, { file, line, cause: e });
  }
  const uses: NameUse[] = [];
  const visit = (node: unknown, nesting: number): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n, nesting);
      return;
    }
    const n = node as AstNode;
    if (n.type === 'PathExpression') {
      const parts = n.parts as string[];
      const data = n.data as boolean;
      if (!data && (n.depth as number) === nesting && parts.length > 0 && !(n.this as boolean)) {
        uses.push({ name: parts[0]!, line: n.loc?.start.line ?? 1, col: (n.loc?.start.column ?? 0) + 1 });
      }
      return;
    }
    if (n.type === 'BlockStatement') {
      const helper = ((n.path as AstNode).parts as string[])[0] ?? '';
      visit(n.params, nesting);
      visit(n.hash, nesting);
      const inner = CONTEXT_CHANGING.has(helper) ? nesting + 1 : nesting;
      visit(n.program, inner);
      visit(n.inverse, nesting);
      return;
    }
    // A partial's name is no variable; it renders with its caller's context and its own hash.
    if (n.type === 'PartialStatement') {
      visit(n.params, nesting);
      visit(n.hash, nesting);
      return;
    }
    if (n.type === 'MustacheStatement' || n.type === 'SubExpression') {
      const path = n.path as AstNode;
      // A call with arguments names a helper; a bare mustache names a variable.
      const hasArgs = (n.params as unknown[]).length > 0 || n.hash;
      if (!hasArgs) visit(path, nesting);
      visit(n.params, nesting);
      visit(n.hash, nesting);
      return;
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc' && key !== 'strip') visit(value, nesting);
  };
  visit(ast, 0);
  return uses;
}
