import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { writeKubectlStandin } from '../helpers/kubectl-standin.js';
import { changedTasks, nodeSnapshot, type Report } from '../helpers/fleet-run.js';
import { echoImage, loadTinyImagesOnNode, pauseImage } from '../helpers/tiny-images.js';

/**
 * Each node proven by running pods through CRI before it is uncordoned, offline: the nodes reach no
 * registry but a STAND-IN on loopback (an HTTP server that holds no image: every manifest is 404), so
 * the sandbox image comes from Docker. Images are the tiny offline ones (busybox-static), loaded into
 * the nodes' Docker. kubectl is a STAND-IN on the controller's PATH (no API server runs here): it
 * records each call. Handlers: runc and Debian's crun (a second real OCI runtime, a handler of the
 * inventory's own). Faults, each on its own node: a runtime binary that exits 1; no sandbox image
 * anywhere; a CNI config containerd rejects.
 */
describe('end to end: the pod check and the sandbox image on an offline fleet', function () {
  this.timeout(1_200_000);
  let fleet: Fleet;
  let registry: Server;
  const out = mkdtempSync(join(tmpdir(), 'provision-pod-check-'));
  const log = join(out, 'kubectl.log');
  const inventoryDir = join(out, 'inventory');
  const inventory = join(inventoryDir, 'hosts.ini');
  const registryHits: string[] = [];
  const ECHO = echoImage('registry.example/team/echo:1.0', 'provision pod check ok');
  const PAUSE = pauseImage('k8s.gcr.io/pause:3.6');

  before(async function () {
    requireFleet(this, 'pod check tests');
    registry = createServer((req, res) => {
      registryHits.push(`${req.method} ${req.url}`);
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    const port = (registry.address() as AddressInfo).port;
    fleet = await Fleet.up(await testFleetDir('pod-check'), [{ name: 'proven' }, { name: 'badruntime' }, { name: 'nopause' }, { name: 'badcni' }]);
    for (const n of ['proven', 'badruntime', 'badcni']) loadTinyImagesOnNode(fleet.sshArgs(fleet.node(n)), fleet.state.image, [PAUSE, ECHO], 'docker');
    loadTinyImagesOnNode(fleet.sshArgs(fleet.node('nopause')), fleet.state.image, [ECHO], 'docker');
    // Every fleet node's Docker holds the dockershim pause image: this one loses it.
    fleet.ssh('nopause', `docker rmi ${PAUSE.ref}`);
    // The faults, set up on the node before the run as an operator would find them.
    fleet.ssh('badruntime', "printf '#!/bin/sh\\necho broken runtime >&2\\nexit 1\\n' > /usr/local/sbin/crun-broken && chmod 755 /usr/local/sbin/crun-broken");
    fleet.ssh('badcni', "mkdir -p /etc/cni/net.d && echo '{ not a cni config' > /etc/cni/net.d/00-broken.conflist");

    mkdirSync(join(inventoryDir, 'group_vars'), { recursive: true });
    mkdirSync(join(inventoryDir, 'host_vars'));
    writeFileSync(inventory, readFileSync(fleet.writeInventory(['provision_drain=True']), 'utf8'));
    writeFileSync(
      join(inventoryDir, 'group_vars', 'k8s_worker.yml'),
      [
        'containerd_runtimes: [runc, {name: crun, runtime_type: io.containerd.runc.v2, options: {BinaryName: /usr/bin/crun}}]',
        `containerd_registry_mirrors: {registry.k8s.io: ["http://127.0.0.1:${port}"]}`,
        'docker_migrate_all_images: true',
        // The fleet's nodes lack CAP_SYS_RESOURCE (so does this machine): a sandbox's -998 would be refused.
        'containerd_restrict_oom_score_adj: true',
        `provision_pod_check_image: ${ECHO.ref}`,
        'provision_pod_check_command: [/bin/echo, provision pod check ok]',
        'provision_pod_check_log_line: provision pod check ok',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(inventoryDir, 'host_vars', 'badruntime.yml'),
      'containerd_runtimes: [runc, {name: crun, runtime_type: io.containerd.runc.v2, options: {BinaryName: /usr/local/sbin/crun-broken}}]\n',
    );
    writeKubectlStandin(join(out, 'bin'));
  });

  after(async () => {
    await fleet?.destroy();
    registry?.close();
  });

  const env = () => ({ PATH: `${join(out, 'bin')}:${process.env.PATH}`, KUBECTL_LOG: log, CI: 'true' });
  const apply = (name: string, args: string[] = []) => {
    const file = join(out, `${name}.json`);
    const r = runCli(['-i', inventory, '--known-hosts', fleet.knownHostsFile, '--report', file, '-f', '4', ...args], { env: env(), timeoutMs: 900_000 });
    if (!existsSync(file)) throw new Error(`no report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    return { ...r, report: JSON.parse(readFileSync(file, 'utf8')) as Report };
  };
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n\n').filter(Boolean) : []);
  const task = (report: Report, host: string, name: string) => report.tasks.find((t) => t.host === host && t.task === name);
  /** What CRI and the check could have left: containers (sandboxes are containers to ctr), tasks, log directories. */
  const leftovers = (host: string) =>
    fleet.ssh(host, 'ctr -n k8s.io containers ls -q; ctr -n k8s.io tasks ls -q; ls -d /var/log/pods/provision-pod-check_* 2>/dev/null; true').stdout.trim();

  let first: ReturnType<typeof apply>;
  let nopauseBefore: Map<string, string>;

  it('a first apply: the proven node passes the pod check with runc and crun; each fault fails or refuses its node', () => {
    nopauseBefore = nodeSnapshot(fleet, 'nopause');
    first = apply('first');
    expect(first.code, first.stdout + first.stderr).to.equal(2);
    const verified = task(first.report, 'proven', 'verify node');
    expect(verified?.status, JSON.stringify(verified)).to.equal('ok');
    const reason = (verified as { reason?: string }).reason ?? '';
    expect(reason).to.match(/^pod on runc \(host network\): ok, \/bin\/echo provision pod check ok exited 0, log line "provision pod check ok" read back/m);
    expect(reason).to.match(/^pod on crun \(host network\): ok, .*read back/m);
    expect(leftovers('proven'), 'nothing left behind').to.equal('');
    expect(fleet.ssh('proven', "grep -h -o 'sandbox_image = .*' /etc/containerd/config.toml").stdout.trim()).to.equal('sandbox_image = "k8s.gcr.io/pause:3.6"');
    expect(calls()).to.include('uncordon\nproven');
  });

  it('a runtime binary that exits 1: failed with the CRI error text, never uncordoned', () => {
    const verified = task(first.report, 'badruntime', 'verify node');
    expect(verified?.status).to.equal('failed');
    expect(verified?.error?.split('\n')[0]).to.match(/^pod on crun \(host network\): (RunPodSandbox|CreateContainer|StartContainer) failed: .+/);
    expect(verified?.error).to.match(/^pod on runc \(host network\): ok/m);
    expect(leftovers('badruntime'), 'nothing left behind').to.equal('');
    expect(calls().some((c) => c.startsWith('drain\nbadruntime\n'))).to.equal(true);
    expect(calls()).to.not.include('uncordon\nbadruntime');
  });

  it('no sandbox image anywhere: refused before drain, the node byte for byte unchanged', () => {
    const refused = task(first.report, 'nopause', 'preflight');
    expect(refused?.status).to.equal('failed');
    expect(refused?.error).to.include('the sandbox image registry.k8s.io/pause:3.9 is not in containerd');
    expect(refused?.error).to.include('Set containerd_sandbox_image');
    expect(
      registryHits.some((h) => h.includes('/v2/pause/manifests/3.9?ns=registry.k8s.io')),
      'the mirror was tried',
    ).to.equal(true);
    expect(nodeSnapshot(fleet, 'nopause')).to.deep.equal(nopauseBefore);
    expect(calls().some((c) => c.includes('nopause'))).to.equal(false);
  });

  it('a CNI config containerd rejects: NetworkReady false fails the host, never uncordoned', () => {
    const verified = task(first.report, 'badcni', 'verify node');
    expect(verified?.status).to.equal('failed');
    expect(verified?.error?.split('\n')[0]).to.match(/^CRI Status: NetworkReady is false/);
    expect(calls().some((c) => c.startsWith('drain\nbadcni\n'))).to.equal(true);
    expect(calls()).to.not.include('uncordon\nbadcni');
    expect(first.stdout).to.match(/badcni/);
  });

  it('a second run changes nothing on the proven node and does not run the pod check (provision_pod_check: first)', () => {
    const second = apply('second', ['--limit', 'proven']);
    expect(second.code, second.stdout + second.stderr).to.equal(0);
    expect(changedTasks(second.report, 'proven').filter((t) => !t.startsWith('rollout'))).to.deep.equal([]);
    expect((task(second.report, 'proven', 'verify node') as { reason?: string }).reason).to.include('pod check not run (this run changed nothing on the host)');
  });

  it('provision verify runs the pod check, changes nothing, and exits as the README says (0 proven, 2 failed)', () => {
    const before = nodeSnapshot(fleet, 'proven');
    const ok = runCli(['verify', '-i', inventory, '--known-hosts', fleet.knownHostsFile, '--limit', 'proven'], { env: env(), timeoutMs: 300_000 });
    expect(ok.code, ok.stdout + ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/^proven: pod on crun \(host network\): ok/m);
    expect(nodeSnapshot(fleet, 'proven')).to.deep.equal(before);
    expect(leftovers('proven')).to.equal('');
    const failed = runCli(['verify', '-i', inventory, '--known-hosts', fleet.knownHostsFile, '--limit', 'badruntime'], { env: env(), timeoutMs: 300_000 });
    expect(failed.code, failed.stdout + failed.stderr).to.equal(2);
    expect(failed.stdout).to.match(/^badruntime +failed$/m);
  });
});
