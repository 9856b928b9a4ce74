import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { criOverTransport, type PodSandboxConfig } from '../../src/cri/cri-client.js';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { echoImage, loadTinyImagesOnNode, pauseImage } from '../helpers/tiny-images.js';

/**
 * Fleet nodes run real containers (test/fleet/README.md, "Nodes that run containers"): Docker's
 * before a migration, containerd's through runc and crun, from tiny images made offline. kubelet
 * is a STAND-IN on these nodes, as everywhere in the fleet.
 */
describe('test fleet: nodes run containers', function () {
  this.timeout(600_000);
  let fleet: Fleet;
  const sh = (cmd: string) => fleet.ssh('box', cmd, { allowFail: true });
  const pause = 'registry.example/fleet/pause:1.0';
  const app = 'registry.example/fleet/echo:1.0';

  before(async function () {
    requireFleet(this, 'fleet container tests');
    fleet = await Fleet.up(await testFleetDir('containers'), [{ name: 'box' }]);
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('boots with writable cgroup controllers and /var/lib/containerd on a directory of the host', () => {
    expect(sh('systemctl is-active fleet-cgroups.service').stdout.trim()).to.equal('active');
    const mounts = sh('grep " /sys/fs/cgroup/" /proc/self/mountinfo').stdout;
    for (const c of ['cpu', 'cpuset', 'memory', 'pids'])
      if (mounts.includes(`/sys/fs/cgroup/${c} `)) expect(mounts).to.match(new RegExp(`/sys/fs/cgroup/${c} rw`));
    // A file written on the node is in the node's containerd directory on the host.
    sh('touch /var/lib/containerd/.fleet-probe');
    expect(existsSync(join(fleet.node('box').dir, 'containerd', '.fleet-probe'))).to.equal(true);
  });

  it("Docker runs a tiny offline image, with no network and with the host's", () => {
    loadTinyImagesOnNode(fleet.sshArgs(fleet.node('box')), fleet.state.image, [pauseImage(pause), echoImage(app, 'hello from the fleet')], 'docker');
    expect(sh(`docker image inspect -f '{{json .Config.Entrypoint}}' ${pause}`).stdout.trim()).to.equal('["/pause"]');
    for (const network of ['none', 'host']) {
      const r = sh(`docker run --rm --network ${network} ${app}`);
      expect(r.stdout + r.stderr, network).to.equal('hello from the fleet\n');
    }
    // The pause image stays up until it is told to stop, and stops on TERM (exit 0).
    const id = sh(`docker run -d --network none ${pause}`).stdout.trim();
    expect(sh(`sleep 1; docker inspect -f '{{.State.Running}}' ${id}`).stdout.trim()).to.equal('true');
    expect(sh(`docker stop -t 5 ${id} >/dev/null && docker inspect -f '{{.State.ExitCode}}' ${id}`).stdout.trim()).to.equal('0');
    sh(`docker rm ${id}`);
  });

  it('containerd runs the image in its k8s.io namespace with runc and with crun', () => {
    loadTinyImagesOnNode(fleet.sshArgs(fleet.node('box')), fleet.state.image, [echoImage(app, 'hello through containerd')], 'containerd');
    for (const [name, flags] of [
      ['runc', ''],
      ['crun', '--runc-binary /usr/bin/crun'],
    ]) {
      const r = sh(`ctr -n k8s.io run --rm ${flags} ${app} fleet-${name}`);
      expect(r.stdout, `${name}: ${r.stderr}`).to.equal('hello through containerd\n');
    }
    expect(sh('ctr -n k8s.io containers ls -q').stdout.trim()).to.equal('');
  });

  it("runs a pod through the node's own CRI over SSH: the sandbox image handed to k8s.io, the log line read back, nothing left", async () => {
    // Docker-era containerd (Debian's) has CRI on; its default sandbox image, made offline and imported.
    loadTinyImagesOnNode(fleet.sshArgs(fleet.node('box')), fleet.state.image, [pauseImage('registry.k8s.io/pause:3.6')], 'containerd');
    // This machine's root lacks CAP_SYS_RESOURCE (bit 24 of CapBnd): a sandbox's oom_score_adj of -998 would be refused.
    const capBnd = BigInt(`0x${sh("awk '/^CapBnd/ {print $2}' /proc/self/status").stdout.trim()}`);
    if (!(capBnd & (1n << 24n))) {
      sh(
        `sed -i 's/^  \\[plugins."io.containerd.grpc.v1.cri"\\]$/&\\n    restrict_oom_score_adj = true/' /etc/containerd/config.toml && systemctl restart containerd`,
      );
    }
    const t = await fleet.transport('box');
    const cri = await criOverTransport(t, '/run/containerd/containerd.sock');
    try {
      expect((await cri.version()).runtimeApiVersion).to.equal('v1');
      const sandbox: PodSandboxConfig = {
        metadata: { name: 'fleet-pod', uid: randomUUID(), namespace: 'provision-test' },
        logDirectory: '/var/log/pods/fleet-pod',
        linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
      };
      const podId = await cri.runPodSandbox(sandbox, '');
      const id = await cri.createContainer(podId, { metadata: { name: 'echo' }, image: { image: app }, logPath: 'echo/0.log' }, sandbox);
      await cri.startContainer(id);
      let status = await cri.containerStatus(id);
      for (let i = 0; i < 100 && status.state !== 'CONTAINER_EXITED'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await cri.containerStatus(id);
      }
      expect([status.state, status.exitCode]).to.deep.equal(['CONTAINER_EXITED', 0]);
      expect(sh(`cat ${status.logPath}`).stdout).to.match(/^\S+ stdout F hello through containerd$/m);
      await cri.removeContainer(id);
      await cri.stopPodSandbox(podId);
      await cri.removePodSandbox(podId);
    } finally {
      cri.close();
      await t.close();
    }
    expect(sh('ctr -n k8s.io containers ls -q; ctr -n k8s.io tasks ls -q').stdout.trim()).to.equal('');
  });

  it("removes the node's containerd directory when the node stops", async () => {
    const dir = join(fleet.node('box').dir, 'containerd');
    expect(readFileSync(`${dir}/.fleet-probe`, 'utf8')).to.equal('');
    await fleet.down();
    expect(existsSync(dir)).to.equal(false);
  });
});
