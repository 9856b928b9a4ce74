import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransportError } from '../../src/core/errors.js';
import type { ConnectionSpec } from '../../src/inventory/connection.js';
import { atomicWriteScript, contentFill } from '../../src/tasks/atomic-write.js';
import { SshTransport } from '../../src/transport/ssh-transport.js';
import { requireTool } from '../helpers/roles.js';
import { freeListenPort } from '../fleet/ports.js';
import { TestSshd } from '../helpers/sshd.js';
import { expectBoundedAnswers } from '../helpers/bounded-answers.js';

async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('SSH transport against a real sshd on loopback', function () {
  this.timeout(60_000);
  const sshd = new TestSshd();
  let spec: ConnectionSpec;

  before(async function () {
    requireTool(this, 'sshd', 'openssh-server');
    await sshd.start();
    spec = { type: 'ssh', address: '127.0.0.1', port: sshd.port, user: 'root', privateKeyFile: sshd.clientKey, become: false, becomeUser: 'root' };
  });
  after(() => sshd.stop());

  it('runs scripts, writes files atomically and reads them back, over one connection', async () => {
    const before = (sshd.log.match(/Accepted publickey/g) ?? []).length;
    const t = await SshTransport.connect('node', spec, { knownHostsFile: sshd.knownHosts() });
    try {
      const r = await t.run('echo "out:$(id -u)"; echo err >&2; exit 3');
      expect(r).to.deep.equal({ code: 3, stdout: 'out:0\n', stderr: 'err\n' });
      const bytes = Buffer.from([0, 1, 2, 255, 10, 39, 34, 36]);
      const file = join(sshd.dir, 'put-test');
      const w = await t.run(
        atomicWriteScript({ dest: file, state: { exists: false }, args: { mode: '0600' }, backupDir: join(sshd.dir, 'backup'), fill: contentFill(bytes) }),
      );
      expect(w.code, w.stderr).to.equal(0);
      expect(readFileSync(file)).to.deep.equal(bytes);
      expect(spawnSync('stat', ['-c', '%a', file], { encoding: 'utf8' }).stdout.trim()).to.equal('600');
      expect(spawnSync('ls', ['-A', sshd.dir], { encoding: 'utf8' }).stdout).not.to.include('provision-tmp');
      expect(Buffer.from((await t.run(`base64 < ${file}`)).stdout, 'base64')).to.deep.equal(bytes);
      for (let i = 0; i < 5; i++) await t.run('true');
      expect(t.runs).to.equal(8);
    } finally {
      await t.close();
    }
    // One connection for all of it: sshd accepted exactly one login.
    expect((sshd.log.match(/Accepted publickey/g) ?? []).length - before).to.equal(1);
  });

  it('refuses an unknown host key with a clear message', async () => {
    const e = await rejection(SshTransport.connect('node', spec, { knownHostsFile: sshd.knownHosts([]) }));
    expect(e).to.be.instanceOf(TransportError);
    expect(e.message).to.match(
      new RegExp(`host key of 127\\.0\\.0\\.1:${sshd.port} \\(ssh-ed25519\\) is not in .*known_hosts: add it \\(ssh-keyscan\\) or pass --accept-new-host-keys`),
    );
  });

  it('accepts and records a new host key with acceptNewHostKeys, then trusts it', async () => {
    const file = sshd.knownHosts([]);
    const t = await SshTransport.connect('node', spec, { knownHostsFile: file, acceptNewHostKeys: true });
    await t.close();
    const [type, key] = sshd.hostKeyPub.split(' ');
    expect(readFileSync(file, 'utf8')).to.equal(`\n[127.0.0.1]:${sshd.port} ${type} ${key}\n`);
    const again = await SshTransport.connect('node', spec, { knownHostsFile: file });
    await again.close();
  });

  it('always refuses a changed host key, even with acceptNewHostKeys', async () => {
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshd.dir, 'other')]);
    const [type, key] = readFileSync(join(sshd.dir, 'other.pub'), 'utf8').split(' ');
    const file = sshd.knownHosts([`[127.0.0.1]:${sshd.port} ${type} ${key}`]);
    const e = await rejection(SshTransport.connect('node', spec, { knownHostsFile: file, acceptNewHostKeys: true }));
    expect(e.message).to.match(/HOST KEY CHANGED for 127\.0\.0\.1:\d+: the ssh-ed25519 key differs/);
    expect(readFileSync(file, 'utf8')).not.to.include(sshd.hostKeyPub.split(' ')[1]);
  });

  it('reads hashed known_hosts entries (ssh-keygen -H)', async () => {
    const file = sshd.knownHosts();
    spawnSync('ssh-keygen', ['-H', '-f', file]);
    expect(readFileSync(file, 'utf8')).to.match(/^\|1\|/);
    const t = await SshTransport.connect('node', spec, { knownHostsFile: file });
    await t.close();
  });

  it('becomes another user through sudo when asked (root to nobody needs no password)', async function () {
    if (spawnSync('sh', ['-c', 'command -v sudo']).status !== 0) {
      if (process.env.CI) throw new Error('sudo is missing under CI: .ci/run must install it');
      this.skip();
    }
    const t = await SshTransport.connect('node', { ...spec, become: true, becomeUser: 'nobody' }, { knownHostsFile: sshd.knownHosts() });
    try {
      expect((await t.run('id -un')).stdout).to.equal('nobody\n');
    } finally {
      await t.close();
    }
  });

  it('reports an unreachable port as a transport error, not a crash', async () => {
    const port = await freeListenPort();
    const e = await rejection(SshTransport.connect('node', { ...spec, port }, { knownHostsFile: sshd.knownHosts(), connectTimeoutMs: 3000 }));
    expect(e).to.be.instanceOf(TransportError);
    expect(e.message).to.match(new RegExp(`cannot connect to node \\(127\\.0\\.0\\.1:${port}\\): .*ECONNREFUSED`));
  });

  it('reports a key the server does not accept', async () => {
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshd.dir, 'stranger')]);
    const e = await rejection(SshTransport.connect('node', { ...spec, privateKeyFile: join(sshd.dir, 'stranger') }, { knownHostsFile: sshd.knownHosts() }));
    expect(e.message).to.match(/All configured authentication methods failed/);
  });

  it('names a private key file it cannot read', () => {
    return rejection(SshTransport.connect('node', { ...spec, privateKeyFile: '/nonexistent/key' })).then((e) => {
      expect(e.message).to.equal('cannot read private key /nonexistent/key (ansible_ssh_private_key_file of node)');
    });
  });

  it('issue 23: an 80 MiB answer fails the host, streamed output and stderr keep their tails (not node-ssh execCommand, which joins every chunk)', async () => {
    const t = await SshTransport.connect('node', spec, { knownHostsFile: sshd.knownHosts() });
    try {
      await expectBoundedAnswers(t);
    } finally {
      await t.close();
    }
  });
});
