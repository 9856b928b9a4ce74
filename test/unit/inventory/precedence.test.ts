import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError } from '../../../src/core/errors.js';
import { parseExtraVars } from '../../../src/inventory/extra-vars.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { thrown } from '../../helpers/inventory.js';

const dir = 'test/fixtures/inventories/precedence';

describe('variable precedence (as ansible-core)', () => {
  const inv = loadInventory(dir);

  // Each row removes the winner of the row before, so every step of the order is proven.
  const order = [
    'extra vars',
    'host_vars-w1',
    'host-line',
    'group_vars-child-20',
    'group_vars-parent',
    'group_vars-all',
    'inventory-child',
    'inventory-parent',
    'inventory-all',
    'role default',
  ];

  it('ranks -e > host_vars > host line > child group_vars > parent group_vars > group_vars/all > inventory child > parent > inventory all > role defaults', () => {
    const seen: string[] = [];
    const layers = {
      extra: { level: 'extra vars' } as Record<string, unknown> | undefined,
      defaults: { level: 'role default' },
    };
    const host = inv.host('w1');
    const removeWinner = (winner: string) => {
      if (winner === 'extra vars') layers.extra = undefined;
      else if (winner === 'host_vars-w1') delete host.fileVars.level;
      else if (winner === 'host-line') delete host.vars.level;
      else if (winner === 'group_vars-child-20') delete inv.groups.get('k8s_worker')!.fileVars.level;
      else if (winner === 'group_vars-parent') delete inv.groups.get('k8s')!.fileVars.level;
      else if (winner === 'inventory-child') delete inv.groups.get('k8s_worker')!.vars.level;
      else if (winner === 'inventory-parent') delete inv.groups.get('k8s')!.vars.level;
      else if (winner === 'group_vars-all') delete inv.groups.get('all')!.fileVars.level;
      else if (winner === 'inventory-all') delete inv.groups.get('all')!.vars.level;
    };
    host.vars.level = 'host-line';
    for (let i = 0; i < order.length; i++) {
      const level = inv.hostVars('w1', layers).level as string;
      seen.push(level);
      removeWinner(level);
    }
    expect(seen).to.deep.equal(order);
  });

  it('reads group_vars and host_vars files with or without extension, and directories of them in sorted order', () => {
    const fresh = loadInventory(dir);
    const vars = fresh.hostVars('w2');
    expect(vars).to.include({
      child_dir: '20',
      all_file_only: 'group_vars-all',
      all_only: 'inventory-all',
      parent_only: 'inventory-parent',
      child_only: 'inventory-child',
    });
    expect(fresh.hostVars('w1').level).to.equal('host_vars-w1');
    expect(fresh.hostVars('w1').from_host_line).to.equal('host-line');
  });

  it('finds group_vars beside an inventory file, not only in an inventory directory', () => {
    expect(loadInventory(join(dir, 'hosts')).hostVars('w2').level).to.equal('group_vars-child-20');
  });

  it('parses -e as key=value, JSON/YAML and @file, later values winning', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'provision-'));
    writeFileSync(join(tmp, 'x.yml'), 'b: from-file\nc: [1, 2]\n');
    expect(parseExtraVars(['a=1 b="two words"', `@${join(tmp, 'x.yml')}`, '{"d": {"e": true}}'])).to.deep.equal({
      a: '1',
      b: 'from-file',
      c: [1, 2],
      d: { e: true },
    });
  });

  it('points at the line and column of a malformed vars file', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'provision-'));
    writeFileSync(join(tmp, 'hosts'), '[g]\nh\n');
    const gv = join(tmp, 'group_vars');
    mkdirSync(gv);
    writeFileSync(join(gv, 'g.yml'), 'a: 1\nb: [1, 2\n');
    const e = thrown(() => loadInventory(tmp));
    expect(e).to.be.instanceOf(InventoryError);
    expect((e as unknown as InventoryError).location).to.equal(`${gv}/g.yml:3:1`);
  });

  it('says so when an inventory path does not exist', () => {
    expect(thrown(() => loadInventory('nope/hosts')).message).to.equal('inventory "nope/hosts" does not exist');
  });
});
