import { InventoryError } from '../core/errors.js';
import { assignVars } from './provenance.js';

export type { Vars } from '../core/vars.js';
import type { Vars } from '../core/vars.js';

export interface Group {
  name: string;
  /** Hosts placed directly in this group, in definition order. */
  hosts: string[];
  children: string[];
  parents: string[];
  /** Vars written in the inventory source itself (`[g:vars]`, YAML `vars:`). */
  vars: Vars;
  /** Vars from `group_vars/<name>`: Ansible ranks all of these above every inventory-file group var. */
  fileVars: Vars;
}

export interface Host {
  name: string;
  vars: Vars;
  fileVars: Vars;
  /** Groups the host was placed in directly. */
  groups: string[];
}

/**
 * An inventory as Ansible models it: the implicit `all` and `ungrouped` groups, child groups,
 * and variables merged in Ansible's documented order.
 */
export class Inventory {
  readonly groups = new Map<string, Group>();
  readonly hosts = new Map<string, Host>();
  /** Where each source came from, for messages. */
  readonly sources: string[] = [];

  constructor() {
    this.group('all');
    this.group('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], parents: [], vars: {}, fileVars: {} };
      this.groups.set(name, g);
    }
    return g;
  }

  host(name: string): Host {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, fileVars: {}, groups: [] };
      this.hosts.set(name, h);
    }
    return h;
  }

  addHost(groupName: string, hostName: string, vars: Vars = {}): Host {
    const host = this.host(hostName);
    assignVars(host.vars, vars);
    if (groupName !== 'all') {
      // host.groups is short and lists exactly the groups whose `hosts` hold it: no scan of a large group.
      if (!host.groups.includes(groupName)) {
        this.group(groupName).hosts.push(hostName);
        host.groups.push(groupName);
      }
    }
    return host;
  }

  addChild(parentName: string, childName: string, where?: { file?: string; line?: number; col?: number }): void {
    if (parentName === childName || this.descendants(childName).has(parentName)) {
      throw new InventoryError(`group "${childName}" cannot be a child of "${parentName}": that makes a cycle`, where);
    }
    const parent = this.group(parentName);
    const child = this.group(childName);
    if (!parent.children.includes(childName)) parent.children.push(childName);
    if (!child.parents.includes(parentName)) child.parents.push(parentName);
  }

  /**
   * Ties the graph together as Ansible does after parsing: every top-level group is a child of
   * `all`, and hosts that belong to no group but `all` are in `ungrouped`.
   */
  finalize(): this {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name);
    }
    const ungrouped = this.group('ungrouped');
    for (const h of this.hosts.values()) {
      const inGroup = h.groups.some((g) => g !== 'ungrouped');
      if (inGroup && h.groups.includes('ungrouped')) {
        h.groups = h.groups.filter((g) => g !== 'ungrouped');
        ungrouped.hosts = ungrouped.hosts.filter((n) => n !== h.name);
      }
      if (!inGroup && !h.groups.includes('ungrouped')) {
        h.groups.push('ungrouped');
        ungrouped.hosts.push(h.name);
      }
    }
    return this;
  }

  descendants(name: string): Set<string> {
    const seen = new Set<string>();
    const walk = (n: string) => {
      for (const c of this.groups.get(n)?.children ?? []) {
        if (!seen.has(c)) {
          seen.add(c);
          walk(c);
        }
      }
    };
    walk(name);
    return seen;
  }

  /**
   * Every host of a group and of its descendants, in Ansible's order (`Group.get_hosts`): the
   * group's own hosts, then its children's, then theirs, level by level. (Below the children
   * Ansible's order follows a Python set and varies between runs; here it is the definition order.)
   */
  groupHosts(name: string): string[] {
    const out = new Set<string>();
    const seenGroups = new Set<string>([name]);
    let level = [name];
    while (level.length) {
      for (const g of level) for (const h of this.groups.get(g)?.hosts ?? []) out.add(h);
      const next: string[] = [];
      for (const c of level.flatMap((g) => this.groups.get(g)?.children ?? [])) {
        if (seenGroups.has(c)) continue;
        seenGroups.add(c);
        next.push(c);
      }
      level = next;
    }
    return [...out];
  }

  /** All groups a host is in, directly or through a child group, `all` included. */
  hostGroups(hostName: string): Group[] {
    const out = new Set<string>(['all']);
    const up = (n: string) => {
      if (out.has(n)) return;
      out.add(n);
      for (const p of this.groups.get(n)?.parents ?? []) up(p);
    };
    for (const g of this.hosts.get(hostName)?.groups ?? []) up(g);
    return [...out].map((n) => this.groups.get(n)!);
  }

  /** Length of the longest path from `all`: Ansible orders group vars by it (children win). */
  depth(name: string): number {
    if (name === 'all') return 0;
    const parents = this.groups.get(name)?.parents ?? [];
    return parents.length === 0 ? 1 : 1 + Math.max(...parents.map((p) => this.depth(p)));
  }

  /**
   * A host's variables in Ansible's precedence (ansible-core 2.14 `VariableManager.get_vars`, its
   * default `VARIABLE_PRECEDENCE`): role defaults < `all` from the inventory file < the host's other
   * groups from the inventory file < `group_vars/all` < the other groups' `group_vars` files < host
   * vars from the inventory file < `host_vars` files < extra vars. Groups are ordered by depth, then
   * `ansible_group_priority`, then name (`sort_groups`). Top-level keys are replaced, not deep-merged
   * (Ansible's default hash_behaviour). `ansible_group_priority` in the inventory file is consumed by
   * the group (`Group.set_variable`), so it is no host variable; in group_vars files it is a plain one.
   */
  hostVars(hostName: string, opts: { defaults?: Vars; extra?: Vars } = {}): Vars {
    const host = this.hosts.get(hostName);
    if (!host) throw new InventoryError(`unknown host "${hostName}"`);
    const all = this.groups.get('all')!;
    const groups = this.hostGroups(hostName)
      .filter((g) => g.name !== 'all')
      .sort((a, b) => this.depth(a.name) - this.depth(b.name) || priority(a) - priority(b) || cmp(a.name, b.name));
    // assignVars is Object.assign that also carries each value's origin (file:line) along.
    return assignVars(
      {},
      opts.defaults,
      inventoryVars(all),
      ...groups.map(inventoryVars),
      all.fileVars,
      ...groups.map((g) => g.fileVars),
      host.vars,
      host.fileVars,
      opts.extra,
      { inventory_hostname: hostName, group_names: groups.map((g) => g.name).sort() },
    );
  }
}

function inventoryVars(g: Group): Vars {
  const vars = assignVars({}, g.vars);
  delete vars.ansible_group_priority;
  return vars;
}

function priority(g: Group): number {
  const p = Number(g.vars.ansible_group_priority ?? 1);
  return Number.isFinite(p) ? p : 1;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
