import { expect } from 'chai';
import { ErrorList, ValidationError } from '../../../src/core/errors.js';
import { thrown } from '../../helpers/inventory.js';
import { prepareHost, prepareHosts } from '../../helpers/roles.js';

const problem = (vars: Record<string, unknown>, roles: string[] = ['containerd', 'kubelet']) => {
  const e = thrown(() => prepareHost(vars, roles));
  expect(e).to.be.instanceOf(ValidationError);
  expect(e.host).to.equal('node1');
  return e.message;
};

describe('variables: defaults, types and domain checks', () => {
  it('builds download URLs from download_base_url, so one variable points a fleet at a mirror', () => {
    const host = prepareHost({ download_base_url: 'http://127.0.0.1:8080', containerd_version: '1.7.24', runc_version: '1.2.5', cni_version: '1.6.2' }, [
      'containerd',
      'runc',
      'cni',
    ]);
    const downloads = host.roles
      .flatMap((r) => r.tasks)
      .filter((t) => t.type === 'download')
      .map((t) => [t.args.url, t.args.checksum_url]);
    expect(downloads).to.deep.equal([
      [
        'http://127.0.0.1:8080/containerd/containerd/releases/download/v1.7.24/containerd-1.7.24-linux-amd64.tar.gz',
        'http://127.0.0.1:8080/containerd/containerd/releases/download/v1.7.24/containerd-1.7.24-linux-amd64.tar.gz.sha256sum',
      ],
      [
        'http://127.0.0.1:8080/opencontainers/runc/releases/download/v1.2.5/runc.amd64',
        'http://127.0.0.1:8080/opencontainers/runc/releases/download/v1.2.5/runc.sha256sum',
      ],
      [
        'http://127.0.0.1:8080/containernetworking/plugins/releases/download/v1.6.2/cni-plugins-linux-amd64-v1.6.2.tgz',
        'http://127.0.0.1:8080/containernetworking/plugins/releases/download/v1.6.2/cni-plugins-linux-amd64-v1.6.2.tgz.sha256',
      ],
    ]);
  });

  it('uses a pinned sha256 when given', () => {
    const host = prepareHost({ runc_sha256: 'ab'.repeat(32) }, ['runc']);
    expect(host.roles[0]!.tasks[0]!.args.sha256).to.equal('ab'.repeat(32));
  });

  it('accepts yes/no for booleans, as Ansible users write them', () => {
    expect(prepareHost({ docker_purge_data: 'yes' }, ['docker']).vars.docker_purge_data).to.equal(true);
  });

  it('keeps /var/lib/docker unless docker_purge_data', () => {
    const kept = prepareHost({}, ['docker']).roles[0]!;
    expect(kept.skipped.map((s) => s.name)).to.include('Remove Docker data');
    expect(kept.tasks.some((t) => t.args.path === '/var/lib/docker')).to.equal(false);
    expect(prepareHost({ docker_purge_data: true }, ['docker']).roles[0]!.tasks.some((t) => t.args.path === '/var/lib/docker')).to.equal(true);
  });

  it('never lets Docker removal take containerd or runc', () => {
    const pkg = prepareHost({}, ['docker']).roles[0]!.tasks.find((t) => t.type === 'package')!;
    expect(pkg.args.state).to.equal('absent');
    expect(pkg.args.keep).to.include.members(['containerd', 'containerd.io', 'runc']);
    expect(pkg.args.name).to.be.an('array').that.includes('docker.io').and.not.include('containerd');
  });

  const table: [string, Record<string, unknown>, RegExp][] = [
    ['a version written as a number', { kubernetes_version: 1.2 }, /variable kubernetes_version: expected a version string, got the number 1\.2: quote it/],
    ['a missing required variable', { kubernetes_version: undefined }, /variable kubernetes_version is required \(declared by roles\/variables\.yaml\)/],
    [
      'a bad boolean',
      { containerd_systemd_cgroup: 'maybe' },
      /variable containerd_systemd_cgroup: expected a boolean \(true\/false, yes\/no, on\/off, y\/n, 1\/0\), got "maybe"/,
    ],
    ['a value outside its choices', { cpu_arch: 'x86' }, /variable cpu_arch: expected one of "amd64", "arm64"/],
    [
      'a cgroup driver mismatch',
      { kubelet_config: { cgroupDriver: 'cgroupfs' } },
      /cgroupDriver is "cgroupfs" but containerd_systemd_cgroup makes containerd use systemd/,
    ],
    [
      'a handler that is no DNS-1123 label',
      { containerd_runtimes: ['runc', { name: 'My_Runtime', runtime_type: 'x' }] },
      /"My_Runtime" is not a DNS-1123 label/,
    ],
    [
      'a custom handler without runtime_type',
      { containerd_runtimes: ['runc', 'youki'] },
      /"youki" is no preset \(runc, crun, runsc, kata\): give its runtime_type/,
    ],
    [
      'a default runtime not configured',
      { containerd_default_runtime: 'runsc' },
      /containerd_default_runtime "runsc" is not one of containerd_runtimes \(runc\)/,
    ],
    [
      'a registry mirror that is no URL',
      { containerd_registry_mirrors: { 'docker.io': ['mirror.local'] } },
      /containerd_registry_mirrors\.docker\.io: mirror "mirror\.local" is not an http\(s\) URL/,
    ],
    [
      'variables that refer to each other',
      { containerd_download_url: '{{containerd_checksum_url}}', containerd_checksum_url: '{{containerd_download_url}}' },
      /variables containerd_download_url, containerd_checksum_url refer to each other in a cycle \(host node1\)/,
    ],
  ];
  for (const [what, vars, message] of table) {
    it(`refuses ${what} before connecting`, () => {
      expect(problem(vars)).to.match(message);
    });
  }

  it('requires roles for a host: provision_roles or --role', () => {
    expect(problem({}, [])).to.match(/host node1 has no roles: set provision_roles \(e\.g\. in group_vars\) or pass --role/);
  });

  it('takes provision_roles in order, narrowed by --role', () => {
    const all = prepareHost({ provision_roles: ['remove-docker', 'install-runc', 'kubelet-config'] });
    expect(all.roles.map((r) => r.role)).to.deep.equal(['remove-docker', 'install-runc', 'kubelet-config']);
    const narrowed = prepareHost({ provision_roles: ['remove-docker', 'install-runc', 'kubelet-config'] }, ['kubelet', 'runc']);
    expect(narrowed.roles.map((r) => r.role)).to.deep.equal(['install-runc', 'kubelet-config']);
  });

  it('collects the problems of all hosts into one report', () => {
    const e = thrown(() => prepareHosts({ a: { kubernetes_version: 1.3 }, b: {}, c: { cpu_arch: 'x86' } }, ['kubelet']));
    expect(e).to.be.instanceOf(ErrorList);
    expect((e as unknown as ErrorList).errors.map((x) => x.host)).to.deep.equal(['a', 'c']);
  });
});
