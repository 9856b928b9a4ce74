import { expect } from 'chai';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransportError } from '../../src/core/errors.js';
import type { ConnectionSpec } from '../../src/inventory/connection.js';
import { KnownHosts } from '../../src/transport/known-hosts.js';
import { SshTransport } from '../../src/transport/ssh-transport.js';
import { runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/roles.js';
import { TestSshd } from '../helpers/sshd.js';

async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    const t = (await p) as SshTransport;
    await t.close();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

/**
 * Issue 14 item 6, against a real sshd on loopback and a real ssh-agent: private keys as OpenSSH
 * treats them (loose permissions ignored with its warning; a passphrase-protected key used through
 * the agent, or a message naming it), and host key algorithms ordered by what known_hosts holds.
 */
describe('SSH keys and host key types, against a real sshd and ssh-agent', function () {
  this.timeout(60_000);
  const sshd = new TestSshd(['ed25519', 'ecdsa', 'rsa']);
  const savedAgent = process.env.SSH_AUTH_SOCK;
  let agent: ChildProcess | undefined;
  const spec = (key: string): ConnectionSpec => ({
    type: 'ssh',
    address: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    privateKeyFile: key,
    become: false,
    becomeUser: 'root',
  });
  const logins = () => (sshd.log.match(/Accepted publickey/g) ?? []).length;
  const connect = async (key: string, knownHosts = sshd.knownHosts()) => {
    const t = await SshTransport.connect('node', spec(key), { knownHostsFile: knownHosts });
    try {
      return (await t.run('echo ok')).stdout;
    } finally {
      await t.close();
    }
  };

  before(async function () {
    requireTool(this, 'sshd', 'openssh-server');
    requireTool(this, 'ssh-agent', 'openssh-client');
    delete process.env.SSH_AUTH_SOCK;
    await sshd.start();
  });
  after(() => {
    sshd.stop();
    agent?.kill();
    if (savedAgent === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = savedAgent;
  });

  describe('a private key readable by group or others', () => {
    const loose = () => {
      const file = join(sshd.dir, 'loose_key');
      copyFileSync(sshd.clientKey, file);
      chmodSync(file, 0o644);
      return file;
    };

    it("is ignored with OpenSSH's warning: nothing else to try, so no login is attempted", async () => {
      const before = logins();
      const e = await rejection(SshTransport.connect('node', spec(loose()), { knownHostsFile: sshd.knownHosts() }));
      expect(e).to.be.instanceOf(TransportError);
      expect(e.message).to.include(`UNPROTECTED PRIVATE KEY FILE: permissions 0644 for '${join(sshd.dir, 'loose_key')}' are too open`);
      expect(logins()).to.equal(before);
    });

    it('the same key with mode 0600 logs in (so the mode was the reason)', async () => {
      const file = loose();
      chmodSync(file, 0o600);
      expect(await connect(file)).to.equal('ok\n');
    });

    it('the CLI reports the host unreachable (exit 4), as ansible-playbook does when ssh ignores the key', () => {
      const kh = sshd.knownHosts();
      const inventory = join(sshd.dir, 'loose.ini');
      writeFileSync(inventory, `node ansible_host=127.0.0.1 ansible_port=${sshd.port} ansible_user=root ansible_ssh_private_key_file=${loose()}\n`);
      const r = runCli(['-i', inventory, '--known-hosts', kh, '--role', 'install-runc', '-e', 'kubernetes_version=1.29', '--check']);
      expect(r.code, r.stdout + r.stderr).to.equal(4);
      expect(r.stdout + r.stderr).to.include('UNPROTECTED PRIVATE KEY FILE: permissions 0644');
    });
  });

  describe('a passphrase-protected key', () => {
    const encrypted = join(sshd.dir, 'enc_ed25519');

    before(() => {
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', encrypted]);
      appendFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${encrypted}.pub`));
    });

    it('without an ssh-agent: refused before any login, naming the key and how to unlock it', async () => {
      const before = logins();
      const e = await rejection(SshTransport.connect('node', spec(encrypted), { knownHostsFile: sshd.knownHosts() }));
      expect(e.message).to.include(`private key ${encrypted} is protected by a passphrase: add it to your ssh-agent (ssh-add ${encrypted})`);
      expect(logins()).to.equal(before);
    });

    it('with PROVISION_KEY_PASSPHRASE: opened with it; a wrong one fails naming the key, never showing the passphrase', async () => {
      try {
        process.env.PROVISION_KEY_PASSPHRASE = 'correct horse';
        expect(await connect(encrypted)).to.equal('ok\n');
        process.env.PROVISION_KEY_PASSPHRASE = 'wrong staple';
        const e = await rejection(SshTransport.connect('node', spec(encrypted), { knownHostsFile: sshd.knownHosts() }));
        expect(e.message).to.include(
          `All configured authentication methods failed; private key ${encrypted} was not opened by the passphrase in PROVISION_KEY_PASSPHRASE`,
        );
        expect(e.message).to.not.include('staple');
      } finally {
        delete process.env.PROVISION_KEY_PASSPHRASE;
      }
    });

    it('with the key in a real ssh-agent (SSH_AUTH_SOCK): logs in through the agent', async () => {
      const sock = join(sshd.dir, 'agent.sock');
      agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
      const askpass = join(sshd.dir, 'askpass.sh');
      writeFileSync(askpass, "#!/bin/sh\necho 'correct horse'\n", { mode: 0o700 });
      const add = spawnSync('ssh-add', [encrypted], {
        env: { ...process.env, SSH_AUTH_SOCK: sock, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
        encoding: 'utf8',
      });
      expect(add.status, add.stderr).to.equal(0);
      process.env.SSH_AUTH_SOCK = sock;
      try {
        const before = logins();
        expect(await connect(encrypted)).to.equal('ok\n');
        expect(logins()).to.equal(before + 1);
      } finally {
        delete process.env.SSH_AUTH_SOCK;
      }
    });
  });

  describe('host key algorithms ordered by what known_hosts holds (OpenSSH order_hostkeyalgs)', () => {
    const only = (type: string) => sshd.knownHosts([`[127.0.0.1]:${sshd.port} ${sshd.hostKeyPubOf(type)}`]);

    for (const type of ['rsa', 'ecdsa', 'ed25519']) {
      it(`known_hosts holding only the server's ${type} key: the server shows that key and it is accepted`, async () => {
        expect(await connect(sshd.clientKey, only(type))).to.equal('ok\n');
      });
    }

    it('a different key of the type known_hosts holds is still HOST KEY CHANGED', async () => {
      const other = new TestSshd(['rsa']);
      await other.start();
      try {
        const kh = sshd.knownHosts([`[127.0.0.1]:${sshd.port} ${other.hostKeyPubOf('rsa')}`]);
        const e = await rejection(SshTransport.connect('node', spec(sshd.clientKey), { knownHostsFile: kh }));
        expect(e.message).to.match(/HOST KEY CHANGED for 127\.0\.0\.1:\d+: the ssh-rsa key differs/);
      } finally {
        other.stop();
      }
    });

    it('a server without the type known_hosts holds: unknown key (not CHANGED), saying another type is known', async () => {
      const edOnly = new TestSshd(['ed25519']);
      await edOnly.start();
      try {
        const kh = edOnly.knownHosts([`[127.0.0.1]:${edOnly.port} ${sshd.hostKeyPubOf('rsa')}`]);
        const e = await rejection(SshTransport.connect('node', { ...spec(edOnly.clientKey), port: edOnly.port }, { knownHostsFile: kh }));
        expect(e.message).to.not.match(/CHANGED/);
        expect(e.message).to.match(/\(ssh-ed25519\) is not in .*it holds a key of another type, ssh-rsa, which this server did not offer/);
      } finally {
        edOnly.stop();
      }
    });

    it('the order: known types first, in ssh2 preference, then the rest', () => {
      const kh = sshd.knownHosts([`[127.0.0.1]:${sshd.port} ${sshd.hostKeyPubOf('rsa')}`, `other ${sshd.hostKeyPubOf('ed25519')}`]);
      expect(new KnownHosts(kh).hostKeyAlgorithms('127.0.0.1', sshd.port)).to.deep.equal([
        'rsa-sha2-512',
        'rsa-sha2-256',
        'ssh-rsa',
        'ssh-ed25519',
        'ecdsa-sha2-nistp256',
        'ecdsa-sha2-nistp384',
        'ecdsa-sha2-nistp521',
      ]);
      expect(new KnownHosts(kh).hostKeyAlgorithms('unknown', 22)).to.equal(undefined);
    });
  });
});
