import { parseExtraVars } from '../../inventory/extra-vars.js';
import { selectHosts } from '../../inventory/host-patterns.js';
import { inventoryGraph, inventoryList } from '../../inventory/inventory-report.js';
import { maskSecrets } from '../../inventory/connection.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import { UsageError } from '../../core/errors.js';
import { out, outWithSecrets } from '../terminal-text.js';

export interface InventoryOptions {
  inventory: string[];
  limit?: string;
  extraVars?: string[];
  list?: boolean;
  graph?: string | boolean;
  host?: string;
  showSecrets?: boolean;
}

export async function inventoryCommand(opts: InventoryOptions): Promise<void> {
  const modes = [opts.list, opts.graph, opts.host].filter((m) => m !== undefined && m !== false);
  if (modes.length > 1) throw new UsageError('choose one of --list, --graph and --host');
  const inv = loadInventory(opts.inventory);
  const extra = parseExtraVars(opts.extraVars ?? []);
  const hosts = opts.limit ? selectHosts(inv, opts.limit) : [...inv.hosts.keys()];
  let text: string;
  if (opts.host) {
    if (!hosts.includes(opts.host)) throw new UsageError(`host "${opts.host}" is not in the inventory${opts.limit ? ' or not selected by --limit' : ''}`);
    const { inventory_hostname: _h, group_names: _g, ...vars } = inv.hostVars(opts.host, { extra });
    text = JSON.stringify(opts.showSecrets ? vars : maskSecrets(vars), null, 4);
  } else if (opts.graph !== undefined && opts.graph !== false) {
    const root = typeof opts.graph === 'string' ? opts.graph : 'all';
    if (!inv.groups.has(root)) throw new UsageError(`no group "${root}" in the inventory`);
    text = inventoryGraph(inv, hosts, root);
  } else {
    text = JSON.stringify(inventoryList(inv, hosts, { extra, showSecrets: opts.showSecrets }), null, 4);
  }
  // --show-secrets shows the secrets it was asked for; control characters are escaped all the same.
  (opts.showSecrets ? outWithSecrets : out)(`${text}\n`);
}
