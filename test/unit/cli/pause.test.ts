import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

/**
 * provision_pause_after and --step through the real CLI: on a real pseudo-terminal (Python's pty
 * module) the operator answers y or n; without one the run stops, saying how to go on. The hosts
 * are real SSH targets whose port refuses connections, so each wave ends at once (unreachable);
 * provision_max_fail keeps the rollout going past them, as a budget would past a failed host.
 */
const DRIVER = `
import os, pty, select, sys
answer = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out, answered = b'', 0
while True:
    ready, _, _ = select.select([fd], [], [], 120)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    # Answer each question once, as it appears.
    if out.count(b'[y/N]') > answered:
        answered += 1
        os.write(fd, answer + b'\\r')
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;

describe('pauses between waves (provision_pause_after, --step)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-pause-'));
  const inventory = join(dir, 'hosts.ini');
  writeFileSync(
    inventory,
    '[k8s_worker]\nh1 ansible_host=127.0.0.1 ansible_port=1\nh2 ansible_host=127.0.0.1 ansible_port=1\nh3 ansible_host=127.0.0.1 ansible_port=1\n' +
      '[k8s_worker:vars]\nkubernetes_version="1.29"\nprovision_serial=1\nprovision_max_fail=10\nprovision_pause_after=1\n',
  );
  writeFileSync(join(dir, 'driver.py'), DRIVER);
  const args = (...more: string[]) => [
    '-i',
    inventory,
    '--role',
    'runc',
    '--known-hosts',
    join(dir, 'known_hosts'),
    '--retry-file',
    join(dir, 'retry'),
    ...more,
  ];
  const inPty = (answer: string, ...more: string[]) => {
    const r = spawnSync('python3', [join(dir, 'driver.py'), answer, process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...args(...more)], {
      encoding: 'utf8',
      env: { ...process.env, CI: '', TERM: 'xterm-256color' },
      timeout: 110_000,
    });
    // readline's cursor moves are left out: the text is what the operator reads.
    return { code: r.status, out: r.stdout.replace(/\r/g, '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '') };
  };

  it('on a terminal, after wave 1 it shows the recap so far and asks; n stops the rollout there', () => {
    const r = inPty('n');
    expect(r.out).to.match(/h1 : ok=0 changed=0 unreachable=1 failed=0 skipped=0\nwave 1 finished\.\nGo on with the rollout\? \[y\/N\] n/);
    expect(r.out).to.match(/^rollout stopped: paused after wave 1: answered "n"; never started: h2\.\.3$/m);
    expect(r.out).to.match(/^h2 : not started$/m);
    expect(r.code).to.equal(4);
  });

  it('on a terminal, y goes on with the next waves', () => {
    const r = inPty('y');
    expect(r.out).to.include('Go on with the rollout? [y/N] y');
    expect(r.out).to.match(/^h3 : ok=0 changed=0 unreachable=1/m);
    expect(r.out).not.to.include('rollout stopped');
  });

  it('--step asks after every wave but the last', () => {
    const r = inPty('y', '--step');
    expect(r.out.match(/Go on with the rollout\? \[y\/N\]/g)).to.have.length(2);
    expect(r.out).to.match(/^h3 : ok=0 changed=0 unreachable=1/m);
  });

  it('without a terminal it stops cleanly there, saying how to go on; --yes goes on without asking', () => {
    const r = runCli(args());
    expect(r.stdout).to.match(/^PAUSE after 1: stopping \(no terminal to ask; run again with --yes to go on without asking\)$/m);
    expect(r.stdout).to.match(
      /^rollout stopped: paused after wave 1: no terminal to ask; run again with --yes to go on without asking; never started: h2\.\.3$/m,
    );
    expect(r.code).to.equal(4);
    const yes = runCli(args('--yes'));
    expect(yes.stdout).to.match(/^PAUSE after 1: going on \(--yes\)$/m);
    expect(yes.stdout).to.match(/^h3 : ok=0 changed=0 unreachable=1/m);
    expect(yes.stdout).not.to.include('rollout stopped');
  });
});
