import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { criOverTransport, type PodSandboxConfig } from '../../src/cri/cri-client.js';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { changedTasks, provision } from '../helpers/fleet-run.js';
import { randomUUID } from 'node:crypto';

/**
 * Issue 25 on real nodes, one fleet of three:
 * - gpu01: a Docker-era GPU node, the NVIDIA runtime registered in daemon.json as Docker's default. The
 *   NVIDIA runtime is a STAND-IN (no GPU here): /usr/bin/nvidia-container-runtime is a script that logs
 *   its arguments and execs runc. After migration the pod check and a pod started through CRI without a
 *   handler (as kubelet starts a pod without a RuntimeClass) both go through it: its log shows the calls.
 * - own01: a node whose containerd config.toml already has a runtime handler and a registry mirror of its
 *   own (as another tool would write them): refused naming both, then migrated with the inventory
 *   taking them over; a drop-in written afterwards into the imported directory is honoured.
 * - kadm01: a kubeadm 1.23 node: after migration no dockershim flag is left in any of kubelet's flag
 *   sources, and the kubelet STAND-IN (no Debian package ships kubelet) starts at 1.24 with them.
 */
describe('end to end: GPU runtimes, other tools’ containerd settings and dockershim flags survive the migration', function () {
  this.timeout(1_200_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-carried-runtimes-'));
  const sh = (node: string, cmd: string) => fleet.ssh(node, cmd, { allowFail: true });
  // biome-ignore lint/suspicious/noExplicitAny: parsed TOML is walked by key
  const dump = (node: string): any => parseToml(fleet.ssh(node, '/usr/local/bin/containerd config dump').stdout);
  const cri = (node: string) => dump(node).plugins['io.containerd.grpc.v1.cri'];
  let migration: ReturnType<typeof provision>;

  before(async function () {
    requireFleet(this, 'end-to-end tests');
    fleet = await Fleet.up(await testFleetDir('carried-runtimes'), [
      { name: 'gpu01', kubeletVersion: '1.23' },
      { name: 'own01', kubeletVersion: '1.23' },
      { name: 'kadm01', kubeletVersion: '1.23', layout: { kubelet: 'kubeadm' } },
    ]);
    // The NVIDIA runtime STAND-IN: logs its arguments, then is runc (whichever runc the node has).
    fleet.ssh(
      'gpu01',
      [
        'set -e',
        "cat > /usr/bin/nvidia-container-runtime <<'EOF'",
        '#!/bin/sh',
        '# STAND-IN for the NVIDIA container runtime (no GPU in tests): log the call, then run runc.',
        'echo "$*" >> /var/log/nvidia-container-runtime-standin.log',
        'for r in /usr/local/sbin/runc /usr/sbin/runc /usr/bin/runc; do [ -x "$r" ] && exec "$r" "$@"; done',
        'exit 127',
        'EOF',
        'chmod 755 /usr/bin/nvidia-container-runtime',
        `cat > /etc/docker/daemon.json <<'EOF'\n${JSON.stringify({
          bridge: 'none',
          iptables: false,
          'ip-masq': false,
          ip6tables: false,
          'ip-forward': false,
          runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime', runtimeArgs: [] } },
          'default-runtime': 'nvidia',
        })}\nEOF`,
        'systemctl restart docker',
        'docker info --format "{{.DefaultRuntime}}"',
      ].join('\n'),
    );
    // containerd settings of its own, as another tool writes them into Debian's config.toml.
    fleet.ssh(
      'own01',
      [
        'set -e',
        "cat >> /etc/containerd/config.toml <<'EOF'",
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sysbox]',
        '  runtime_type = "io.containerd.runc.v2"',
        '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sysbox.options]',
        '    BinaryName = "/usr/sbin/runc"',
        '[plugins."io.containerd.grpc.v1.cri".registry.mirrors."registry.corp:5000"]',
        '  endpoint = ["https://mirror.corp.example"]',
        'EOF',
        'containerd --config /etc/containerd/config.toml config dump >/dev/null',
      ].join('\n'),
    );
    // kubeadm's "last resort" flags file, holding dockershim flags beside one of the operator's own.
    fleet.ssh('kadm01', `printf '%s\\n' 'KUBELET_EXTRA_ARGS="--network-plugin-mtu=1460 --cni-bin-dir=/opt/cni/bin --max-pods=50"' > /etc/default/kubelet`);
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('own01: the preflight refuses the node, naming its own handler and registry setting, and touches nothing', () => {
    const before = sh('own01', 'sha256sum /etc/containerd/config.toml').stdout;
    const r = runCli(['preflight', '-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile, '--limit', 'own01'], { timeoutMs: 600_000 });
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(r.stdout)
      .to.match(/own01: .*runtime handler sysbox \(io\.containerd\.runc\.v2, BinaryName \/usr\/sbin\/runc\)/)
      .and.match(/registry setting registry\.mirrors registry\.corp:5000/)
      .and.match(/containerd_drop_existing_settings: true/);
    expect(sh('own01', 'sha256sum /etc/containerd/config.toml').stdout).to.equal(before);
  });

  it('migrates the three nodes in one run once own01’s inventory takes its settings over', () => {
    // own01's own variables, beside the inventory as Ansible reads them.
    const hostVars = join(dirname(fleet.inventoryFile), 'host_vars', 'own01.yml');
    mkdirSync(dirname(hostVars), { recursive: true });
    writeFileSync(
      hostVars,
      [
        'containerd_runtimes:',
        '  - runc',
        '  - { name: sysbox, runtime_type: io.containerd.runc.v2, options: { BinaryName: /usr/sbin/runc } }',
        'containerd_registry_mirrors:',
        '  "registry.corp:5000": ["https://mirror.corp.example"]',
        '',
      ].join('\n'),
    );
    migration = provision(fleet, [], join(out, 'migrate.json'));
    expect(migration.code, migration.stdout + migration.stderr).to.equal(0);
    expect(migration.stdout).to.match(/daemon\.json runtimes\.nvidia carried as containerd handler nvidia/);
    expect(migration.stdout).to.match(/runtime handler sysbox .* is taken over by the inventory/);
  });

  it("gpu01: containerd runs Docker's nvidia runtime (the STAND-IN binary) as its default handler", () => {
    const c = cri('gpu01');
    expect(c.containerd.default_runtime_name).to.equal('nvidia');
    expect(c.containerd.runtimes.nvidia.runtime_type).to.equal('io.containerd.runc.v2');
    expect(c.containerd.runtimes.nvidia.options.BinaryName).to.equal('/usr/bin/nvidia-container-runtime');
    expect(c.containerd.runtimes.nvidia.options.SystemdCgroup).to.equal(true);
    expect(sh('gpu01', 'cat /etc/containerd/runtime-classes.yaml').stdout).to.match(/^handler: "?runc"?$/m);
  });

  it('gpu01: the pod check ran through the nvidia handler, and a pod started without a handler goes through the STAND-IN', async () => {
    const verified = migration.report.tasks.find((t) => t.host === 'gpu01' && t.task === 'verify node') as { status?: string; reason?: string } | undefined;
    expect(verified?.status, JSON.stringify(verified)).to.equal('ok');
    expect(verified?.reason, verified?.reason).to.match(/^pod on nvidia \(host network\): ok, .*read back/m);
    // As kubelet starts a pod without a RuntimeClass: runtime_handler '', so containerd picks its default.
    const c = cri('gpu01');
    const sandbox: PodSandboxConfig = {
      metadata: { name: 'no-runtime-class', uid: randomUUID(), namespace: 'provision-test', attempt: 0 },
      logDirectory: '/var/log/pods/provision-test_no-runtime-class',
      // The node's cgroup driver is systemd (SystemdCgroup above): kubelet gives a slice.
      linux: { cgroupParent: 'provision_gpu_test.slice', securityContext: { namespaceOptions: { network: 'NODE' } } },
    };
    fleet.ssh('gpu01', `mkdir -p ${sandbox.logDirectory}`);
    const t = await fleet.transport('gpu01');
    const client = await criOverTransport(t, '/run/containerd/containerd.sock');
    const made: { pod?: string; container?: string } = {};
    try {
      made.pod = await client.runPodSandbox(sandbox, '');
      // The sandbox image (migrated from Docker) as the container too: its /pause -v prints a line and exits 0.
      const image = { image: String(c.sandbox_image) };
      made.container = await client.createContainer(
        made.pod,
        { metadata: { name: 'pause-v', attempt: 0 }, image, command: ['/pause', '-v'], logPath: 'pause-v.log' },
        sandbox,
      );
      await client.startContainer(made.container);
      let status = await client.containerStatus(made.container);
      for (let i = 0; i < 100 && status.state !== 'CONTAINER_EXITED'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await client.containerStatus(made.container);
      }
      expect([status.state, status.exitCode]).to.deep.equal(['CONTAINER_EXITED', 0]);
      // The shim runs `<BinaryName> ... create --bundle <dir>/<id> ... <id>`: both runc calls went through the stand-in.
      const calls = sh('gpu01', 'cat /var/log/nvidia-container-runtime-standin.log').stdout.split('\n');
      for (const id of [made.pod, made.container])
        expect(
          calls.filter((l) => / create /.test(l) && l.endsWith(` ${id}`)),
          `${id} in:\n${calls.join('\n')}`,
        ).to.have.length(1);
    } finally {
      if (made.container) await client.removeContainer(made.container);
      if (made.pod) await client.stopPodSandbox(made.pod).then(() => client.removePodSandbox(made.pod as string));
      client.close();
      await t.close();
      sh('gpu01', `rm -rf ${sandbox.logDirectory}; systemctl stop provision_gpu_test.slice`);
    }
    expect(sh('gpu01', 'ctr -n k8s.io containers ls -q; ctr -n k8s.io tasks ls -q').stdout.trim()).to.equal('');
  });

  it('own01: its handler and mirror are kept, and a drop-in written afterwards into the imported directory is honoured', () => {
    const c = cri('own01');
    expect(c.containerd.runtimes.sysbox.options.BinaryName).to.equal('/usr/sbin/runc');
    expect(sh('own01', 'cat /etc/containerd/certs.d/registry.corp:5000/hosts.toml').stdout).to.include('mirror.corp.example');
    // containerd 1.x merges an import per plugin: a drop-in's plugin section replaces the main config's
    // section of that plugin whole (checked with 1.6.20), so this agent's drop-in sets a plugin
    // provision does not write. (A drop-in touching the CRI plugin on 1.x must carry that section whole.)
    fleet.ssh(
      'own01',
      [
        'set -e',
        "cat > /etc/containerd/conf.d/50-agent.toml <<'EOF'",
        'version = 2',
        '[plugins."io.containerd.internal.v1.opt"]',
        '  path = "/var/lib/containerd/opt-agent"',
        'EOF',
        'systemctl restart containerd',
      ].join('\n'),
    );
    const d = dump('own01');
    expect(d.plugins['io.containerd.internal.v1.opt'].path).to.equal('/var/lib/containerd/opt-agent');
    expect(d.imports).to.include('/etc/containerd/conf.d/50-agent.toml');
    expect(d.plugins['io.containerd.grpc.v1.cri'].containerd.runtimes.sysbox.options.BinaryName).to.equal('/usr/sbin/runc');
    expect(sh('own01', '/usr/local/bin/ctr version').code).to.equal(0);
  });

  it('kadm01: no dockershim flag in any of kubelet’s flag sources, and the kubelet STAND-IN starts at 1.24 with them', async () => {
    const sources = sh(
      'kadm01',
      'cat /var/lib/kubelet/kubeadm-flags.env /etc/default/kubelet /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf /lib/systemd/system/kubelet.service',
    ).stdout;
    for (const flag of [
      'network-plugin',
      'network-plugin-mtu',
      'cni-bin-dir',
      'cni-conf-dir',
      'cni-cache-dir',
      'docker-endpoint',
      'image-pull-progress-deadline',
    ])
      expect(sources, flag).not.to.include(`--${flag}=`);
    expect(sh('kadm01', 'cat /etc/default/kubelet').stdout).to.equal('KUBELET_EXTRA_ARGS="--max-pods=50"\n');
    // The upgrade the migration was for: the same flags, kubelet 1.24.
    fleet.ssh('kadm01', 'echo 1.24 > /etc/kubelet-standin/version && rm -f /run/kubelet-standin/status.json && systemctl restart kubelet');
    let status: { version?: string; flags?: Record<string, string>; endpoint?: string } = {};
    for (let i = 0; i < 60 && status.version !== '1.24'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const s = sh('kadm01', 'cat /run/kubelet-standin/status.json');
      if (s.code === 0) status = JSON.parse(s.stdout);
    }
    expect(status.version, sh('kadm01', 'journalctl -u kubelet --no-pager -n 20 -o cat').stdout).to.equal('1.24');
    expect(status.endpoint).to.equal('unix:///run/containerd/containerd.sock');
    expect(status.flags).to.include({ 'max-pods': '50' });
  });

  it('a second run changes nothing on any of the three (the carried runtimes come back from the state file)', () => {
    const again = provision(fleet, [], join(out, 'again.json'));
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    for (const node of ['gpu01', 'own01', 'kadm01']) expect(changedTasks(again.report, node), node).to.deep.equal([]);
    expect(cri('gpu01').containerd.default_runtime_name).to.equal('nvidia');
  });
});
