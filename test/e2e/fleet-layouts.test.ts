import { expect } from 'chai';
import { Fleet, testFleetDir, requireFleet } from '../fleet/fleet.js';

/**
 * The fleet's node layouts are what real workers have: each variant is checked against how its
 * packaging arranges it. kubelet and cri-dockerd are STAND-INs (no Debian package ships them).
 */
describe('test fleet: nodes laid out as real workers are', function () {
  this.timeout(600_000);
  let fleet: Fleet;
  const status = (node: string) => JSON.parse(fleet.ssh(node, 'cat /run/kubelet-standin/status.json').stdout);
  const sh = (node: string, cmd: string) => fleet.ssh(node, cmd, { allowFail: true }).stdout;
  /** kubelet restarts until its runtime is up after boot: wait for the stand-in's status. */
  const waitKubelet = async (node: string) => {
    for (let i = 0; i < 60; i++) {
      if (fleet.ssh(node, 'test -s /run/kubelet-standin/status.json', { allowFail: true }).code === 0) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${node}: kubelet stand-in never ran: ${sh(node, 'journalctl -u kubelet --no-pager -n 20 -o cat')}`);
  };

  before(async function () {
    requireFleet(this, 'fleet layout tests');
    fleet = await Fleet.up(await testFleetDir('layouts'), [
      { name: 'ce', kubeletVersion: '1.23', layout: { docker: 'docker-ce' } },
      { name: 'static', kubeletVersion: '1.23', layout: { docker: 'static', legacyNames: true } },
      { name: 'kubeadm', kubeletVersion: '1.23', layout: { kubelet: 'kubeadm', dropIn: 'etc' } },
      { name: 'cridockerd', kubeletVersion: '1.26', layout: { criDockerd: true, kubelet: 'kubeadm' } },
      { name: 'cri127', kubeletVersion: '1.27', layout: { docker: 'docker-ce', criDockerd: true } },
    ]);
  });

  after(async () => {
    await fleet?.destroy();
  });

  it("docker-ce: Docker's repository packages, containerd.io with CRI disabled, Docker running", async () => {
    expect(sh('ce', "dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' docker-ce docker-ce-cli containerd.io docker.io containerd runc 2>/dev/null"))
      .to.match(/^docker-ce ii/m)
      .and.match(/^docker-ce-cli ii/m)
      .and.match(/^containerd\.io ii/m)
      .and.not.match(/^(docker\.io|containerd|runc) ii/m);
    expect(sh('ce', 'dpkg -S /usr/bin/dockerd /usr/bin/containerd /usr/bin/runc'))
      .to.match(/^docker-ce: \/usr\/bin\/dockerd$/m)
      .and.match(/^containerd\.io: \/usr\/bin\/runc$/m);
    // The package relations of docker/docker-ce-packaging and docker/containerd-packaging, as dpkg reads them.
    expect(sh('ce', "dpkg-query -W -f='${Package}|${Provides}|${Conflicts}|${Replaces}\\n' docker-ce containerd.io"))
      .to.match(/^containerd\.io\|containerd, runc\|containerd, runc\|containerd, runc$/m)
      .and.match(/^docker-ce\|\|docker \(<< 1\.5~\), docker-engine, docker\.io\|docker-engine$/m);
    expect(sh('ce', 'cat /etc/containerd/config.toml')).to.match(/^disabled_plugins = \["cri"\]$/m);
    expect(sh('ce', 'systemctl is-active docker containerd')).to.equal('active\nactive\n');
    expect(sh('ce', 'docker version --format {{.Server.Version}}')).to.match(/^20\.10/);
    await waitKubelet('ce');
    expect(status('ce')).to.include({ runtime: 'docker', endpoint: 'unix:///var/run/docker.sock' });
  });

  it("static: githubixx's layout, binaries in /usr/local/bin, units in /etc, docker uid 666, no package", async () => {
    for (const b of [
      'dockerd',
      'docker',
      'docker-init',
      'docker-proxy',
      'containerd',
      'containerd-shim',
      'containerd-shim-runc-v2',
      'ctr',
      'runc',
      'docker-containerd',
      'docker-runc',
    ]) {
      expect(sh('static', `test -x /usr/local/bin/${b} && echo yes`), b).to.equal('yes\n');
    }
    expect(sh('static', "dpkg-query -W -f='${db:Status-Abbrev}' docker.io 2>/dev/null")).not.to.match(/^ii/);
    expect(sh('static', 'id docker')).to.match(/^uid=666\(docker\) gid=666\(docker\)/);
    expect(sh('static', 'systemctl show docker.service -p FragmentPath --value')).to.equal('/etc/systemd/system/docker.service\n');
    expect(sh('static', 'systemctl is-active docker')).to.equal('active\n');
    // Docker runs its own containerd, from /usr/local/bin.
    expect(
      sh('static', 'ps -eo args | grep -c "^/usr/local/bin/containerd\\b\\|^containerd --config /var/run/docker/containerd/containerd.toml"'),
    ).not.to.equal('0\n');
    await waitKubelet('static');
    expect(status('static')).to.include({ runtime: 'docker' });
  });

  it("kubeadm: the packaged unit with kubeadm's drop-in in effect, flags from kubeadm-flags.env", async () => {
    expect(sh('kubeadm', 'systemctl show kubelet -p FragmentPath -p DropInPaths --value')).to.equal(
      '/lib/systemd/system/kubelet.service\n/etc/systemd/system/kubelet.service.d/10-kubeadm.conf\n',
    );
    expect(sh('kubeadm', 'test -e /usr/local/bin/kubelet || echo gone')).to.equal('gone\n');
    await waitKubelet('kubeadm');
    const s = status('kubeadm');
    expect(s).to.include({ runtime: 'docker', endpoint: 'unix:///var/run/docker.sock' });
    expect(s.flags).to.include({ config: '/var/lib/kubelet/config.yaml', kubeconfig: '/etc/kubernetes/kubelet.conf', 'network-plugin': 'cni' });
    expect(s.cgroupDriver).to.equal('systemd');
  });

  it('cri-dockerd (stand-in): socket live at /run/cri-dockerd.sock, kubelet 1.26 on it through kubeadm-flags.env', async () => {
    expect(sh('cridockerd', 'systemctl is-active cri-docker.socket')).to.equal('active\n');
    expect(sh('cridockerd', 'systemctl show kubelet -p DropInPaths --value')).to.equal('/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf\n');
    await waitKubelet('cridockerd');
    expect(status('cridockerd')).to.include({ runtime: 'remote', endpoint: 'unix:///run/cri-dockerd.sock' });
  });

  it('cri-dockerd with a self-managed unit at 1.27: endpoint flag only, docker-ce underneath', async () => {
    await waitKubelet('cri127');
    const s = status('cri127');
    expect(s).to.include({ endpoint: 'unix:///run/cri-dockerd.sock' });
    expect(s.flags).not.to.have.property('container-runtime');
  });
});
