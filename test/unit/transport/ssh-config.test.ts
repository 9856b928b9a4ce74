import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionOf } from '../../../src/inventory/connection.js';
import { proxyJumpFromArgs, readSshConfig } from '../../../src/transport/ssh-config.js';
import { planRoute } from '../../../src/transport/ssh-route.js';

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
