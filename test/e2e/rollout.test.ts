import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, testFleetDir, requireFleet } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { nodeSnapshot } from '../helpers/fleet-run.js';

/**
 * Rollouts on a real fleet. kubectl is a STAND-IN on the controller's PATH (no Kubernetes API
 * server can run here): it records each call in a log, and refuses to drain $KUBECTL_FAIL_NODE.
 */
describe('end to end: fleet rollouts (waves, drain/uncordon, verification, retry, restore)', function () {
  this.timeout(600_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-rollout-'));
  const bin = join(out, 'bin');
  const log = join(out, 'kubectl.log');
  const retry = join(out, 'provision.retry');
  let env: Record<string, string>;

  before(async function () {
    requireFleet(this, 'end-to-end rollout tests');
    fleet = await Fleet.up(
      await testFleetDir('rollout'),
      ['worker01', 'worker02', 'worker03', 'worker04', 'worker05'].map((name) => ({ name })),
    );
    fleet.writeInventory(['provision_drain=True', 'provision_serial=1']);
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'kubectl'),
      [
        '#!/bin/sh',
        '# kubectl STAND-IN for tests: records its calls (not the read-only gets), keeps which nodes are cordoned',
        '# (drain cordons, uncordon clears: `get node N -o jsonpath={.spec.unschedulable}` answers from that).',
        'if [ "$1" = get ]; then',
        '  if [ "$2" = node ]; then [ -e "$KUBECTL_LOG.cordoned.$3" ] && echo true; exit 0; fi',
        '  echo \'{"items":[]}\'; exit 0',
        'fi',
        'echo "$*" >> "$KUBECTL_LOG"',
        '# Refuses to drain $KUBECTL_FAIL_NODE; its server-side dry run too, unless KUBECTL_DRY_RUN_PASSES is set.',
        'case "$*" in *--dry-run=server*) [ -n "$KUBECTL_DRY_RUN_PASSES" ] && exit 0;; esac',
        '[ "$1" = drain ] && [ "$2" = "$KUBECTL_FAIL_NODE" ] && { echo "error: cannot evict pod: would violate PodDisruptionBudget" >&2; exit 1; }',
        '[ "$1" = drain ] && touch "$KUBECTL_LOG.cordoned.$2"',
        '[ "$1" = uncordon ] && rm -f "$KUBECTL_LOG.cordoned.$2"',
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
    env = { PATH: `${bin}:${process.env.PATH}`, KUBECTL_LOG: log, KUBECTL_FAIL_NODE: 'none' };
  });

  after(async () => {
    await fleet?.destroy();
  });

  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
  const run = (args: string[], name: string, extraEnv: Record<string, string> = {}) => {
    const r = runCli(
      ['-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile, '--report', join(out, `${name}.json`), '--retry-file', retry, ...args],
      { env: { ...env, ...extraEnv }, timeoutMs: 300_000 },
    );
    return { ...r, report: JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) };
  };

  it('provision_serial: 1 drains, migrates, verifies and uncordons each node in turn', () => {
    writeFileSync(log, '');
    const r = run(['--limit', 'worker01:worker02:worker03'], 'serial');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(calls()).to.deep.equal([
      'drain worker01 --ignore-daemonsets --delete-emptydir-data --dry-run=server',
      'drain worker01 --ignore-daemonsets --delete-emptydir-data --timeout=5m',
      'uncordon worker01',
      'drain worker02 --ignore-daemonsets --delete-emptydir-data --dry-run=server',
      'drain worker02 --ignore-daemonsets --delete-emptydir-data --timeout=5m',
      'uncordon worker02',
      'drain worker03 --ignore-daemonsets --delete-emptydir-data --dry-run=server',
      'drain worker03 --ignore-daemonsets --delete-emptydir-data --timeout=5m',
      'uncordon worker03',
    ]);
    // Per node: drain, then its roles, then verification, then uncordon; one node after the other.
    const steps = r.report.tasks.map((t: { host: string; role: string; task: string }) => `${t.host} ${t.role === 'rollout' ? t.task : 'role'}`);
    const compact = steps.filter((s: string, i: number) => s !== steps[i - 1]);
    expect(compact).to.deep.equal(
      // notes: the fleet's nodes hold Docker's pause image only, which the preflight hands over as the sandbox image.
      ['worker01', 'worker02', 'worker03'].flatMap((h) => [`${h} notes`, `${h} drain node`, `${h} role`, `${h} verify node`, `${h} uncordon node`]),
    );
    expect(r.stdout)
      .to.match(/^WAVE 1\/3: worker01$/m)
      .and.match(/^WAVE 3\/3: worker03$/m);
    for (const h of ['worker01', 'worker02', 'worker03']) {
      expect(JSON.parse(fleet.ssh(h, 'cat /run/kubelet-standin/status.json').stdout).endpoint).to.equal('unix:///run/containerd/containerd.sock');
    }
  });

  it('a converged re-run with drain on drains and uncordons no node, and the recap says so', () => {
    writeFileSync(log, '');
    const r = run(['--limit', 'worker01:worker02'], 'converged');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(calls()).to.deep.equal([]);
    expect(r.stdout).to.match(/^not drained, nothing to change: worker01\.\.02$/m);
    const drains = r.report.tasks.filter((t: { task: string }) => t.task === 'drain node');
    expect(drains.map((t: { status: string; reason: string }) => [t.status, t.reason])).to.deep.equal([
      ['skipped', 'nothing to change: not drained'],
      ['skipped', 'nothing to change: not drained'],
    ]);
    expect(r.report.tasks.filter((t: { status: string }) => t.status === 'changed')).to.deep.equal([]);
  });

  it('a node that fails verification stops the rollout under max_fail_percentage 0, stays cordoned, and the next node is untouched', () => {
    // A stray Docker binary that no package owns: verification must notice that Docker is not gone.
    fleet.ssh('worker04', 'cp /usr/sbin/dockerd /usr/local/sbin/dockerd');
    const untouched = nodeSnapshot(fleet, 'worker05');
    writeFileSync(log, '');
    const r = run(['--limit', 'worker04:worker05', '--max-fail-percentage', '0'], 'fail');
    expect(r.code).to.equal(2);
    const verify = r.report.tasks.find((t: { task: string }) => t.task === 'verify node');
    expect(verify).to.deep.include({ host: 'worker04', status: 'failed' });
    expect(verify.error).to.include('Docker is still installed: /usr/local/sbin/dockerd');
    expect(calls()).to.deep.equal([
      'drain worker04 --ignore-daemonsets --delete-emptydir-data --dry-run=server',
      'drain worker04 --ignore-daemonsets --delete-emptydir-data --timeout=5m',
    ]);
    expect(r.report.notStarted).to.deep.equal(['worker05']);
    expect(r.stdout)
      .to.match(/^worker05\s+: not started$/m)
      .and.match(
        /^rollout stopped: failure budget spent: 1 of 2 hosts failed or unreachable, more than provision_max_fail_percentage 0%; never started: worker05$/m,
      );
    expect(nodeSnapshot(fleet, 'worker05')).to.deep.equal(untouched);
    expect(readFileSync(retry, 'utf8')).to.equal('worker04\n');
  });

  it('--limit @retry-file reruns only the failed host: converged now, it is not drained again, only uncordoned once its checks pass', () => {
    fleet.ssh('worker04', 'rm /usr/local/sbin/dockerd');
    writeFileSync(log, '');
    const r = run(['--limit', `@${retry}`], 'retry');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(Object.keys(r.report.summary)).to.deep.equal(['worker04']);
    // The failed run left it cordoned (the stand-in remembers); its roles had been applied, so nothing changes now.
    expect(calls()).to.deep.equal(['uncordon worker04']);
  });

  it('a node whose pods cannot be evicted is refused by the drain dry run in the preflight, before anything is touched', () => {
    const untouched = nodeSnapshot(fleet, 'worker05');
    writeFileSync(log, '');
    const r = run(['--limit', 'worker05'], 'dry-run-fails', { KUBECTL_FAIL_NODE: 'worker05' });
    expect(r.code).to.equal(2);
    expect(r.report.tasks).to.have.length(1);
    expect(r.report.tasks[0]).to.deep.include({ host: 'worker05', task: 'preflight', status: 'failed' });
    expect(r.report.tasks[0].error)
      .to.match(/^the node's pods cannot all be evicted; nothing was changed:\nkubectl drain worker05 .*--dry-run=server: exit 1: /)
      .and.match(/would violate PodDisruptionBudget/);
    expect(calls()).to.deep.equal(['drain worker05 --ignore-daemonsets --delete-emptydir-data --dry-run=server']);
    expect(nodeSnapshot(fleet, 'worker05')).to.deep.equal(untouched);
  });

  it('provision preflight runs the same drain dry run: the node is refused there too, and passes with --disable-eviction', () => {
    const untouched = nodeSnapshot(fleet, 'worker05');
    writeFileSync(log, '');
    const preflight = (extra: string[], extraEnv: Record<string, string>) =>
      runCli(['preflight', '-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile, '--limit', 'worker05', ...extra], {
        env: { ...env, ...extraEnv },
        timeoutMs: 300_000,
      });
    const refused = preflight([], { KUBECTL_FAIL_NODE: 'worker05' });
    expect(refused.code, refused.stdout + refused.stderr).to.equal(2);
    expect(refused.stdout).to.match(/^worker05 .* refused$/m);
    expect(refused.stdout).to.match(
      /^worker05: the node's pods cannot all be evicted: kubectl drain worker05 .*--dry-run=server: exit 1: .*would violate PodDisruptionBudget/m,
    );
    // With --disable-eviction the dry run is of the deleting drain (the stand-in is told to let it pass).
    const deleting = preflight(['--disable-eviction'], { KUBECTL_FAIL_NODE: 'worker05', KUBECTL_DRY_RUN_PASSES: '1' });
    expect(deleting.code, deleting.stdout + deleting.stderr).to.equal(0);
    expect(calls()).to.deep.equal([
      'drain worker05 --ignore-daemonsets --delete-emptydir-data --dry-run=server',
      'drain worker05 --ignore-daemonsets --delete-emptydir-data --dry-run=server --disable-eviction',
    ]);
    expect(nodeSnapshot(fleet, 'worker05')).to.deep.equal(untouched);
  });

  it('a drain that fails although its dry run passed fails the host without touching it', () => {
    const untouched = nodeSnapshot(fleet, 'worker05');
    writeFileSync(log, '');
    const r = run(['--limit', 'worker05'], 'drain-fails', { KUBECTL_FAIL_NODE: 'worker05', KUBECTL_DRY_RUN_PASSES: '1' });
    expect(r.code).to.equal(2);
    // Only the preflight's notes (the sandbox image handed over) come before the drain.
    const tasks = r.report.tasks.filter((t: { task: string }) => t.task !== 'notes');
    expect(tasks).to.have.length(1);
    expect(tasks[0]).to.deep.include({ host: 'worker05', task: 'drain node', status: 'failed' });
    expect(tasks[0].error).to.match(/would violate PodDisruptionBudget/);
    expect(nodeSnapshot(fleet, 'worker05')).to.deep.equal(untouched);
  });

  it('restore puts back byte for byte the files a run replaced, and restarts containerd', () => {
    const before = fleet.ssh('worker01', 'base64 -w0 /etc/containerd/config.toml').stdout;
    // The node's pause image under a second name: a config change whose sandbox image the node has.
    fleet.ssh('worker01', 'ctr -n k8s.io images tag k8s.gcr.io/pause:3.6 registry.test/pause:restore');
    const changed = run(['--limit', 'worker01', '-e', 'containerd_sandbox_image=registry.test/pause:restore'], 'change');
    expect(changed.code, changed.stdout).to.equal(0);
    expect(fleet.ssh('worker01', 'cat /etc/containerd/config.toml').stdout).to.include('registry.test/pause:restore');
    const runId = changed.report.runId as string;
    const r = runCli([
      'restore',
      '-i',
      fleet.inventoryFile,
      '--known-hosts',
      fleet.knownHostsFile,
      '--limit',
      'worker01',
      '--run',
      runId,
      '--report',
      join(out, 'restore.json'),
    ]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const report = JSON.parse(readFileSync(join(out, 'restore.json'), 'utf8'));
    expect(report.tasks.map((t: { task: string; status: string }) => `${t.task}: ${t.status}`)).to.deep.equal([
      `restore files of run ${runId}: changed`,
      'restart containerd: changed',
    ]);
    expect(fleet.ssh('worker01', 'base64 -w0 /etc/containerd/config.toml').stdout).to.equal(before);
    expect(fleet.ssh('worker01', 'systemctl is-active containerd').stdout).to.equal('active\n');
  });
});
