import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';

/**
 * `--resume` after the controller is killed with SIGKILL at three points of a rollout with drain:
 * during a drain, during a host's roles, between verify and uncordon. Real nodes (the fleet);
 * kubectl is a STAND-IN on the controller's PATH (no API server can run here): it logs when each
 * call starts and ends, remembers which nodes are cordoned, and sleeps in a drain or an uncordon
 * when the test asks, so that the kill lands there. The kill also ends the stand-in processes
 * (by the pids they recorded): nothing of the killed run finishes behind its back.
 */
describe('end to end: resume a rollout after kill -9 of the controller', function () {
  this.timeout(1_200_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-resume-'));
  const bin = join(out, 'bin');
  const kube = join(out, 'kubectl');
  const log = join(kube, 'log');
  const journals = join(out, 'journals');
  let env: Record<string, string>;

  before(async function () {
    requireFleet(this, 'end-to-end resume tests');
    fleet = await Fleet.up(
      await testFleetDir('resume'),
      ['worker01', 'worker02', 'worker03'].map((name) => ({ name })),
    );
    fleet.writeInventory(['provision_drain=True', 'provision_serial=1']);
    mkdirSync(bin);
    mkdirSync(kube);
    writeFileSync(
      join(bin, 'kubectl'),
      [
        '#!/bin/sh',
        '# kubectl STAND-IN for tests: logs each call when it starts and ends, keeps which nodes are cordoned,',
        '# sleeps in the drain or uncordon of a node when $KUBECTL_DIR/slow-<verb>-<node> exists.',
        'echo $$ >> "$KUBECTL_DIR/pids"',
        'if [ "$1" = get ]; then',
        '  if [ "$2" = node ]; then [ -e "$KUBECTL_DIR/cordoned.$3" ] && echo true; exit 0; fi',
        '  echo \'{"items":[]}\'; exit 0',
        'fi',
        'case "$*" in *--dry-run=server*) echo "dry-run $1 $2" >> "$KUBECTL_DIR/log"; exit 0;; esac',
        'echo "start $1 $2" >> "$KUBECTL_DIR/log"',
        '[ -e "$KUBECTL_DIR/slow-$1-$2" ] && sleep 60',
        '[ "$1" = drain ] && touch "$KUBECTL_DIR/cordoned.$2"',
        '[ "$1" = uncordon ] && rm -f "$KUBECTL_DIR/cordoned.$2"',
        'echo "end $1 $2" >> "$KUBECTL_DIR/log"',
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
    env = { PATH: `${bin}:${process.env.PATH}`, KUBECTL_DIR: kube, PROVISION_JOURNAL_DIR: journals, CI: '1' };
  });

  after(async () => {
    await fleet?.destroy();
  });

  const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
  const args = (node: string, ...more: string[]) => [
    '-i',
    fleet.inventoryFile,
    '--known-hosts',
    fleet.knownHostsFile,
    '--limit',
    node,
    '--retry-file',
    join(out, 'retry'),
    ...more,
  ];
  const journalOf = (node: string) => {
    const files = existsSync(journals) ? readdirSync(journals).filter((f: string) => f.endsWith('.json')) : [];
    for (const f of files.sort().reverse()) {
      const j = JSON.parse(readFileSync(join(journals, f), 'utf8'));
      if (j.selection.limit === node) return j;
    }
    return undefined;
  };

  /** Starts the CLI, waits until `when` holds, then kills it and every kubectl stand-in it started with SIGKILL. */
  async function killWhen(node: string, when: () => boolean): Promise<void> {
    rmSync(join(kube, 'pids'), { force: true });
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args(node)], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const ended = new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 1200 && !when(); i++) await new Promise((r) => setTimeout(r, 250));
    expect(when(), 'the kill point was reached').to.equal(true);
    child.kill('SIGKILL');
    await ended;
    const pids = existsSync(join(kube, 'pids')) ? readFileSync(join(kube, 'pids'), 'utf8').trim().split('\n') : [];
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {}
    }
  }

  const resume = (node: string) => runCli([...args(node, '--resume')], { env, timeoutMs: 600_000 });
  const count = (line: string) => lines().filter((l) => l === line).length;

  it('killed during a drain: the resumed run drains it once to completion, migrates and uncordons it', async () => {
    writeFileSync(join(kube, 'slow-drain-worker01'), '');
    await killWhen('worker01', () => lines().includes('start drain worker01'));
    rmSync(join(kube, 'slow-drain-worker01'));
    expect(count('end drain worker01')).to.equal(0);
    expect(journalOf('worker01').hosts).to.deep.equal({});
    const r = resume('worker01');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^resuming run \d{8}T\d{6}Z-[0-9a-f]{6}$/m);
    // The drain the kill cut is run again (its evictions may not have finished); it completes once.
    expect(count('start drain worker01')).to.equal(2);
    expect(count('end drain worker01')).to.equal(1);
    expect(count('end uncordon worker01')).to.equal(1);
    expect(journalOf('worker01').hosts.worker01).to.deep.equal(['drained', 'applied', 'verified', 'uncordoned', 'done']);
  });

  it('killed during its roles: the resumed run does not drain it again, finishes its roles and uncordons it', async () => {
    await killWhen('worker02', () => journalOf('worker02')?.hosts.worker02?.includes('drained'));
    expect(journalOf('worker02').hosts.worker02).to.deep.equal(['drained']);
    expect(existsSync(join(kube, 'cordoned.worker02'))).to.equal(true);
    const r = resume('worker02');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include('left drained, not drained again: worker02');
    expect(count('start drain worker02')).to.equal(1);
    expect(count('end uncordon worker02')).to.equal(1);
    expect(journalOf('worker02').hosts.worker02).to.deep.equal(['drained', 'applied', 'verified', 'uncordoned', 'done']);
  });

  it('killed between verify and uncordon: the resumed run, with nothing left to change, only uncordons it', async () => {
    writeFileSync(join(kube, 'slow-uncordon-worker03'), '');
    await killWhen('worker03', () => lines().includes('start uncordon worker03'));
    rmSync(join(kube, 'slow-uncordon-worker03'));
    expect(journalOf('worker03').hosts.worker03).to.deep.equal(['drained', 'applied', 'verified']);
    const r = resume('worker03');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(count('start drain worker03')).to.equal(1);
    expect(count('start uncordon worker03')).to.equal(2);
    expect(count('end uncordon worker03')).to.equal(1);
    expect(journalOf('worker03').hosts.worker03).to.deep.equal(['drained', 'applied', 'verified', 'verified', 'uncordoned', 'done']);
  });

  it('afterwards: every node migrated, none cordoned, none drained twice; a resume of a finished run starts nothing', () => {
    for (const h of ['worker01', 'worker02', 'worker03']) {
      expect(existsSync(join(kube, `cordoned.${h}`)), h).to.equal(false);
      expect(count(`end drain ${h}`), h).to.equal(1);
      expect(JSON.parse(fleet.ssh(h, 'cat /run/kubelet-standin/status.json').stdout).endpoint).to.equal('unix:///run/containerd/containerd.sock');
    }
    const before = lines().length;
    const r = resume('worker02');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include('done, skipped: worker02');
    expect(lines().length).to.equal(before);
  });
});
