import type { Node } from 'yaml';
import { InventoryError } from '../core/errors.js';
import { YamlSource } from '../core/yaml-source.js';
import { expandHostEntry } from './host-range.js';
import type { Inventory, Vars } from './inventory.js';
import { assignVars, copyVars, setOrigin } from './provenance.js';

const GROUP_KEYS = new Set(['hosts', 'vars', 'children']);

/**
 * Ansible's YAML inventory (ansible-core `plugins/inventory/yaml.py`): top-level keys are groups,
 * each with optional `hosts`, `vars` and `children`. Read as YAML 1.1, as Ansible reads it.
 */
export function parseYamlInventory(text: string, file: string, inv: Inventory): void {
  const src = YamlSource.parse(text, file, InventoryError, '1.1');
  for (const { key, keyNode, value } of src.entries(src.root, 'a YAML inventory')) {
    parseGroup(src, inv, key, keyNode, value);
  }
}

function parseGroup(src: YamlSource, inv: Inventory, name: string, nameNode: Node, body: Node | null): void {
  checkGroupName(src, nameNode, name);
  inv.group(name);
  for (const { key, keyNode, value } of src.entries(body, `group "${name}"`)) {
    if (!GROUP_KEYS.has(key)) {
      throw src.error(keyNode, `unknown key "${key}" in group "${name}": expected hosts, vars or children`);
    }
    if (key === 'vars') {
      assignVars(inv.group(name).vars, varsOf(src, value, `vars of group "${name}"`));
    } else if (key === 'children') {
      for (const child of src.entries(value, `children of group "${name}"`)) {
        const { line, col } = src.position(child.keyNode);
        inv.addChild(name, child.key, { file: src.file, line, col });
        parseGroup(src, inv, child.key, child.keyNode, child.value);
      }
    } else parseHosts(src, inv, name, value);
  }
}

/** A group's `hosts:`, each key a host entry (a range such as `w[01:03]` is several), its value the host's vars. */
function parseHosts(src: YamlSource, inv: Inventory, group: string, body: Node | null): void {
  for (const host of src.entries(body, `hosts of group "${group}"`)) {
    let entry: ReturnType<typeof expandHostEntry>;
    try {
      entry = expandHostEntry(host.key);
    } catch (e) {
      if (e instanceof InventoryError) throw e.located({ file: src.file, ...src.position(host.keyNode) });
      throw e;
    }
    const vars = varsOf(src, host.value, `vars of host "${host.key}"`);
    if (entry.port !== undefined && vars.ansible_port === undefined) vars.ansible_port = entry.port;
    for (const h of entry.names) inv.addHost(group, h, copyVars(vars));
  }
}

/** A mapping of variables, each with the file:line:col of its key. */
export function varsOf(src: YamlSource, node: Node | null, what: string): Vars {
  const out: Vars = {};
  for (const { key, keyNode, value } of src.entries(node, what)) {
    out[key] = src.toJS(value);
    setOrigin(out, key, { file: src.file, ...src.position(keyNode) });
  }
  return out;
}

function checkGroupName(src: YamlSource, node: Node, name: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
    throw src.error(node, `invalid group name "${name}": use letters, digits, "_", "-" and "."`);
  }
}
