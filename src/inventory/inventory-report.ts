import { maskSecrets } from './connection.js';
import type { Inventory, Vars } from './inventory.js';

/** `ansible-inventory --list`: `_meta.hostvars` with merged vars, groups with hosts and children. */
export function inventoryList(inv: Inventory, hosts: string[], opts: { extra?: Vars; showSecrets?: boolean } = {}) {
  const selected = new Set(hosts);
  const hostvars: Record<string, Vars> = {};
  for (const h of hosts) {
    const vars = withoutMagic(inv.hostVars(h, { extra: opts.extra }));
    // As ansible-core: a host with no variables has no _meta entry.
    if (Object.keys(vars).length) hostvars[h] = opts.showSecrets ? vars : maskSecrets(vars);
  }
  const out: Record<string, unknown> = { _meta: { hostvars } };
  for (const g of inv.groups.keys()) {
    const entry: { hosts?: string[]; children?: string[] } = {};
    const direct = g === 'all' ? [] : inv.groups.get(g)!.hosts.filter((h) => selected.has(h));
    // As ansible-core's json_inventory: every child is listed; a group with neither hosts nor children is left out.
    const children = inv.groups.get(g)!.children;
    if (direct.length) entry.hosts = direct;
    if (children.length) entry.children = children;
    if (g === 'all' || direct.length || children.length) out[g] = entry;
  }
  return out;
}

/** `ansible-inventory --graph`: the group tree with hosts as leaves. */
export function inventoryGraph(inv: Inventory, hosts: string[], root = 'all'): string {
  const selected = new Set(hosts);
  const lines: string[] = [];
  const walk = (group: string, depth: number) => {
    const pad = '  |'.repeat(depth);
    lines.push(`${depth ? `${pad}--` : ''}@${group}:`);
    for (const c of inv.groups.get(group)?.children ?? []) walk(c, depth + 1);
    const direct = group === 'all' ? [] : (inv.groups.get(group)?.hosts ?? []);
    for (const h of direct) if (selected.has(h)) lines.push(`${'  |'.repeat(depth + 1)}--${h}`);
  };
  walk(root, 0);
  return lines.join('\n');
}

function withoutMagic(vars: Vars): Vars {
  const { inventory_hostname: _h, group_names: _g, ...rest } = vars;
  return rest;
}
