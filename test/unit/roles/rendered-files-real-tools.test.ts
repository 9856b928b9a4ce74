import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { renderHost, requireTool } from '../../helpers/roles.js';

const allRuntimes = ['runc', 'crun', 'runsc', 'kata'];
const expectedTypes = { runc: 'io.containerd.runc.v2', crun: 'io.containerd.runc.v2', runsc: 'io.containerd.runsc.v1', kata: 'io.containerd.kata.v2' };

function configFor(containerdVersion: string, vars: Record<string, unknown> = {}) {
  const files = renderHost({ containerd_version: containerdVersion, containerd_runtimes: allRuntimes, ...vars }, ['containerd']);
  return files.get('/etc/containerd/config.toml')!.content;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed TOML is walked by key, its shape is the test's subject
type Table = Record<string, any>;

describe('rendered containerd config, checked by the real containerd', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-containerd-'));

  for (const version of ['1.6.28', '1.7.24']) {
    it(`containerd ${version}: version 2, accepted by \`containerd config dump\` with runc, crun, runsc and kata`, function () {
      requireTool(this, 'containerd', 'containerd');
      const text = configFor(version);
      expect(text).to.match(/^version = 2$/m);
      const file = join(dir, `config-${version}.toml`);
      writeFileSync(file, text);
      const r = spawnSync('containerd', ['--config', file, 'config', 'dump'], { encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      const dumped = parseToml(r.stdout) as Table;
      const cri = dumped.plugins['io.containerd.grpc.v1.cri'];
      for (const [name, type] of Object.entries(expectedTypes)) {
        expect(cri.containerd.runtimes[name].runtime_type, name).to.equal(type);
      }
      expect(cri.containerd.default_runtime_name).to.equal('runc');
      expect(cri.containerd.runtimes.runc.options).to.deep.include({ SystemdCgroup: true, BinaryName: '/usr/local/sbin/runc' });
      expect(cri.containerd.runtimes.crun.options).to.deep.include({ SystemdCgroup: true, BinaryName: '/usr/bin/crun' });
      expect(cri.containerd.runtimes.runsc.options).to.deep.include({ TypeUrl: 'io.containerd.runsc.v1.options', ConfigPath: '/etc/containerd/runsc.toml' });
      expect(cri.containerd.runtimes.kata.pod_annotations).to.deep.equal(['io.katacontainers.*']);
      expect(cri.containerd.runtimes.kata.privileged_without_host_devices).to.equal(true);
      expect(cri.sandbox_image).to.equal('registry.k8s.io/pause:3.9');
      expect(cri.cni).to.deep.include({ bin_dir: '/opt/cni/bin', conf_dir: '/etc/cni/net.d' });
      expect(cri.registry.config_path).to.equal('/etc/containerd/certs.d');
    });
  }

  it('the real containerd rejects broken TOML (so the check above can fail)', function () {
    requireTool(this, 'containerd', 'containerd');
    const file = join(dir, 'broken.toml');
    writeFileSync(file, configFor('1.7.24').replace('[plugins]', '[plugins'));
    expect(spawnSync('containerd', ['--config', file, 'config', 'dump']).status).to.not.equal(0);
  });

  it('containerd 2.x: version 3 with the split CRI plugins, as documented', () => {
    const config = parseToml(configFor('2.0.4', { containerd_sandbox_image: 'registry.k8s.io/pause:3.10' })) as Table;
    expect(config.version).to.equal(3);
    expect(config.plugins['io.containerd.grpc.v1.cri']).to.equal(undefined);
    const images = config.plugins['io.containerd.cri.v1.images'];
    const runtime = config.plugins['io.containerd.cri.v1.runtime'];
    expect(images.pinned_images.sandbox).to.equal('registry.k8s.io/pause:3.10');
    expect(images.registry.config_path).to.equal('/etc/containerd/certs.d');
    expect(images.snapshotter).to.equal('overlayfs');
    expect(runtime.containerd.default_runtime_name).to.equal('runc');
    for (const [name, type] of Object.entries(expectedTypes)) expect(runtime.containerd.runtimes[name].runtime_type).to.equal(type);
    expect(runtime.containerd.runtimes.runc.options).to.deep.equal({ SystemdCgroup: true, BinaryName: '/usr/local/sbin/runc' });
    expect(runtime.cni).to.deep.equal({ bin_dir: '/opt/cni/bin', conf_dir: '/etc/cni/net.d' });
    expect(config.grpc.address).to.equal('/run/containerd/containerd.sock');
  });

  it('renders user-defined handlers, option overrides and a non-runc default', () => {
    const config = parseToml(
      configFor('1.7.24', {
        containerd_runtimes: [
          { name: 'runc', options: { SystemdCgroup: false } },
          { name: 'youki', runtime_type: 'io.containerd.runc.v2', options: { BinaryName: '/usr/local/bin/youki', ShimCgroup: 3 } },
        ],
        containerd_default_runtime: 'youki',
      }),
    ) as Table;
    const c = config.plugins['io.containerd.grpc.v1.cri'].containerd;
    expect(c.default_runtime_name).to.equal('youki');
    expect(c.runtimes.runc.options).to.deep.equal({ SystemdCgroup: false, BinaryName: '/usr/local/sbin/runc' });
    // Numbers stay numbers (handlebars' numeric concatenation bug is worked around without stringifying).
    expect(c.runtimes.youki.options).to.deep.equal({ BinaryName: '/usr/local/bin/youki', ShimCgroup: 3 });
  });

  it('writes runsc.toml with systemd-cgroup only when the systemd driver is used', () => {
    const on = renderHost({ containerd_runtimes: ['runc', 'runsc'], containerd_runsc_flags: { platform: 'systrap' } }, ['containerd']);
    expect(parseToml(on.get('/etc/containerd/runsc.toml')!.content)).to.deep.equal({ runsc_config: { 'systemd-cgroup': 'true', platform: 'systrap' } });
    const off = renderHost({ containerd_runtimes: ['runc', 'runsc'], containerd_systemd_cgroup: false }, ['containerd']);
    expect(parseToml(off.get('/etc/containerd/runsc.toml')!.content)).to.deep.equal({ runsc_config: {} });
    expect(renderHost({}, ['containerd']).has('/etc/containerd/runsc.toml')).to.equal(false);
  });

  it('writes one certs.d/<registry>/hosts.toml per mirrored registry', () => {
    const files = renderHost(
      {
        containerd_registry_mirrors: {
          'docker.io': ['https://mirror.example.com:5000'],
          'registry.k8s.io': [{ url: 'http://10.0.0.5:5000', capabilities: ['pull'], skip_verify: true }, 'https://second.example.com'],
        },
      },
      ['containerd'],
    );
    expect(parseToml(files.get('/etc/containerd/certs.d/docker.io/hosts.toml')!.content)).to.deep.equal({
      server: 'https://registry-1.docker.io',
      host: { 'https://mirror.example.com:5000': { capabilities: ['pull', 'resolve'] } },
    });
    expect(parseToml(files.get('/etc/containerd/certs.d/registry.k8s.io/hosts.toml')!.content)).to.deep.equal({
      server: 'https://registry.k8s.io',
      host: { 'http://10.0.0.5:5000': { capabilities: ['pull'], skip_verify: true }, 'https://second.example.com': { capabilities: ['pull', 'resolve'] } },
    });
  });

  it('writes a RuntimeClass for every non-default handler, handler equal to the runtime key', () => {
    const files = renderHost({ containerd_runtimes: allRuntimes }, ['containerd']);
    const docs = files.get('/etc/containerd/runtime-classes.yaml')!.content.split(/^---$/m).slice(1);
    expect(docs.map((d) => d.trim())).to.deep.equal([
      'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: "crun"\nhandler: "crun"',
      'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: "gvisor"\nhandler: "runsc"',
      'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: "kata"\nhandler: "kata"',
    ]);
  });

  it('points the crun handler at crun_binary', () => {
    const config = parseToml(configFor('1.7.24', { crun_binary: '/opt/crun/bin/crun' })) as Table;
    const crun = config.plugins['io.containerd.grpc.v1.cri'].containerd.runtimes.crun;
    expect(crun).to.deep.include({ runtime_type: 'io.containerd.runc.v2' });
    expect(crun.options).to.deep.equal({ SystemdCgroup: true, BinaryName: '/opt/crun/bin/crun' });
  });

  it('writes the dockershim link as a tmpfiles.d entry only when asked', () => {
    expect(renderHost({}, ['containerd']).has('/etc/tmpfiles.d/dockershim.conf')).to.equal(false);
    const files = renderHost({ dockershim_socket_symlink: true }, ['containerd']);
    expect(files.get('/etc/tmpfiles.d/dockershim.conf')!.content).to.match(/^L\+ \/run\/dockershim\.sock - - - - \/run\/containerd\/containerd\.sock$/m);
  });
});

describe('rendered systemd units, checked by systemd-analyze verify', function () {
  this.timeout(30_000);

  it('containerd.service and kubelet.service verify without a warning', function () {
    requireTool(this, 'systemd-analyze', 'systemd');
    requireTool(this, 'containerd', 'containerd');
    // verify checks that ExecStart binaries exist: point them at binaries this machine has
    // (Debian's containerd; /bin/true stands in for kubelet, which no Debian package ships).
    const files = renderHost({ containerd_bin_dir: '/usr/bin', kubelet_binary: '/bin/true', kubernetes_version: '1.27' }, ['containerd', 'kubelet']);
    const dir = mkdtempSync(join(tmpdir(), 'provision-units-'));
    const units = ['containerd.service', 'kubelet.service'].map((u) => {
      writeFileSync(join(dir, u), files.get(`/etc/systemd/system/${u}`)!.content);
      return join(dir, u);
    });
    const r = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    expect(r.status).to.equal(0);
    expect(
      r.stderr.split('\n').filter((l) => l.includes(dir)),
      r.stderr,
    ).to.deep.equal([]);
  });

  it('systemd-analyze reports a bad unit line (so the check above can fail)', function () {
    requireTool(this, 'systemd-analyze', 'systemd');
    const dir = mkdtempSync(join(tmpdir(), 'provision-units-'));
    writeFileSync(join(dir, 'bad.service'), '[Service]\nExecStart=/bin/true\nTyp=simple\n');
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'bad.service')], { encoding: 'utf8' });
    expect(r.stderr).to.include(`${dir}/bad.service:3: Unknown key 'Typ'`);
  });
});
