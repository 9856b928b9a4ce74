import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

describe('provision render', function () {
  this.timeout(60_000);
  const ini = 'inventories/example/hosts.ini';

  it('writes <out>/<host>/<path on the node> for every file, touching no host', () => {
    const out = mkdtempSync(join(tmpdir(), 'provision-render-'));
    const r = runCli(['render', '-i', ini, '--limit', 'worker98:worker99', '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(`rendered 14 files for 2 hosts into ${out}/<host>/\n`);
    for (const f of [
      'etc/containerd/config.toml',
      'etc/systemd/system/containerd.service',
      'etc/crictl.yaml',
      'etc/cni/net.d/99-loopback.conf',
      'var/lib/kubelet/kubelet-config.yaml',
      'etc/systemd/system/kubelet.service',
    ]) {
      expect(existsSync(join(out, 'worker98', f)), f).to.equal(true);
    }
    // worker99 also runs gVisor: runsc.toml and a RuntimeClass for it.
    expect(readFileSync(join(out, 'worker99/etc/containerd/runtime-classes.yaml'), 'utf8')).to.match(/name: "gvisor"\nhandler: "runsc"/);
    expect(existsSync(join(out, 'worker99/etc/containerd/runsc.toml'))).to.equal(true);
    expect(existsSync(join(out, 'worker98/etc/containerd/runsc.toml'))).to.equal(false);
    expect(existsSync(join(out, 'worker96'))).to.equal(false);
  });

  it('prints each file with a header naming host, path, role and task', () => {
    const r = runCli(['render', '-i', ini, '--limit', 'worker96', '--role', 'containerd']);
    expect(r.code, r.stderr).to.equal(0);
    const headers = r.stdout.split('\n').filter((l) => l.startsWith('# ==> '));
    expect(headers).to.deep.equal([
      '# ==> worker96:/etc/containerd/config.toml  (install-containerd: Write config.toml (version 2, containerd 1.x), mode 0644)',
      '# ==> worker96:/etc/systemd/system/containerd.service  (install-containerd: Write the containerd unit, mode 0644)',
      '# ==> worker96:/etc/crictl.yaml  (install-containerd: Write crictl.yaml, mode 0644)',
    ]);
  });

  it('takes -e over the inventory', () => {
    const r = runCli(['render', '-i', ini, '--limit', 'worker96', '--role', 'kubelet', '-e', 'kubernetes_version=1.27']);
    expect(r.stdout).to.match(/containerRuntimeEndpoint: unix:\/\/\/run\/containerd\/containerd\.sock/);
    expect(r.stdout).not.to.match(/--container-runtime/);
  });

  it('exits 3 naming a removed kubelet flag once, with every host it affects', () => {
    const r = runCli([
      'render',
      '-i',
      ini,
      '--limit',
      'worker96,worker97',
      '-e',
      '{"kubelet_flags": {"network-plugin": "cni"}}',
      '-e',
      'kubernetes_version=1.24',
    ]);
    expect(r.code).to.equal(3);
    // Where the flag was set: the first -e, column 2 of its JSON.
    expect(r.stderr).to.match(/^error: 2 hosts: -e:1:2: kubelet flag --network-plugin was removed in Kubernetes 1\.24 .*\(worker96, worker97\)\n$/);
  });

  it('exits 5 for an unknown role, listing the roles', () => {
    const r = runCli(['render', '-i', ini, '--role', 'containerd2']);
    expect(r.code).to.equal(5);
    expect(r.stderr).to.match(/unknown role "containerd2"; did you mean "containerd"\? Roles: /);
  });
});
