import Handlebars from 'handlebars';

const MAX_TREES = 5_000;
const trees = new Map<string, hbs.AST.Program>();

/**
 * A template text's syntax tree, parsed once per process: loading roles checks every task's
 * strings and templates, then rendering compiles the same texts, and many tasks share a string.
 * The tree is shared: a caller that changes it works on a copy. A text that fails to parse throws
 * each time.
 */
export function parseTemplate(text: string): hbs.AST.Program {
  let tree = trees.get(text);
  if (!tree) {
    tree = Handlebars.parse(text);
    if (trees.size < MAX_TREES) trees.set(text, tree);
  }
  return tree;
}
