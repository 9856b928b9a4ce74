import { expect } from 'chai';
import { InventoryError } from '../../../src/core/errors.js';
import { dedent, iniInventory, thrown, yamlInventory } from '../../helpers/inventory.js';

describe('YAML inventory (Ansible format)', () => {
  const yaml = dedent(`
    all:
      vars:
        ntp: pool.ntp.org
      hosts:
        bastion:
      children:
        k8s:
          vars:
            kubernetes_version: "1.27"
          children:
            k8s_worker:
              hosts:
                worker[01:02]:
                worker03:2203:
                  ansible_host: 10.0.0.3
        etcd:
          hosts:
            worker01:
  `);

  it('reads groups, children, hosts, ranges, ports and vars', () => {
    const inv = yamlInventory(yaml);
    expect([...inv.hosts.keys()]).to.deep.equal(['bastion', 'worker01', 'worker02', 'worker03']);
    expect(inv.groupHosts('k8s')).to.deep.equal(['worker01', 'worker02', 'worker03']);
    expect(inv.groups.get('ungrouped')!.hosts).to.deep.equal(['bastion']);
    expect(inv.hostVars('worker03')).to.include({ ansible_host: '10.0.0.3', ansible_port: 2203, ntp: 'pool.ntp.org', kubernetes_version: '1.27' });
    expect(inv.hostVars('worker01').group_names).to.deep.equal(['etcd', 'k8s', 'k8s_worker']);
  });

  it('loads the same model as the equivalent INI', () => {
    const ini = iniInventory(
      dedent(`
      bastion
      [k8s_worker]
      worker[01:02]
      worker03:2203 ansible_host=10.0.0.3
      [etcd]
      worker01
      [k8s:children]
      k8s_worker
      [k8s:vars]
      kubernetes_version='1.27'
      [all:vars]
      ntp=pool.ntp.org
    `),
    );
    const y = yamlInventory(yaml);
    for (const h of y.hosts.keys()) expect(ini.hostVars(h)).to.deep.equal(y.hostVars(h));
  });

  it('reads YAML 1.1 as Ansible does: yes is true, 0644 is octal', () => {
    const inv = yamlInventory('all:\n  hosts:\n    h:\n      a: yes\n      mode: 0644\n');
    expect(inv.host('h').vars).to.deep.equal({ a: true, mode: 0o644 });
  });

  const malformed: [string, string, number, number, RegExp][] = [
    ['an unknown group key', 'all:\n  host:\n    h1:\n', 2, 3, /unknown key "host" in group "all": expected hosts, vars or children/],
    ['hosts as a list', 'all:\n  hosts:\n    - h1\n', 3, 5, /hosts of group "all" must be a mapping, got a list/],
    ['a duplicate key', 'all:\n  hosts:\n    h1:\n    h1:\n', 4, 5, /[Mm]ap keys must be unique/],
    ['an unclosed flow mapping', 'all:\n  hosts:\n  h1: {\n', 4, 1, /end with a \}/],
    ['vars as a scalar', 'all:\n  vars: 3\n', 2, 9, /vars of group "all" must be a mapping/],
    ['a bad range', 'g:\n  hosts:\n    w[3:1]:\n', 3, 5, /greater than end/],
  ];
  for (const [what, text, line, col, message] of malformed) {
    it(`rejects ${what} at ${line}:${col}`, () => {
      const e = thrown(() => yamlInventory(text, 'inv.yml'));
      expect(e).to.be.instanceOf(InventoryError);
      expect(e.message).to.match(message);
      expect({ file: e.file, line: e.line, col: e.col }).to.deep.equal({ file: 'inv.yml', line, col });
    });
  }
});
