import { UsageError } from '../core/errors.js';
import { YamlSource } from '../core/yaml-source.js';
import { shlexSplit } from './ini-values.js';
import type { Vars } from './inventory.js';
import { readVarsFile } from './load-inventory.js';

/**
 * `-e` values as `ansible-playbook -e` takes them: `k=v k2=v2` (strings), inline YAML/JSON
 * (`{"k": [1, 2]}`), or `@file.yml`. Later values win.
 */
export function parseExtraVars(items: string[]): Vars {
  const out: Vars = {};
  for (const item of items) {
    const text = item.trim();
    if (text.startsWith('@')) Object.assign(out, readVarsFile(text.slice(1)));
    else if (text.startsWith('{')) {
      const src = YamlSource.parse(text, '-e', UsageError);
      for (const { key, value } of src.entries(src.root, '-e')) out[key] = src.toJS(value);
    } else {
      for (const { text: token } of shlexSplit(text)) {
        const eq = token.indexOf('=');
        if (eq <= 0) throw new UsageError(`-e expects key=value, {json} or @file, got "${token}"`);
        out[token.slice(0, eq)] = token.slice(eq + 1);
      }
    }
  }
  return out;
}
