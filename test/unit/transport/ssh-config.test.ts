import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionOf } from '../../../src/inventory/connection.js';
import { proxyJumpFromArgs, readSshConfig } from '../../../src/transport/ssh-config.js';
import { planRoute } from '../../../src/transport/ssh-route.js';
import { UsageError } from '../../../src/core/errors.js';

describe('ssh_config as ssh reads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-sshcfg-'));
  const key = join(dir, 'id_k8s');
  writeFileSync(key, 'not read by planRoute');
  const file = join(dir, 'config');
  writeFileSync(
    file,
    [
      'Host worker*',
      '  HostName %h.internal',
      '  User ops',
      '  Port 2222',
      `  IdentityFile ${key}`,
      `  IdentityFile ${join(dir, 'missing')}`,
      '  IdentitiesOnly yes',
      '  ProxyJump jump@bastion:2200',
      '  ServerAliveInterval 30',
      'Host bastion',
      '  HostName 192.0.2.10',
      '  StrictHostKeyChecking accept-new',
      `  UserKnownHostsFile ${join(dir, 'kh')}`,
      'Host *',
      '  User fallback',
      '  Port 2000',
      '  ConnectTimeout 7',
      '',
    ].join('\n'),
  );
  const config = readSshConfig(file);

  it('takes the first value of each keyword over the matching Host blocks', () => {
    expect(config.lookup('worker1')).to.include({
      hostName: 'worker1.internal',
      user: 'ops',
      port: 2222,
      identitiesOnly: true,
      proxyJump: 'jump@bastion:2200',
      connectTimeoutSec: 7,
      serverAliveIntervalSec: 30,
    });
    expect(config.lookup('bastion')).to.include({ hostName: '192.0.2.10', user: 'fallback', port: 2000, strictHostKeyChecking: 'accept-new' });
  });

  it('plans jump then target; inventory variables win over ssh_config, ssh_config over defaults', () => {
    const [jump, target] = planRoute(connectionOf('w', { ansible_host: 'worker1' }), { sshConfig: config });
    expect(jump).to.include({
      name: 'bastion',
      address: '192.0.2.10',
      port: 2200,
      user: 'jump',
      acceptNew: true,
      knownHostsFile: join(dir, 'kh'),
      readyTimeoutMs: 7000,
    });
    expect(target).to.include({ address: 'worker1.internal', port: 2222, user: 'ops', useAgent: false, keepaliveMs: 30_000, acceptNew: false });
    expect(target!.keyFiles).to.deep.equal([key]);
    const own = planRoute(connectionOf('w', { ansible_host: 'worker1', ansible_port: 22, ansible_user: 'root' }), {
      sshConfig: config,
      connectTimeoutMs: 3000,
    });
    expect(own.at(-1)).to.include({ port: 22, user: 'root', readyTimeoutMs: 3000 });
  });

  it('reads -J and -o ProxyJump from ansible_ssh_common_args/extra_args, over ssh_config', () => {
    expect(proxyJumpFromArgs('-o StrictHostKeyChecking=no -J admin@b1:22,b2')).to.equal('admin@b1:22,b2');
    expect(proxyJumpFromArgs("-o 'ProxyJump=ops@gw'")).to.equal('ops@gw');
    expect(proxyJumpFromArgs('-oProxyJump=gw')).to.equal('gw');
    const hops = planRoute(connectionOf('w', { ansible_host: 'worker1', ansible_ssh_common_args: '-J a@j1,j2:2022' }), { sshConfig: config });
    expect(hops.map((h) => `${h.user}@${h.address}:${h.port}`)).to.deep.equal(['a@j1:2000', 'fallback@j2:2022', 'ops@worker1.internal:2222']);
  });
});

describe('ssh_config Include, as OpenSSH reads it', () => {
  const home = mkdtempSync(join(tmpdir(), 'provision-sshinc-'));
  const ssh = join(home, '.ssh');
  mkdirSync(join(ssh, 'config.d'), { recursive: true });
  const put = (path: string, lines: string[]) => writeFileSync(path, `${lines.join('\n')}\n`);
  // An Include after a Host line is inside that block: the top-level one comes first.
  put(join(ssh, 'config'), [
    'ServerAliveInterval 11',
    'Include config.d/*.conf ~/extra',
    'Host worker1',
    '  User after-include',
    'Host db*',
    '  Include db',
    '  Port 2200',
    'Host *',
    '  User late',
  ]);
  // Globs match sorted: 10-workers before 20-more; a dot file and a non-.conf file are not matched.
  put(join(ssh, 'config.d', '10-workers.conf'), [
    'Host worker*',
    '  HostName %h.lan',
    '  ProxyJump jump@bastion:2200',
    '  User included',
    '  UserKnownHostsFile ~/kh-workers',
    '  ServerAliveInterval 30',
  ]);
  put(join(ssh, 'config.d', '20-more.conf'), ['Host worker*', '  HostName second.lan', 'Host bastion', '  HostName 192.0.2.7']);
  put(join(ssh, 'config.d', '.hidden.conf'), ['Host *', '  ConnectTimeout 99']);
  put(join(ssh, 'config.d', 'notes.txt'), ['Host *', '  ConnectTimeout 98']);
  put(join(home, 'extra'), ['Host extra', '  HostName extra.lan']);
  put(join(ssh, 'db'), ['User dbadmin', 'Host other', '  User other-user']);
  const config = readSshConfig(undefined, { home, systemFile: join(home, 'no-system-file') });

  it('reads included files where the Include stands: globs sorted, relative to ~/.ssh, ~ from home', () => {
    // First value wins: before the Include over the included file, the included file over what follows it.
    expect(config.lookup('worker1')).to.include({
      user: 'included',
      hostName: 'worker1.lan',
      proxyJump: 'jump@bastion:2200',
      userKnownHostsFile: join(home, 'kh-workers'),
      serverAliveIntervalSec: 11,
    });
    expect(config.lookup('worker2')).to.include({ user: 'included', hostName: 'worker2.lan' });
    expect(config.lookup('worker2').connectTimeoutSec).to.equal(undefined);
    expect(config.lookup('extra')).to.include({ hostName: 'extra.lan', user: 'late' });
  });

  it('a ProxyJump, HostName and UserKnownHostsFile from an included file take effect in the route', () => {
    const [jump, target] = planRoute(connectionOf('w', { ansible_host: 'worker7' }), { sshConfig: config });
    expect(jump).to.include({ name: 'bastion', address: '192.0.2.7', port: 2200, user: 'jump' });
    expect(target).to.include({ address: 'worker7.lan', user: 'included', knownHostsFile: join(home, 'kh-workers') });
  });

  it('an Include inside a Host block is read only for hosts that block matches; its Host blocks stay its own', () => {
    expect(config.lookup('db1')).to.include({ user: 'dbadmin', port: 2200 });
    expect(config.lookup('web1')).to.include({ user: 'late' });
    // `Host other` in the file included under `Host db*`: never active for "other" (ssh's SSHCONF_NEVERMATCH).
    expect(config.lookup('other').user).to.equal('late');
  });

  it('a file that includes itself stops at 16 levels with a usage error', () => {
    const loop = join(home, 'loop');
    put(loop, [`Include ${loop}`]);
    const e = (() => {
      try {
        readSshConfig(loop, { home }).lookup('x');
      } catch (error) {
        return error as Error;
      }
      throw new Error('no error');
    })();
    expect(e).to.be.instanceOf(UsageError);
    expect(e.message).to.match(/Include nested more than 16 deep \(a loop\?\)/);
  });

  it('a relative Include in the system file is read from /etc/ssh', () => {
    const name = `provision-include-test-${process.pid}.conf`;
    // Outside /etc/ssh/ssh_config.d, so that no real ssh on this machine reads it; removed at once.
    put(join('/etc/ssh', name), ['Host sys-included', '  HostName from-etc-ssh.lan']);
    try {
      const system = join(home, 'system_config');
      put(system, [`Include ${name}`]);
      const both = readSshConfig(undefined, { home: mkdtempSync(join(tmpdir(), 'provision-nohome-')), systemFile: system });
      expect(both.lookup('sys-included').hostName).to.equal('from-etc-ssh.lan');
    } finally {
      rmSync(join('/etc/ssh', name), { force: true });
    }
  });
});
