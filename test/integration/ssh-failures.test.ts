import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { ConnectionLostError } from '../../src/core/errors.js';
import type { ConnectionSpec } from '../../src/inventory/connection.js';
import { SshTransport } from '../../src/transport/ssh-transport.js';
import { requireTool } from '../helpers/roles.js';
import { TestSshd } from '../helpers/sshd.js';
import { timeLimited } from '../../src/transport/time-limit.js';

/** How the SSH transport fails, against a real sshd on loopback: a connection lost mid-script, a script past its time limit. */
describe('SSH transport: lost connections and time limits', function () {
  this.timeout(60_000);
  const sshd = new TestSshd();
  let spec: ConnectionSpec;
  const connect = () => SshTransport.connect('node', spec, { knownHostsFile: sshd.knownHosts() });

  before(async function () {
    requireTool(this, 'sshd', 'openssh-server');
    await sshd.start();
    spec = { type: 'ssh', address: '127.0.0.1', port: sshd.port, user: 'root', privateKeyFile: sshd.clientKey, become: false, becomeUser: 'root' };
  });
  after(() => sshd.stop());

  it('a connection that dies mid-script is a ConnectionLostError, and so is every later script', async () => {
    const t = await connect();
    try {
      expect((await t.run('echo alive')).stdout).to.equal('alive\n');
      // The script's parent is the sshd process serving this connection: killing it drops the connection.
      let lost: unknown;
      await t.run('kill -9 $PPID; sleep 5').catch((e) => (lost = e));
      expect(lost).to.be.instanceOf(ConnectionLostError);
      expect((lost as Error).message).to.match(/^lost the connection to node: /);
      let again: unknown;
      await t.run('echo again').catch((e) => (again = e));
      expect(again).to.be.instanceOf(ConnectionLostError);
    } finally {
      await t.close();
    }
  });

  it('a script past its time limit (timeLimited) is ended on the host with its children (exit 124), and the connection serves the next script', async () => {
    const t = await connect();
    const marker = `provision-limit-${process.pid}`;
    try {
      const began = Date.now();
      const r = await t.run(timeLimited(`sh -c 'sleep 37; echo ${marker}' & wait; echo never`, 1));
      expect(r.code).to.equal(124);
      expect(r.stdout).not.to.include('never');
      expect(Date.now() - began).to.be.below(10_000);
      expect(spawnSync('pgrep', ['-f', 'sleep 37'], { encoding: 'utf8' }).stdout.trim(), 'the sleep outlived its time limit').to.equal('');
      expect((await t.run('echo still here')).stdout).to.equal('still here\n');
    } finally {
      await t.close();
    }
  });

  it('a script killed by a signal is a result (128 + the signal), not a lost connection', async () => {
    const t = await connect();
    try {
      const r = await t.run('kill -TERM $$; sleep 5');
      expect(r.code).to.equal(143);
      expect((await t.run('echo fine')).stdout).to.equal('fine\n');
    } finally {
      await t.close();
    }
  });
});
