import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { freeListenPort } from '../fleet/ports.js';
import type { CliResult } from '../helpers/cli.js';
import { writeKubectlStandin } from '../helpers/kubectl-standin.js';

type Task = { host: string; role: string; task: string; status: string; error?: string; handler?: boolean };

/**
 * Failures on real nodes: a node killed while a task runs, a hung command, a closed stdout, a host
 * that never answers. The shipped roles plus a fixture role (test/fixtures/hold-role) that holds a
 * node in a command for as long as a test needs. kubectl is a STAND-IN on the controller's PATH
 * (no Kubernetes API server runs here): it records each argument of each call on its own line.
 */
describe('end to end: failures take the right path (lost node, hung command, closed stdout, drain)', function () {
  this.timeout(900_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-failures-'));
  const rolesDir = join(out, 'roles');
  const log = join(out, 'kubectl.log');
  const pwned = join(out, 'pwned');
  let inventory: string;
  let env: Record<string, string>;

  before(async function () {
    requireFleet(this, 'failure path tests');
    cpSync('roles', rolesDir, { recursive: true });
    cpSync('test/fixtures/hold-role', join(rolesDir, 'hold'), { recursive: true });
    fleet = await Fleet.up(await testFleetDir('failures'), [{ name: 'worker01' }, { name: 'worker02' }]);
    const base = readFileSync(fleet.writeInventory(['provision_drain=True']), 'utf8');
    inventory = join(out, 'hosts.ini');
    writeFileSync(
      inventory,
      base
        .replace(/^provision_roles=.*$/m, "provision_roles=['remove-docker', 'install-runc', 'hold', 'install-cni', 'install-containerd', 'kubelet-config']")
        .replace(/^(worker01 .*)$/m, '$1 hold_seconds=120'),
    );
    const bin = join(out, 'bin');
    writeKubectlStandin(bin);
    env = { PATH: `${bin}:${process.env.PATH}`, KUBECTL_LOG: log, PROVISION_ROLES_DIR: rolesDir, CI: 'true' };
  });

  after(async () => {
    await fleet?.destroy();
  });

  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n\n').filter(Boolean) : []);
  const cli = (args: string[], inv = inventory) => [
    process.execPath,
    '--import',
    'tsx',
    'src/cli/main.ts',
    '-i',
    inv,
    '--known-hosts',
    fleet.knownHostsFile,
    ...args,
  ];
  const runSync = (args: string[], inv = inventory) => {
    const [cmd, ...rest] = cli(args, inv);
    return spawnSync(cmd!, rest, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  };
  const report = (name: string) => JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
  const tasksOf = (r: { tasks: Task[] }, host: string) => r.tasks.filter((t) => t.host === host);
  const upper = (host: string, path: string) => join(fleet.node(host).dir, 'upper', path);

  /** Runs the CLI without blocking the test, which may act on the fleet meanwhile. */
  const start = (args: string[]) => {
    const [cmd, ...rest] = cli(args);
    const child = spawn(cmd!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
    return { done, output: () => stdout + stderr };
  };
  const waitFor = async (what: string, ok: () => boolean, output: () => string, ms = 300_000) => {
    for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    }
  };

  it('a node killed mid-task is unreachable (exit 4), its task "unknown", no handler tried; the other converges; the next run finishes it', async () => {
    writeFileSync(log, '');
    const hostile = `5m; touch ${pwned}`;
    const run = start(['--report', join(out, 'killed.json'), '--retry-file', join(out, 'retry'), '-e', JSON.stringify({ provision_drain_timeout: hostile })]);
    await waitFor('worker01 to hold', () => existsSync(upper('worker01', 'var/tmp/hold-started-first')), run.output);
    await fleet.kill('worker01');
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).to.equal(4);
    const rep = report('killed');
    expect(rep.summary.worker01).to.deep.include({ unreachable: 1, unknown: 1, failed: 0 });
    const w1 = tasksOf(rep, 'worker01');
    const held = w1.find((t) => t.task === 'hold the node');
    expect(held).to.deep.include({ status: 'unknown' });
    expect(held!.error).to.match(/^lost the connection to worker01: .*whether these changes were made is unknown/s);
    // The handler its first step notified was not tried on the dead connection, nor anything after.
    expect(w1.filter((t) => (t.handler && t.role === 'hold') || t.role === 'install-cni' || t.task === 'verify node')).to.deep.equal([]);
    expect(rep.tasks.find((t: Task) => t.host === 'worker01' && t.status === 'unreachable')).to.not.equal(undefined);
    // The other node went all the way, handler included, and was verified.
    expect(rep.summary.worker02).to.deep.include({ failed: 0, unreachable: 0, unknown: 0 });
    expect(tasksOf(rep, 'worker02').find((t) => t.task === 'after the hold')).to.deep.include({ status: 'changed', handler: true });
    expect(tasksOf(rep, 'worker02').find((t) => t.task === 'verify node')).to.deep.include({ status: 'ok' });
    expect(r.stdout)
      .to.match(/^UNKNOWN: worker01 \| hold \| hold the node$/m)
      .and.match(/^OUTCOME UNKNOWN/m)
      .and.match(/^worker01 +: ok=\d+ changed=\d+ unreachable=1 failed=0 skipped=\d+ unknown=1$/m)
      .and.match(/^worker02 +: ok=\d+ changed=\d+ unreachable=0 failed=0 skipped=\d+$/m);
    expect(readFileSync(join(out, 'retry'), 'utf8')).to.equal('worker01\n');
    // Drained (the hostile timeout is one argument, running nothing), never uncordoned: it stays cordoned.
    const drains = calls()
      .filter((c) => c.startsWith('drain\n') && !c.includes('--dry-run=server'))
      .sort();
    expect(drains).to.deep.equal(['worker01', 'worker02'].map((h) => `drain\n${h}\n--ignore-daemonsets\n--delete-emptydir-data\n--timeout=${hostile}`));
    expect(calls()).to.include('uncordon\nworker02').and.not.include('uncordon\nworker01');
    expect(existsSync(pwned)).to.equal(false);

    // The node comes back; the next run finishes what was left, and verifies it.
    await fleet.restart('worker01');
    const again = runSync(['--report', join(out, 'again.json'), '--limit', 'worker01', '-e', 'hold_seconds=1']);
    expect(again.status, again.stdout + again.stderr).to.equal(0);
    const w1again = tasksOf(report('again'), 'worker01');
    expect(w1again.find((t) => t.task === 'hold the node')).to.deep.include({ status: 'changed' });
    // The handler the killed run owed runs, though the step that notified it has nothing left to change.
    expect(w1again.find((t) => t.task === 'mark the hold')?.status).to.not.equal('changed');
    expect(w1again.find((t) => t.task === 'after the hold')).to.deep.include({ status: 'changed', handler: true });
    expect(fleet.ssh('worker01', 'tail -1 /var/tmp/hold-handler').stdout).to.equal('first\n');
    expect(w1again.find((t) => t.task === 'verify node')).to.deep.include({ status: 'ok' });
    expect(JSON.parse(fleet.ssh('worker01', 'cat /run/kubelet-standin/status.json').stdout).endpoint).to.equal('unix:///run/containerd/containerd.sock');
  });

  it('a hung command times out: its task fails "timed out", its processes are ended, the connection serves the handler after it', () => {
    const args = [
      '--report',
      join(out, 'hung.json'),
      '--limit',
      'worker02',
      '-r',
      'hold',
      '--task-timeout',
      '3',
      '-e',
      'hold_tag=hung',
      '-e',
      'hold_seconds=617',
    ];
    const began = Date.now();
    const r = runSync(args);
    expect(r.status, r.stdout + r.stderr).to.equal(2);
    expect(Date.now() - began).to.be.below(120_000);
    const tasks = tasksOf(report('hung'), 'worker02').filter((t) => t.role === 'hold');
    expect(tasks.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['mark the hold: changed', 'hold the node: failed', 'after the hold: changed']);
    expect(tasks[1]!.error).to.match(/^timed out after 3 s/);
    expect(fleet.ssh('worker02', 'tail -1 /var/tmp/hold-handler').stdout).to.equal('hung\n');
    expect(fleet.ssh('worker02', "ps -eo args= | grep -cx 'sleep 617' || true").stdout.trim()).to.equal('0');
    expect(existsSync(upper('worker02', 'var/tmp/hold-done-hung'))).to.equal(false);
  });

  it('| head -1 does not stop the rollout: every node is changed and verified, the report is written', () => {
    const args = ['--report', join(out, 'piped.json'), '-v', '-e', 'hold_tag=piped', '-e', 'hold_seconds=0'];
    // The CLI's exit status goes to a file of its own, not to the stderr the CLI shares with the shell, and
    // the run's own outcome comes from its report: what head cut off stdout must not hide why a run failed.
    const status = join(out, 'piped.status');
    const r = spawnSync(
      'bash',
      [
        '-c',
        `${cli(args)
          .map((a) => `'${a}'`)
          .join(' ')} | head -1; echo "\${PIPESTATUS[0]}" > '${status}'`,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, ...env },
        timeout: 600_000,
      },
    );
    const rep = existsSync(join(out, 'piped.json')) ? report('piped') : undefined;
    const notOk = rep ? rep.tasks.filter((t: Task) => !['ok', 'changed', 'skipped'].includes(t.status)) : 'no report';
    const why = `signal ${r.signal}, error ${r.error}, stderr:\n${r.stderr}\nnot ok: ${JSON.stringify(notOk, null, 1)}`;
    expect(existsSync(status) ? readFileSync(status, 'utf8') : 'no status', why).to.equal('0\n');
    expect(r.stdout.split('\n').filter(Boolean)).to.have.length(1);
    expect(r.stderr).not.to.match(/EPIPE|internal error/);
    for (const h of ['worker01', 'worker02']) {
      expect(rep.summary[h]).to.deep.include({ failed: 0, unreachable: 0 });
      expect(tasksOf(rep, h).find((t) => t.task === 'verify node')).to.deep.include({ status: 'ok' });
      // A new hold_tag runs the hold role's steps again: every node is changed (also when this test runs alone, on fresh nodes).
      expect(tasksOf(rep, h).find((t) => t.task === 'hold the node')).to.deep.include({ status: 'changed' });
    }
  });

  it('a host that never answers is not drained (the drain runs only after the fact probe answered): exit 4', async () => {
    writeFileSync(log, '');
    const ghost = join(out, 'ghost.ini');
    writeFileSync(
      ghost,
      readFileSync(inventory, 'utf8').replace(
        '[k8s_worker]\n',
        `[k8s_worker]\nghost ansible_host=127.0.0.1 ansible_port=${await freeListenPort()} kubernetes_version="'1.23'"\n`,
      ),
    );
    const r = runSync(['--report', join(out, 'ghost.json'), '--limit', 'ghost', '-T', '3'], ghost);
    expect(r.status, r.stdout + r.stderr).to.equal(4);
    expect(report('ghost').summary.ghost).to.deep.include({ unreachable: 1 });
    expect(calls()).to.deep.equal([]);
  });
});
