import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectionOf } from '../../src/inventory/connection.js';
import { readSshConfig } from '../../src/transport/ssh-config.js';
import { SshTransport } from '../../src/transport/ssh-transport.js';
import { JumpLab } from '../helpers/jump-lab.js';

/** Jump hosts over real sshds: the target lives in a network namespace reachable only via the bastion. */
describe('SSH through a jump host (real sshd bastion, target only reachable through it)', function () {
  this.timeout(60_000);
  const lab = new JumpLab();
  let knownHosts: string;
  let onlyTargetKnown: string;
  let config: string;

  before(async () => {
    await lab.start();
    knownHosts = join(lab.dir, 'known_hosts');
    writeFileSync(knownHosts, `${lab.bastionAddress} ${lab.hostKey('bastion')}\n${lab.targetAddress} ${lab.hostKey('target')}\n`);
    onlyTargetKnown = join(lab.dir, 'known_hosts_target_only');
    writeFileSync(onlyTargetKnown, `${lab.targetAddress} ${lab.hostKey('target')}\n`);
    config = join(lab.dir, 'ssh_config');
    writeFileSync(
      config,
      [
        'Host bastion',
        `  HostName ${lab.bastionAddress}`,
        'Host target',
        `  HostName ${lab.targetAddress}`,
        '  ProxyJump bastion',
        'Host *',
        '  User root',
        `  IdentityFile ${lab.clientKey}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        '  ConnectTimeout 5',
        '  ServerAliveInterval 7',
        '',
      ].join('\n'),
    );
  });
  after(() => lab.stop());

  /** Runs on the node and says which network namespace's addresses it sees. */
  const addresses = async (t: SshTransport) => (await t.run('ip -o -4 addr show')).stdout;

  it('the target cannot be reached directly', async () => {
    const spec = connectionOf('t', { ansible_host: lab.targetAddress, ansible_user: 'root', ansible_ssh_private_key_file: lab.clientKey });
    const e = await SshTransport.connect('t', spec, { knownHostsFile: knownHosts, connectTimeoutMs: 2000 }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(e?.message, e?.message).to.match(/cannot connect to t \(10\.213\.\d+\.6:22\): .*EHOSTUNREACH/);
  });

  it('reaches the target through ProxyJump from ssh_config (-F), with HostName, User, IdentityFile from it', async () => {
    const t = await SshTransport.connect('target', connectionOf('target', {}), { sshConfig: readSshConfig(config) });
    try {
      expect(await addresses(t))
        .to.contain(lab.targetAddress)
        .and.not.contain(lab.bastionAddress);
    } finally {
      await t.close();
    }
  });

  it('reaches it through -o ProxyJump= / -J in ansible_ssh_common_args / ansible_ssh_extra_args', async () => {
    for (const vars of [
      { ansible_ssh_common_args: `-o ProxyJump=root@${lab.bastionAddress}` },
      { ansible_ssh_extra_args: `-J root@${lab.bastionAddress}:22` },
      { ansible_ssh_common_args: `-F ${config} -o 'ProxyJump bastion'` },
    ]) {
      const spec = connectionOf('t', { ansible_host: lab.targetAddress, ansible_user: 'root', ansible_ssh_private_key_file: lab.clientKey, ...vars });
      const t = await SshTransport.connect('t', spec, { sshConfig: readSshConfig(config) });
      try {
        expect(await addresses(t)).to.contain(lab.targetAddress);
      } finally {
        await t.close();
      }
    }
  });

  it("checks the jump host's key too: unknown or changed, it is refused before the target is tried", async () => {
    const spec = connectionOf('target', {});
    const unknown = await SshTransport.connect('target', spec, { sshConfig: readSshConfig(config), knownHostsFile: onlyTargetKnown }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(unknown?.message).to.match(
      new RegExp(
        `cannot connect to target through jump host bastion \\(${lab.bastionAddress.replace(/\./g, '\\.')}:22\\): host key of .* is not in ${onlyTargetKnown}`,
      ),
    );
    const wrong = join(lab.dir, 'known_hosts_wrong');
    writeFileSync(wrong, `${lab.bastionAddress} ${lab.hostKey('target')}\n${lab.targetAddress} ${lab.hostKey('target')}\n`);
    const changed = await SshTransport.connect('target', spec, { sshConfig: readSshConfig(config), knownHostsFile: wrong }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(changed?.message).to.match(/through jump host bastion .*HOST KEY CHANGED/);
  });
});
