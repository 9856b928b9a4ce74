import { expect } from 'chai';
import { connectionOf } from '../../../src/inventory/connection.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';

describe('example inventories', () => {
  const ini = loadInventory('inventories/example/hosts.ini');
  const yaml = loadInventory('inventories/example/yaml/hosts.yml');

  it('hold the Docker-era fleet worker96..worker99 in group k8s_worker', () => {
    expect(ini.groupHosts('k8s_worker')).to.deep.equal(['worker96', 'worker97', 'worker98', 'worker99']);
    expect(yaml.groupHosts('k8s_worker')).to.deep.equal(['worker96', 'worker97', 'worker98', 'worker99']);
  });

  it('load to the same groups and variables from INI and from YAML with group_vars/', () => {
    expect([...yaml.hosts.keys()]).to.deep.equal([...ini.hosts.keys()]);
    for (const host of ini.hosts.keys()) {
      expect(yaml.hostVars(host), host).to.deep.equal(ini.hostVars(host));
    }
  });

  it('give each host its connection settings', () => {
    expect(connectionOf('worker99', ini.hostVars('worker99'))).to.deep.equal({
      type: 'ssh',
      address: '10.0.0.99',
      port: 2222,
      user: 'ops',
      privateKeyFile: '~/.ssh/k8s_ops',
      become: true,
      becomeUser: 'root',
    });
  });
});
