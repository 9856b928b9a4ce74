import { InventoryError } from '../core/errors.js';
import { expandHostEntry, hostNameProblem } from './host-range.js';
import { parsePythonLiteral, shlexSplit } from './ini-values.js';
import type { Inventory, Vars } from './inventory.js';
import { copyVars, setOrigin } from './provenance.js';

/**
 * Ansible's INI inventory grammar (ansible-core `plugins/inventory/ini.py`). The `ini` package
 * cannot read it (host lines are not key=value pairs), so it is parsed here, line by line,
 * with the file, line and column of the first thing that is wrong.
 */
// long-function: one state machine over the lines (the section a line is in decides its grammar), as ini.py's.
export function parseIniInventory(text: string, file: string, inv: Inventory): void {
  type State = 'hosts' | 'vars' | 'children';
  let state: State = 'hosts';
  let group = 'ungrouped';
  const lines = text.split(/\r?\n/);

  // biome-ignore lint/suspicious/useIterableCallbackReturn: `return` ends one line's handling; fail() never returns
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    const fail = (message: string, col = indent + 1): never => {
      throw new InventoryError(message, { file, line: lineNo, col });
    };
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;

    const m = /^\[([^\]:\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$/.exec(line);
    // As ansible-core: a line in brackets that is no valid header is an error; `[::1]:22` is a host.
    if (!m && line.startsWith('[') && line.replace(/\s+[#;].*$/, '').endsWith(']')) {
      return fail(`invalid section header "${line}": expected [group], [group:vars] or [group:children], with no spaces`);
    }
    if (m) {
      const [, name, kind] = m as unknown as [string, string, string | undefined];
      const bad = hostNameProblem(name, 'group name');
      if (bad) return fail(bad, indent + 2);
      if (kind !== undefined && kind !== 'vars' && kind !== 'children') {
        return fail(`section [${name}:${kind}] has unknown type "${kind}": expected vars or children`, indent + 2 + name.length + 1);
      }
      group = name;
      state = (kind ?? 'hosts') as State;
      inv.group(name);
      return;
    }

    if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) return fail(`expected key=value in [${group}:vars], got "${line}"`);
      const key = line.slice(0, eq).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return fail(`invalid variable name "${key}"`);
      const vars = inv.group(group).vars;
      vars[key] = parsePythonLiteral(line.slice(eq + 1).trim());
      setOrigin(vars, key, { file, line: lineNo, col: indent + 1 });
      return;
    }

    if (state === 'children') {
      const name = line.replace(/\s+[#;].*$/, '');
      const bad = hostNameProblem(name, 'group name');
      if (bad) return fail(bad);
      if (/\s/.test(name)) return fail(`expected one group name per line in [${group}:children], got "${line}"`);
      inv.addChild(group, name, { file, line: lineNo, col: indent + 1 });
      return;
    }

    let tokens: ReturnType<typeof shlexSplit>;
    try {
      tokens = shlexSplit(raw);
    } catch (e) {
      if (e instanceof InventoryError) throw e.located({ file, line: lineNo });
      throw e;
    }
    if (tokens.length === 0) return;
    const [first, ...rest] = tokens as [(typeof tokens)[0], ...typeof tokens];
    const vars: Vars = {};
    for (const t of rest) {
      const eq = t.text.indexOf('=');
      if (eq <= 0) return fail(`expected key=value host variable assignment, got "${t.text}"`, t.offset + 1);
      vars[t.text.slice(0, eq)] = parsePythonLiteral(t.text.slice(eq + 1));
      setOrigin(vars, t.text.slice(0, eq), { file, line: lineNo, col: t.offset + 1 });
    }
    let entry: ReturnType<typeof expandHostEntry>;
    try {
      entry = expandHostEntry(first.text);
    } catch (e) {
      if (e instanceof InventoryError) throw e.located({ file, line: lineNo, col: first.offset + 1 });
      throw e;
    }
    if (entry.port !== undefined && vars.ansible_port === undefined) vars.ansible_port = entry.port;
    for (const name of entry.names) inv.addHost(group, name, copyVars(vars));
  });
}
