/**
 * What a compiled template's output can depend on, so that rendering the same template for
 * thousands of hosts renders each distinct input once (see TemplateRenderer). A template's output
 * is a function of the values of the top-level names it mentions, provided it never reads the whole
 * root context (`{{this}}` or `{{json ..}}` outside an `#each`/`#with`, `@root` alone), has no
 * decorators or dynamic partials, and its helpers are functions of their arguments only (as every
 * helper in helpers.ts is: none reads `options.data` or the context).
 */

type AstNode = { type: string; [k: string]: unknown };

/** Blocks whose body runs with the item as context; their `{{else}}` runs with the caller's. */
const CONTEXT_CHANGING = new Set(['each', 'with']);

/**
 * The names of the root context a template (with the partials it calls) may read, or undefined
 * when its output may depend on more than those. Over-inclusive on purpose: a helper's name or an
 * item's field counts too, which can only make two renders look different, never alike.
 */
// long-function: one walk over the Handlebars AST (visit); its cases share what was found (names, partials seen, "whole").
export function templateInputs(ast: unknown, partials: ReadonlyMap<string, unknown>, helperNames: ReadonlySet<string> = new Set()): string[] | undefined {
  const names = new Set<string>();
  let whole = false;
  const partialsSeen = new Set<string>();

  // `inItem`: inside the body of an #each/#with, where `this` is an item rather than the root.
  // long-function: one case per Handlebars node type, as the AST defines them; each case is short.
  // deep-nesting: a case's own branches (a path's data/`this`/helper forms) sit inside the switch inside the walk.
  const visit = (node: unknown, inItem: boolean): void => {
    if (whole || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n, inItem);
      return;
    }
    const n = node as AstNode;
    switch (n.type) {
      case 'PathExpression': {
        const parts = n.parts as string[];
        const depth = n.depth as number;
        if (n.data) {
          if (parts[0] === 'root') {
            if (parts.length < 2) whole = true;
            else names.add(parts[1]!);
          }
          return;
        }
        if (parts.length === 0) {
          if (!inItem || depth > 0) whole = true;
          return;
        }
        // A bare registered helper name (`{{helper}}`, `(helper x)`) calls the helper; a dotted path never does.
        if (!(n.original === parts[0] && helperNames.has(parts[0]!))) names.add(parts[0]!);
        return;
      }
      case 'BlockStatement': {
        const helper = ((n.path as AstNode).parts as string[])[0] ?? '';
        visit(n.path, inItem);
        visit(n.params, inItem);
        visit(n.hash, inItem);
        visit(n.program, inItem || CONTEXT_CHANGING.has(helper));
        visit(n.inverse, inItem);
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const name = n.name as AstNode;
        const partial = name.type === 'PathExpression' ? partials.get(name.original as string) : undefined;
        if (partial === undefined) {
          whole = true;
          return;
        }
        visit(n.params, inItem);
        visit(n.hash, inItem);
        visit(n.program, inItem);
        // A partial renders with its caller's context: its `this` is the caller's.
        const seenKey = `${name.original as string}:${inItem}`;
        if (!partialsSeen.has(seenKey)) {
          partialsSeen.add(seenKey);
          visit(partial, inItem);
        }
        return;
      }
      case 'Decorator':
      case 'DecoratorBlock':
        whole = true;
        return;
      default:
        for (const [key, value] of Object.entries(n)) if (key !== 'loc' && key !== 'strip') visit(value, inItem);
    }
  };
  visit(ast, false);
  return whole ? undefined : [...names];
}

const MAX_DEPTH = 64;

/**
 * A string that is equal for two contexts exactly when the named values are equal as Handlebars
 * sees them (type, value, key order), or undefined when a value is not plain data (a Date, a class
 * instance, a function, a cycle) and so cannot be compared this way.
 */
export function inputKey(vars: Record<string, unknown>, names: readonly string[]): string | undefined {
  let key = '';
  for (const name of names) {
    const part = Object.hasOwn(vars, name) ? encode(vars[name], 0) : '-';
    if (part === undefined) return undefined;
    key += `${part};`;
  }
  return key;
}

function encode(v: unknown, depth: number): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? 'n-0' : `n${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'U';
    case 'bigint':
      return `b${v}`;
    case 'object':
      return v === null ? 'N' : encodeObject(v, depth);
    default:
      return undefined;
  }
}

/** A plain array or object, its items or keys in order; undefined for anything else (a class instance, extra properties). */
function encodeObject(v: object, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const proto = Object.getPrototypeOf(v);
  const keys = Object.keys(v);
  if (Object.getOwnPropertyNames(v).length !== keys.length + (Array.isArray(v) ? 1 : 0)) return undefined;
  if (Array.isArray(v)) {
    if (proto !== Array.prototype || keys.length !== v.length) return undefined;
    let out = '[';
    for (const item of v) {
      const e = encode(item, depth + 1);
      if (e === undefined) return undefined;
      out += `${e},`;
    }
    return `${out}]`;
  }
  if (proto !== Object.prototype && proto !== null) return undefined;
  let out = '{';
  for (const k of keys) {
    const e = encode((v as Record<string, unknown>)[k], depth + 1);
    if (e === undefined) return undefined;
    out += `${JSON.stringify(k)}:${e},`;
  }
  return `${out}}`;
}
