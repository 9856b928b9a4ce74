import { UsageError } from '../core/errors.js';
import { YamlSource } from '../core/yaml-source.js';
import { shlexSplit } from './ini-values.js';
import type { Vars } from './inventory.js';
import { readVarsFile } from './load-inventory.js';
import { assignVars, originOf, setOrigin } from './provenance.js';
import { varsOf } from './yaml-inventory.js';

/**
 * `-e` values as `ansible-playbook -e` takes them: `k=v k2=v2` (strings), inline YAML/JSON
 * (`{"k": [1, 2]}`), or `@file.yml`. Later values win. Each value's origin is its file:line, or
 * for values on the command line `-e:N:col`: the N-th `-e`, the column in it.
 */
export function parseExtraVars(items: string[]): Vars {
  const out: Vars = {};
  for (const [index, item] of items.entries()) {
    const text = item.trim();
    const line = index + 1;
    if (text.startsWith('@')) assignVars(out, readVarsFile(text.slice(1)));
    else if (text.startsWith('{')) assignVars(out, inlineVars(text, line));
    else assignKeyValues(out, text, line);
  }
  return out;
}

/** `-e '{"k": 1}'`: inline YAML/JSON, each value's origin the N-th `-e` and its column. */
function inlineVars(text: string, line: number): Vars {
  const src = YamlSource.parse(text, '-e', UsageError);
  // Positions in the one-line text: "line" 1 is the text itself, so name the -e by its place instead.
  const vars = varsOf(src, src.root, '-e');
  for (const key of Object.keys(vars)) setOrigin(vars, key, { file: '-e', line, col: originOf(vars, key)?.col });
  return vars;
}

/** `-e 'k=v k2=v2'`: shell-split words, each a string value. */
function assignKeyValues(out: Vars, text: string, line: number): void {
  for (const { text: token, offset } of shlexSplit(text)) {
    const eq = token.indexOf('=');
    if (eq <= 0) throw new UsageError(`-e expects key=value, {json} or @file, got "${token}"`);
    out[token.slice(0, eq)] = token.slice(eq + 1);
    setOrigin(out, token.slice(0, eq), { file: '-e', line, col: offset + 1 });
  }
}
