import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { changedTasks, nodeSnapshot, type Report } from '../helpers/fleet-run.js';
import { writeKubectlStandin } from '../helpers/kubectl-standin.js';

/**
 * The pod check's pod on the pod (CNI) network, for real: two nodes each with a network namespace of its own
 * (`privateNetwork`: systemd-nspawn --network-veth), so the CNI bridge plugin makes cni0, the pod's veth and
 * its iptables masquerade inside the node, never on the controller. Migrated with cni_bridge (the role's
 * 10-bridge.conflist: bridge + host-local IPAM on 10.85.0.0/16, portmap) and
 * provision_pod_check_pod_network. The container prints its own global IPv4 addresses (busybox `ip`), so the
 * line read back from its CRI log shows which network it ran on. The sandbox image is the dockershim pause
 * image Docker holds (handed over offline). kubectl is a STAND-IN on the controller's PATH (no API server
 * runs here): it records each call. The fault: a bridge network whose IPAM range is a /32, which containerd
 * loads (NetworkReady) but host-local refuses when a pod is added: only the pod-network pod shows it.
 */
describe('end to end: the pod check on the pod network, on nodes with their own network namespace', function () {
  this.timeout(600_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-pod-network-'));
  const log = join(out, 'kubectl.log');
  const inventoryDir = join(out, 'inventory');
  const inventory = join(inventoryDir, 'hosts.ini');
  const LINE = 'provision pod network:';

  before(async function () {
    requireFleet(this, 'pod network tests');
    fleet = await Fleet.up(await testFleetDir('pod-network'), [
      { name: 'podnet', privateNetwork: true },
      { name: 'badbridge', privateNetwork: true },
    ]);
    mkdirSync(join(inventoryDir, 'group_vars'), { recursive: true });
    mkdirSync(join(inventoryDir, 'host_vars'));
    writeFileSync(inventory, readFileSync(fleet.writeInventory(['provision_drain=True']), 'utf8'));
    writeFileSync(
      join(inventoryDir, 'group_vars', 'k8s_worker.yml'),
      [
        'cni_bridge: true',
        'provision_pod_check_pod_network: true',
        // Unquoted, the addresses' lines join into one log line: the one the check reads back.
        `provision_pod_check_command: [/bin/sh, -c, 'echo ${LINE} $(/bin/busybox ip -4 -o addr show scope global)']`,
        `provision_pod_check_log_line: '${LINE}'`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(inventoryDir, 'host_vars', 'badbridge.yml'), 'cni_bridge_subnet: 10.85.0.0/32\n');
    writeKubectlStandin(join(out, 'bin'));
  });

  after(async () => {
    await fleet?.destroy();
  });

  const env = () => ({ PATH: `${join(out, 'bin')}:${process.env.PATH}`, KUBECTL_LOG: log, CI: 'true' });
  const cli = (args: string[], report?: string) =>
    runCli([...args, '-i', inventory, '--known-hosts', fleet.knownHostsFile, ...(report ? ['--report', report] : [])], { env: env(), timeoutMs: 300_000 });
  const apply = (name: string, args: string[] = []) => {
    const file = join(out, `${name}.json`);
    const r = cli(['-f', '2', ...args], file);
    if (!existsSync(file)) throw new Error(`no report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    return { ...r, report: JSON.parse(readFileSync(file, 'utf8')) as Report };
  };
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n\n').filter(Boolean) : []);
  const task = (report: Report, host: string, name: string) =>
    report.tasks.find((t) => t.host === host && t.task === name) as (Report['tasks'][number] & { reason?: string }) | undefined;
  /**
   * What the pods could have left on the node: containers and tasks (ctr), log directories, network namespaces,
   * veths other than host0, host-local leases (files named for an address), CNI iptables chains.
   */
  const leftovers = (host: string) =>
    fleet
      .ssh(
        host,
        [
          'ctr -n k8s.io containers ls -q; ctr -n k8s.io tasks ls -q',
          'ls -d /var/log/pods/provision-pod-check_* 2>/dev/null',
          'ls /var/run/netns 2>/dev/null',
          "ip -o link show type veth | grep -v ' host0@'",
          "ls /var/lib/cni/networks/provision-bridge 2>/dev/null | grep -E '^[0-9.]+$'",
          'iptables -t nat -S | grep -e CNI- -e cni0',
          'true',
        ].join('; '),
      )
      .stdout.trim();

  let first: ReturnType<typeof apply>;

  it('a first apply: the pod on the pod network runs on the CNI bridge (an address of 10.85.0.0/16 on its eth0), and nothing is left behind', () => {
    first = apply('first');
    expect(first.code, first.stdout + first.stderr).to.equal(2);
    const verified = task(first.report, 'podnet', 'verify node');
    expect(verified?.status, JSON.stringify(verified)).to.equal('ok');
    const reason = verified?.reason ?? '';
    expect(reason).to.match(/^pod on runc \(host network\): ok, .* log line "provision pod network: .*inet 10\.248\.\d+\.2\/30 .*" read back/m);
    const pod = /^pod on runc \(pod network\): ok, .* log line "(.*)" read back/m.exec(reason);
    expect(pod, reason).to.not.equal(null);
    // The pod's own namespace: eth0 on the bridge's subnet (host-local gives .1 to the gateway), not the node's host0.
    expect(pod![1]).to.match(/\beth0 +inet 10\.85\.0\.([2-9]|\d{2,3})\/16\b/);
    expect(pod![1]).to.not.include('host0');
    expect(leftovers('podnet'), 'nothing left behind').to.equal('');
    // The bridge is the node's: made in its namespace, not on the controller.
    expect(fleet.ssh('podnet', 'ip -o -4 addr show cni0').stdout).to.match(/inet 10\.85\.0\.1\/16/);
    expect(readFileSync('/proc/net/dev', 'utf8')).to.not.match(/^\s*cni0:/m);
    expect(calls()).to.include('uncordon\npodnet');
  });

  it('a bridge network whose IPAM cannot allocate: only the pod-network pod fails, the host fails and stays cordoned, the recap says why in one line', () => {
    const verified = task(first.report, 'badbridge', 'verify node');
    expect(verified?.status).to.equal('failed');
    const firstLine = verified?.error?.split('\n')[0] ?? '';
    expect(firstLine).to.match(/^pod on runc \(pod network\): RunPodSandbox failed: .*10\.85\.0\.0\/32.*too small/);
    expect(verified?.error).to.match(/^pod on runc \(host network\): ok/m);
    // containerd keeps the sandbox whose network it could not tear down (the CNI DEL fails as the ADD did): the check
    // found it, could not stop it either, and names it. It, with its network namespace, is all that is left.
    const kept = /; left behind: sandbox ([0-9a-f]{12}) \(.*StopPodSandbox.*failed to destroy network.*too small.*\)$/.exec(firstLine);
    expect(kept, firstLine).to.not.equal(null);
    const left = leftovers('badbridge').split('\n');
    expect(left).to.have.length(2);
    expect(left[0]).to.match(new RegExp(`^${kept![1]}[0-9a-f]{52}$`));
    expect(left[1]).to.match(/^cni-[0-9a-f-]+$/);
    expect(calls().some((c) => c.startsWith('drain\nbadbridge\n'))).to.equal(true);
    expect(calls()).to.not.include('uncordon\nbadbridge');
    const recap = first.stdout.split('\n').filter((l) => l.includes('badbridge') && l.includes('pod network'));
    expect(recap, first.stdout).to.have.length.greaterThan(0);
    expect(recap[0]).to.match(/RunPodSandbox failed: .*too small/);
  });

  it('a second run changes nothing; provision verify runs the pod-network pod again and leaves the node as it was', () => {
    const second = apply('second', ['--limit', 'podnet']);
    expect(second.code, second.stdout + second.stderr).to.equal(0);
    expect(changedTasks(second.report, 'podnet').filter((t) => !t.startsWith('rollout'))).to.deep.equal([]);
    const before = withoutLastReserved(nodeSnapshot(fleet, 'podnet'));
    const verify = runCli(['verify', '-i', inventory, '--known-hosts', fleet.knownHostsFile, '--limit', 'podnet'], { env: env(), timeoutMs: 300_000 });
    expect(verify.code, verify.stdout + verify.stderr).to.equal(0);
    expect(verify.stdout).to.match(/^podnet: pod on runc \(pod network\): ok, .*eth0 +inet 10\.85\.0\.\d+\/16/m);
    expect(withoutLastReserved(nodeSnapshot(fleet, 'podnet'))).to.deep.equal(before);
    expect(leftovers('podnet'), 'nothing left behind').to.equal('');
  });
});

/** host-local's last_reserved_ip.0 moves with every pod, as it does under kubelet: the one file a pod on the pod network writes. */
function withoutLastReserved(snapshot: Map<string, string>): Map<string, string> {
  return new Map([...snapshot].filter(([path]) => !/^var\/lib\/cni\/networks\/[^/]+\/last_reserved_ip\.\d+$/.test(path)));
}
