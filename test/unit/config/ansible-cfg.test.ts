import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansibleSettings, findAnsibleCfg } from '../../../src/config/ansible-cfg.js';
import { connectionDefaults } from '../../../src/config/cli-settings.js';
import { Inventory } from '../../../src/inventory/inventory.js';
import { connectionOf } from '../../../src/inventory/connection.js';
import { runCli } from '../../helpers/cli.js';

const CFG = `
# as operators write it
[defaults]
inventory = ./hosts.ini, other
remote_user = ops
private_key_file = ~/.ssh/k8s_ops
forks = 7 ; inline comment, as configparser allows
timeout = 33
host_key_checking = False
vault_password_file = vault-pass.txt

[privilege_escalation]
become = True
become_user = admin
`;

describe('ansible.cfg', function () {
  this.timeout(60_000);
  const dirs = () => {
    const root = mkdtempSync(join(tmpdir(), 'provision-cfg-'));
    const cwd = join(root, 'project');
    const home = join(root, 'home');
    mkdirSync(cwd);
    mkdirSync(home);
    return { root, cwd, home };
  };

  it('is found as Ansible finds it: ANSIBLE_CONFIG (file or dir), ./ansible.cfg, ~/.ansible.cfg, /etc/ansible', () => {
    const { root, cwd, home } = dirs();
    const etc = findAnsibleCfg({}, cwd, home);
    expect(etc === undefined || etc === '/etc/ansible/ansible.cfg').to.equal(true);
    writeFileSync(join(home, '.ansible.cfg'), '[defaults]\n');
    expect(findAnsibleCfg({}, cwd, home)).to.equal(join(home, '.ansible.cfg'));
    writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\n');
    expect(findAnsibleCfg({}, cwd, home)).to.equal(join(cwd, 'ansible.cfg'));
    writeFileSync(join(root, 'explicit.cfg'), '[defaults]\n');
    expect(findAnsibleCfg({ ANSIBLE_CONFIG: join(root, 'explicit.cfg') }, cwd, home)).to.equal(join(root, 'explicit.cfg'));
    mkdirSync(join(root, 'cfgdir'));
    writeFileSync(join(root, 'cfgdir', 'ansible.cfg'), '[defaults]\n');
    expect(findAnsibleCfg({ ANSIBLE_CONFIG: join(root, 'cfgdir') }, cwd, home)).to.equal(join(root, 'cfgdir', 'ansible.cfg'));
    // Ansible ignores ./ansible.cfg in a world-writable directory.
    chmodSync(cwd, 0o777);
    expect(findAnsibleCfg({}, cwd, home)).to.equal(join(home, '.ansible.cfg'));
  });

  it('gives inventory, remote_user, private_key_file, forks, timeout, host_key_checking, vault_password_file, become, become_user', () => {
    const { cwd, home } = dirs();
    writeFileSync(join(cwd, 'ansible.cfg'), CFG);
    expect(ansibleSettings({}, cwd, home)).to.deep.equal({
      file: join(cwd, 'ansible.cfg'),
      inventory: [join(cwd, 'hosts.ini'), join(cwd, 'other')],
      remoteUser: 'ops',
      privateKeyFile: join(home, '.ssh/k8s_ops'),
      forks: 7,
      timeout: 33,
      hostKeyChecking: false,
      vaultPasswordFile: join(cwd, 'vault-pass.txt'),
      become: true,
      becomeUser: 'admin',
    });
  });

  it('ANSIBLE_* variables win over the file', () => {
    const { cwd, home } = dirs();
    writeFileSync(join(cwd, 'ansible.cfg'), CFG);
    const s = ansibleSettings({ ANSIBLE_REMOTE_USER: 'envuser', ANSIBLE_FORKS: '3', ANSIBLE_BECOME: 'no' }, cwd, home);
    expect(s).to.include({ remoteUser: 'envuser', forks: 3, become: false, becomeUser: 'admin' });
  });

  it('refuses a setting that is not of its type, naming file, section and key', () => {
    const { cwd, home } = dirs();
    writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\nforks = many\n');
    expect(() => ansibleSettings({}, cwd, home)).to.throw(/ansible\.cfg \[defaults\] forks: expected an integer, got "many"/);
  });

  it('-u/-b/--become-user/--private-key are the lowest layer: inventory connection variables override them, as in Ansible', () => {
    const inv = new Inventory();
    inv.addHost('g', 'own', { ansible_user: 'inventory-user', ansible_become_user: 'svc' });
    inv.addHost('g', 'bare');
    inv.finalize();
    const defaults = connectionDefaults({ user: 'flag-user', privateKey: '/k', become: true, becomeUser: 'root2' });
    expect(connectionOf('own', inv.hostVars('own', { defaults }))).to.include({
      user: 'inventory-user',
      becomeUser: 'svc',
      become: true,
      privateKeyFile: '/k',
    });
    expect(connectionOf('bare', inv.hostVars('bare', { defaults }))).to.include({ user: 'flag-user', becomeUser: 'root2', become: true });
  });

  it('the CLI takes its inventory and forks from ansible.cfg; -i on the command line wins', () => {
    const { cwd, home } = dirs();
    writeFileSync(join(cwd, 'hosts.ini'), '[k8s_worker]\nfrom-cfg-1\nfrom-cfg-2\n');
    writeFileSync(join(cwd, 'flag.ini'), '[k8s_worker]\nfrom-flag\n');
    writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\ninventory = hosts.ini\nforks = 0\n');
    const env = { ANSIBLE_CONFIG: join(cwd, 'ansible.cfg'), HOME: home };
    const fromCfg = runCli(['apply', '--role', 'runc', '-e', 'kubernetes_version=1.29', '--list-hosts', '-f', '3'], { env });
    expect(fromCfg.code, fromCfg.stderr).to.equal(0);
    expect(fromCfg.stdout).to.equal('  hosts (2):\n    from-cfg-1\n    from-cfg-2\n');
    // Without -f the file's forks = 0 is taken, and refused.
    const cfgForks = runCli(['apply', '--role', 'runc', '-e', 'kubernetes_version=1.29', '--list-hosts'], { env });
    expect(cfgForks.code).to.equal(5);
    expect(cfgForks.stderr).to.match(/--forks must be a positive integer, got "0"/);
    const flag = runCli(['apply', '-f', '3', '-i', join(cwd, 'flag.ini'), '--role', 'runc', '-e', 'kubernetes_version=1.29', '--list-hosts'], { env });
    expect(flag.stdout).to.equal('  hosts (1):\n    from-flag\n');
    const hostList = runCli(['apply', '-f', '3', '-i', 'h1,h2:2222,', '--role', 'runc', '-e', 'kubernetes_version=1.29', '--list-hosts'], { env });
    expect(hostList.stdout).to.equal('  hosts (2):\n    h1\n    h2\n');
  });
});
