import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, UsageError } from '../../../src/core/errors.js';
import { selectHosts } from '../../../src/inventory/host-patterns.js';
import { dedent, iniInventory, thrown } from '../../helpers/inventory.js';
import { runCli } from '../../helpers/cli.js';

// Expected results follow ansible-core's InventoryManager (order_patterns, _match_one_pattern,
// _apply_subscript with its inclusive slice end).
const inv = iniInventory(
  dedent(`
  bastion
  [k8s_worker]
  worker[96:99]
  [gpu]
  worker98
  worker99
  [etcd]
  etcd[1:3]
  [k8s:children]
  k8s_worker
  etcd
`),
);

const ALL_ORDER = ['bastion', 'worker98', 'worker99', 'worker96', 'worker97', 'etcd1', 'etcd2', 'etcd3'];

describe('host patterns (--limit)', () => {
  const cases: [string, string[]][] = [
    ['worker99', ['worker99']],
    ['all', ['bastion', 'worker96', 'worker97', 'worker98', 'worker99', 'etcd1', 'etcd2', 'etcd3']],
    ['*', ['bastion', 'worker96', 'worker97', 'worker98', 'worker99', 'etcd1', 'etcd2', 'etcd3']],
    ['ungrouped', ['bastion']],
    ['k8s_worker', ['worker96', 'worker97', 'worker98', 'worker99']],
    ['k8s', ['worker96', 'worker97', 'worker98', 'worker99', 'etcd1', 'etcd2', 'etcd3']],
    ['worker9*', ['worker96', 'worker97', 'worker98', 'worker99']],
    // [x-y] is Ansible's removed subscript syntax: `worker9` indexed, which names nothing.
    ['worker9[6-7]', []],
    ['worker9?', ['worker96', 'worker97', 'worker98', 'worker99']],
    ['etcd*', ['etcd1', 'etcd2', 'etcd3']],
    ['worker96,etcd1', ['worker96', 'etcd1']],
    ['worker96:etcd1', ['worker96', 'etcd1']],
    ['k8s_worker:&gpu', ['worker98', 'worker99']],
    ['k8s_worker:!gpu', ['worker96', 'worker97']],
    ['!gpu,k8s_worker', ['worker96', 'worker97']],
    ['&gpu', ['worker98', 'worker99']],
    ['!k8s', ['bastion']],
    ['k8s,!etcd,&gpu', ['worker98', 'worker99']],
    ['~worker9[89]', ['worker98', 'worker99']],
    ['~etcd', ['etcd1', 'etcd2', 'etcd3']],
    // ~regex is Python's re.match: anchored at the start, so this matches nothing.
    ['~orker', []],
    ['k8s_worker[0]', ['worker96']],
    ['k8s_worker[-1]', ['worker99']],
    ['k8s_worker[0:2]', ['worker96', 'worker97', 'worker98']],
    ['k8s_worker[1:]', ['worker97', 'worker98', 'worker99']],
    ['k8s_worker[1:2]:etcd[0]', ['worker97', 'worker98', 'etcd1']],
  ];
  for (const [pattern, expected] of cases) {
    it(`${pattern} -> ${expected.join(',') || '(error)'}`, () => {
      if (expected.length === 0) {
        expect(() => selectHosts(inv, pattern)).to.throw(InventoryError);
        return;
      }
      // Results come in the order of the `all` group, whatever the order of terms, as
      // `ansible all --limit P --list-hosts` prints them (checked with ansible-core 2.14): its
      // children's hosts level by level, so gpu's worker98/99 before k8s's grandchild k8s_worker.
      expect(selectHosts(inv, pattern)).to.deep.equal(ALL_ORDER.filter((h) => expected.includes(h)));
    });
  }

  it('reads @file: one host or pattern per line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-'));
    writeFileSync(join(dir, 'retry'), 'worker97\n\netcd2\n');
    expect(selectHosts(inv, `@${join(dir, 'retry')}`)).to.deep.equal(['worker97', 'etcd2']);
    expect(selectHosts(inv, `@${join(dir, 'retry')},worker99`)).to.deep.equal(['worker99', 'worker97', 'etcd2']);
  });

  it('refuses a term that matches nothing, suggesting close names', () => {
    const e = thrown(() => selectHosts(inv, 'worker99,wroker98'));
    expect(e).to.be.instanceOf(InventoryError);
    expect(e.message).to.equal('host pattern "wroker98" matches no host or group; did you mean "worker98"?');
    expect(thrown(() => selectHosts(inv, 'k8s_workers')).message).to.match(/did you mean "k8s_worker"/);
  });

  it('refuses a pattern that leaves no host', () => {
    expect(thrown(() => selectHosts(inv, 'gpu:!k8s_worker')).message).to.match(/leaves no hosts/);
  });

  it('refuses an out-of-range subscript', () => {
    expect(thrown(() => selectHosts(inv, 'gpu[5]')).message).to.match(/no hosts matched the subscripted pattern "gpu\[5\]" \(index 5 of 2 hosts\)/);
  });

  it('refuses a glob or regex JavaScript cannot read as usage (exit 5), naming the pattern', () => {
    for (const [pattern, what] of [
      ['w[\\]', 'invalid glob in host pattern "w[\\]"'],
      ['worker[z-a]', 'invalid glob in host pattern "worker[z-a]"'],
      ['~w(', 'invalid regular expression in host pattern "~w("'],
    ]) {
      const e = thrown(() => selectHosts(inv, pattern!));
      expect(e, pattern).to.be.instanceOf(UsageError);
      expect(e.message).to.include(what);
    }
    const r = runCli(['inventory', '-i', 'inventories/example/hosts.ini', '--limit', 'w[\\]', '--list']);
    expect(r.code, r.stderr).to.equal(5);
    expect(r.stderr).to.include('invalid glob in host pattern "w[\\]"').and.not.include('internal error');
  }).timeout(60_000);
});
