import { expect } from 'chai';
import { dropinVerdict, existingSettingsVerdict } from '../../../src/domain/containerd-existing.js';
import { containerdConfigFileFact } from '../../../src/facts/containerd-config-file.js';
import { renderHost } from '../../helpers/roles.js';

const PATH = '/etc/containerd/config.toml';
const file = (text: string) => ({ exists: true, text, truncated: false });
/** A config another tool wrote: the NVIDIA toolkit's handler and a mirror set by hand (containerd docs/cri/config.md). */
const THEIRS = `version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
    BinaryName = "/usr/bin/nvidia-container-runtime"
[plugins."io.containerd.grpc.v1.cri".registry.mirrors."registry.corp:5000"]
  endpoint = ["https://mirror.corp"]
`;
const VARS = { containerd_runtime_handlers: ['runc'], containerd_registry_hosts: {}, containerd_registry_config_path: '/etc/containerd/certs.d' };

describe("the node's own containerd settings, which a whole config.toml would drop", () => {
  it('refuses the host naming each handler and registry setting', () => {
    const v = existingSettingsVerdict(file(THEIRS), PATH, VARS);
    expect(v.problems).to.have.length(1);
    expect(v.problems[0])
      .to.include('runtime handler nvidia (io.containerd.runc.v2, BinaryName /usr/bin/nvidia-container-runtime)')
      .and.include('registry setting registry.mirrors registry.corp:5000')
      .and.include('containerd_drop_existing_settings: true');
  });

  it('the inventory taking both over keeps them (notes only)', () => {
    const v = existingSettingsVerdict(file(THEIRS), PATH, {
      ...VARS,
      containerd_runtime_handlers: ['runc', 'nvidia'],
      containerd_registry_hosts: { 'registry.corp:5000': ['https://mirror.corp'] },
    });
    expect(v.problems).to.deep.equal([]);
    expect(v.notes).to.have.length(2);
  });

  it('containerd_drop_existing_settings drops them with a note; a config provision wrote, or none, says nothing', () => {
    expect(existingSettingsVerdict(file(THEIRS), PATH, { ...VARS, containerd_drop_existing_settings: true }).notes[0]).to.match(
      /dropped as containerd_drop_existing_settings says/,
    );
    const ours = renderHost({ containerd_version: '1.7.24' }, ['install-containerd']).get(PATH)!.content;
    expect(existingSettingsVerdict(file(ours), PATH, VARS)).to.deep.equal({ problems: [], notes: [] });
    expect(existingSettingsVerdict({ exists: false, text: '', truncated: false }, PATH, VARS)).to.deep.equal({ problems: [], notes: [] });
  });

  it("Debian's and containerd.io's packaged configs hold nothing to keep; a file that is no TOML is refused", () => {
    const debian =
      'version = 2\n\n[plugins]\n  [plugins."io.containerd.grpc.v1.cri"]\n    [plugins."io.containerd.grpc.v1.cri".cni]\n      bin_dir = "/usr/lib/cni"\n';
    expect(existingSettingsVerdict(file(debian), PATH, VARS).problems).to.deep.equal([]);
    expect(existingSettingsVerdict(file('disabled_plugins = ["cri"]\n'), PATH, VARS).problems).to.deep.equal([]);
    expect(existingSettingsVerdict(file('version = [\n'), PATH, VARS).problems[0]).to.match(/is not valid TOML/);
  });

  it('the probe reads the file as it is, bounded, and the drop-ins beside it', () => {
    const f = containerdConfigFileFact(PATH);
    expect(f.parse(`exists\n${Buffer.from(THEIRS).toString('base64')}\n`, 0)).to.deep.equal({ exists: true, text: THEIRS, truncated: false });
    expect(f.parse('none\n\n', 0)).to.deep.equal({ exists: false, text: '', truncated: false });
    const b = (t: string) => Buffer.from(t).toString('base64');
    const withDir = containerdConfigFileFact(PATH, '/etc/containerd/conf.d');
    expect(withDir.parse(`none\n\ndropin ${b('/etc/containerd/conf.d/99-nvidia.toml')} ${b('version = 2\n')}\n`, 0).dropins).to.deep.equal({
      '/etc/containerd/conf.d/99-nvidia.toml': 'version = 2\n',
    });
  });

  it('on containerd 1.x a drop-in already setting the CRI plugin refuses the host (1.x imports a plugin section whole)', () => {
    const nvidia = { '/etc/containerd/conf.d/99-nvidia.toml': THEIRS };
    const v17 = dropinVerdict(nvidia, '1.7.24');
    expect(v17.problems[0]).to.match(/99-nvidia\.toml sets \[plugins\."io\.containerd\.grpc\.v1\.cri"\]: containerd 1\.7\.24 imports a plugin's section whole/);
    expect(v17.notes).to.deep.equal([]);
    expect(dropinVerdict({ '/etc/containerd/conf.d/50-agent.toml': '[plugins."io.containerd.internal.v1.opt"]\npath = "/x"\n' }, '1.7.24')).to.deep.equal({
      problems: [],
      notes: [],
    });
  });

  it('on containerd 2.x (key-by-key merge, containerd#9982) the same drop-in is a note naming the keys it overrides', () => {
    const dropin = [
      'version = 3',
      '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]',
      'runtime_type = "io.containerd.runc.v2"',
      '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia.options]',
      'BinaryName = "/usr/bin/nvidia-container-runtime"',
      '[plugins."io.containerd.cri.v1.images".pinned_images]',
      'sandbox = "registry.test/pause:3.10"',
      '[plugins."io.containerd.internal.v1.opt"]',
      'path = "/x"',
      '',
    ].join('\n');
    const v = dropinVerdict({ '/etc/containerd/conf.d/99-nvidia.toml': dropin }, '2.1.4');
    expect(v.problems).to.deep.equal([]);
    expect(v.notes).to.deep.equal([
      '/etc/containerd/conf.d/99-nvidia.toml sets CRI settings that containerd 2.1.4 merges over the config provision writes, key by key, its values winning: containerd.runtimes.nvidia.runtime_type, containerd.runtimes.nvidia.options.BinaryName, pinned_images.sandbox',
    ]);
    // An empty CRI table sets nothing; a file that is not TOML is a problem on every version.
    expect(dropinVerdict({ '/c/a.toml': '[plugins."io.containerd.cri.v1.runtime"]\n' }, '2.0.0')).to.deep.equal({ problems: [], notes: [] });
    expect(dropinVerdict({ '/c/b.toml': '[plugins\n' }, '2.0.0').problems[0]).to.match(/^\/c\/b\.toml is imported by containerd but is not valid TOML/);
  });
});

describe('containerd config imports the drop-in directory on every version provision installs', () => {
  for (const v of ['1.6.36', '1.7.24', '2.0.4', '2.2.0']) {
    it(`containerd ${v}`, () => {
      const text = renderHost({ containerd_version: v }, ['install-containerd']).get(PATH)!.content;
      expect(text).to.match(/^imports = \["\/etc\/containerd\/conf\.d\/\*\.toml"\]$/m);
    });
  }
});
