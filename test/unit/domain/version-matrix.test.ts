import { declaredBy } from '../../helpers/roles.js';
import { expect } from 'chai';
import { parse as parseToml } from 'smol-toml';
import { ValidationError } from '../../../src/core/errors.js';
import { prepareRun } from '../../../src/plan/prepare.js';
import { containerdVersionWarnings } from '../../../src/domain/containerd-versions.js';
import { dockershimOnlyFlag, REMOVED_KUBELET_FLAGS } from '../../../src/domain/kubelet-removed-flags.js';
import { dockershimFlagWarnings } from '../../../src/domain/kubelet-flags.js';
import { runtimeVars } from '../../../src/domain/node-layouts.js';
import { parseNodeFacts } from '../../../src/domain/node-layouts-probe.js';
import { preflightProblems } from '../../../src/domain/preflight-checks.js';
import { Inventory } from '../../../src/inventory/inventory.js';
import { thrown } from '../../helpers/inventory.js';
import { renderHost } from '../../helpers/roles.js';

const previousMinor = (v: string) => `1.${Number(v.split('.')[1]) - 1}`;
const flagsOf = (version: string, kubelet_flags: Record<string, unknown>) => {
  const unit = renderHost({ kubernetes_version: version, kubelet_flags }, ['kubelet-config']).get('/etc/systemd/system/kubelet.service')!.content;
  return unit.split('\n').filter((l) => /^\s+--/.test(l));
};

/**
 * Each removal as the Kubernetes changelog records it, written out here rather than read from
 * the table, so a row dropped or mis-versioned in src/domain fails a case.
 */
const REMOVALS: { flag: string; value?: string; removedIn: string; changelog: string }[] = [
  { flag: 'network-plugin', removedIn: '1.24', changelog: 'CHANGELOG-1.24 dockershim removal (KEP-2221)' },
  { flag: 'docker-endpoint', removedIn: '1.24', changelog: 'CHANGELOG-1.24 dockershim removal (KEP-2221)' },
  { flag: 'image-pull-progress-deadline', removedIn: '1.24', changelog: 'CHANGELOG-1.24 dockershim removal (KEP-2221)' },
  { flag: 'cni-bin-dir', removedIn: '1.24', changelog: 'CHANGELOG-1.24 dockershim removal (KEP-2221)' },
  ...[
    'add-dir-header',
    'alsologtostderr',
    'log-backtrace-at',
    'log-dir',
    'log-file',
    'log-file-max-size',
    'logtostderr',
    'one-output',
    'skip-headers',
    'skip-log-headers',
    'stderrthreshold',
  ].map((flag) => ({ flag, removedIn: '1.26', changelog: 'CHANGELOG-1.26 #112120 (KEP-2845, klog flags)' })),
  { flag: 'container-runtime', value: 'remote', removedIn: '1.27', changelog: 'CHANGELOG-1.27 --container-runtime removed' },
  { flag: 'keep-terminated-pod-volumes', removedIn: '1.31', changelog: 'CHANGELOG-1.31 #122082' },
  { flag: 'register-schedulable', value: 'true', removedIn: '1.34', changelog: 'CHANGELOG-1.34 #122384' },
  { flag: 'cloud-config', value: '/etc/kubernetes/cloud.conf', removedIn: '1.34', changelog: 'CHANGELOG-1.34 #130161' },
  { flag: 'pod-infra-container-image', value: 'registry.k8s.io/pause:3.9', removedIn: '1.35', changelog: 'Kubernetes v1.35 release notes' },
  { flag: 'cloud-provider', value: 'openstack', removedIn: '1.26', changelog: 'CHANGELOG-1.26 in-tree OpenStack removed (KEP-2395)' },
  { flag: 'cloud-provider', value: 'aws', removedIn: '1.27', changelog: 'CHANGELOG-1.27 in-tree AWS removed (KEP-2395)' },
  { flag: 'cloud-provider', value: 'azure', removedIn: '1.30', changelog: 'CHANGELOG-1.30 in-tree Azure removed (KEP-2395)' },
  { flag: 'cloud-provider', value: 'gce', removedIn: '1.31', changelog: 'Kubernetes v1.31 release: last in-tree providers removed' },
  { flag: 'cloud-provider', value: 'vsphere', removedIn: '1.31', changelog: 'Kubernetes v1.31 release: last in-tree providers removed' },
];

describe('version matrix: kubelet flags each Kubernetes release removed', () => {
  for (const r of REMOVALS) {
    const shown = r.value && r.flag === 'cloud-provider' ? `--${r.flag}=${r.value}` : `--${r.flag}`;
    it(`${shown}: refused from ${r.removedIn}, kept before (${r.changelog})`, () => {
      const flags = { [r.flag]: r.value ?? '' };
      const e = thrown(() => flagsOf(r.removedIn, flags));
      expect(e).to.be.instanceOf(ValidationError);
      expect(e.message).to.include(`kubelet flag ${shown} was removed in Kubernetes ${r.removedIn}`);
      // In-tree providers are off by default from 1.29: before their removal they need the gate turned off.
      const before = r.flag === 'cloud-provider' && previousMinor(r.removedIn) >= '1.29' ? { ...flags, 'feature-gates': 'DisableCloudProviders=false' } : flags;
      // What only dockershim read never reaches the unit written for containerd, whatever the version.
      const kept = flagsOf(previousMinor(r.removedIn), before).join('\n');
      if (dockershimOnlyFlag(r.flag)) expect(kept).not.to.include(`--${r.flag}`);
      else expect(kept).to.include(`--${r.flag}`);
    });
  }

  it('every dockershim flag of CHANGELOG-1.24 (#106907) is dropped when the runtime moves, at any version, with a warning for the inventory', () => {
    const changelog = [
      'experimental-dockershim-root-directory',
      'docker-endpoint',
      'image-pull-progress-deadline',
      'network-plugin',
      'cni-conf-dir',
      'cni-bin-dir',
      'cni-cache-dir',
      'network-plugin-mtu',
    ];
    expect(REMOVED_KUBELET_FLAGS.filter((r) => r.dockershimOnly).map((r) => r.flag)).to.have.members(changelog);
    for (const flag of changelog) expect(REMOVED_KUBELET_FLAGS.find((r) => r.flag === flag)?.source).to.include('#106907');
    const flags = Object.fromEntries(changelog.map((f) => [f, 'x']));
    expect(flagsOf('1.23', { ...flags, 'node-ip': '10.0.0.9' })).to.deep.equal([
      '  --config=/var/lib/kubelet/kubelet-config.yaml \\',
      '  --kubeconfig=/var/lib/kubelet/kubeconfig \\',
      '  --container-runtime=remote \\',
      '  --container-runtime-endpoint=unix:///run/containerd/containerd.sock \\',
      '  --node-ip=10.0.0.9',
    ]);
    expect(dockershimFlagWarnings('1.23', { '--network-plugin': 'cni' })[0]).to.match(/--network-plugin is read only by dockershim/);
    expect(dockershimFlagWarnings('1.24', { 'network-plugin': 'cni' }), 'refused there, not warned').to.deep.equal([]);
  });

  it('the table holds no row the changelog cases above do not', () => {
    for (const row of REMOVED_KUBELET_FLAGS) {
      for (const value of row.values ?? [undefined]) {
        const covered = REMOVALS.some((r) => r.flag === row.flag && r.removedIn === row.removedIn && (value === undefined || r.value === value));
        const dockershim = row.removedIn === '1.24';
        expect(covered || dockershim, `${row.flag}${value ? `=${value}` : ''} ${row.removedIn}`).to.equal(true);
        expect(row.source, row.flag).to.match(/CHANGELOG-1\.\d+|kubernetes\.io\/blog/);
      }
    }
  });

  it('in-tree providers are refused from 1.29 (DisableCloudProviders) unless the gate is turned off; external always works', () => {
    expect(thrown(() => flagsOf('1.29', { 'cloud-provider': 'gce' })).message).to.match(/in-tree cloud providers are off by default from Kubernetes 1\.29/);
    expect(flagsOf('1.29', { 'cloud-provider': 'gce', 'feature-gates': { DisableCloudProviders: false } }).join('\n')).to.include('--cloud-provider=gce');
    expect(flagsOf('1.28', { 'cloud-provider': 'gce' }).join('\n')).to.include('--cloud-provider=gce');
    expect(flagsOf('1.35', { 'cloud-provider': 'external' }).join('\n')).to.include('--cloud-provider=external');
  });

  it('refuses a cgroup-driver flag that disagrees with containerd, as the config setting is', () => {
    expect(thrown(() => flagsOf('1.27', { 'cgroup-driver': 'cgroupfs' })).message).to.match(
      /kubelet_flags\.cgroup-driver is "cgroupfs" but containerd_systemd_cgroup makes containerd use systemd/,
    );
    expect(flagsOf('1.27', { '--cgroup-driver': 'systemd' }).join('\n')).to.include('--cgroup-driver=systemd');
  });
});

describe('version matrix: containerd for a Kubernetes version (containerd RELEASES.md)', () => {
  const sandbox = 'registry.k8s.io/pause:3.10';
  // [kubernetes, containerd, older than supported?]
  const cases: [string, string, boolean][] = [
    ['1.26', '1.6.15', false],
    ['1.26', '1.6.14', true],
    ['1.28', '1.7.0', false],
    ['1.29', '1.7.10', true],
    ['1.29', '1.7.11', false],
    ['1.29', '1.6.27', false],
    ['1.30', '1.7.12', true],
    ['1.30', '2.0.0', false],
    ['1.30', '2.2.0', false],
    ['1.30', '1.5.18', true],
    ['1.31', '1.7.20', false],
    ['1.31', '1.7.19', true],
    ['1.32', '2.0.0', true],
    ['1.32', '2.0.1', false],
    ['1.33', '2.0.3', true],
    ['1.35', '1.7.24', false],
    ['1.36', '1.7.30', true],
    ['1.36', '2.0.0', false],
    ['1.23', '1.5.0', false],
  ];
  for (const [k8s, containerd, old] of cases) {
    it(`Kubernetes ${k8s} with containerd ${containerd}: ${old ? 'warns' : 'supported'}`, () => {
      const w = containerdVersionWarnings(k8s, containerd, sandbox).filter((m) => /older than what Kubernetes/.test(m));
      expect(w).to.have.length(old ? 1 : 0);
      if (old) expect(w[0]).to.match(/RELEASES\.md|kubernetes\.io\/blog/);
    });
  }

  it('warns that containerd before 1.7.0 lets kubelet garbage-collect the pause image (containerd#7944)', () => {
    expect(containerdVersionWarnings('1.25', '1.6.20', sandbox).join('\n')).to.include(`does not report its sandbox image ${sandbox} as pinned`);
    expect(containerdVersionWarnings('1.25', '1.7.0', sandbox)).to.deep.equal([]);
  });

  it('the warnings reach the run, once for many hosts', () => {
    const inv = new Inventory();
    for (const h of ['w1', 'w2']) inv.addHost('k8s_worker', h, { kubernetes_version: '1.36', containerd_version: '1.7.24' });
    const run = prepareRun({ inventory: inv.finalize(), roles: ['install-containerd'] });
    expect(run.warnings.filter((w) => /containerd 1\.7\.24 is older than what Kubernetes 1\.36 supports/.test(w))).to.have.length(1);
  });
});

describe('version matrix: what containerd releases render', () => {
  const files = (containerd_version: string) => renderHost({ containerd_version }, ['install-containerd']);
  const cni = (v: string) => {
    const f = files(v);
    const path = [...f.keys()].find((p) => p.endsWith('config.toml'))!;
    // biome-ignore lint/suspicious/noExplicitAny: parsed TOML is walked by key
    return (parseToml(f.get(path)!.content) as any).plugins['io.containerd.cri.v1.runtime']?.cni;
  };
  const unit = (v: string) => files(v).get('/etc/systemd/system/containerd.service')!.content;

  it('bin_dirs from containerd 2.1, bin_dir before (containerd 2.1 deprecates bin_dir)', () => {
    expect(cni('2.1.0')).to.deep.equal({ bin_dirs: ['/opt/cni/bin'], conf_dir: '/etc/cni/net.d' });
    expect(cni('2.0.5')).to.deep.equal({ bin_dir: '/opt/cni/bin', conf_dir: '/etc/cni/net.d' });
  });

  it('LimitNOFILE=infinity in the 1.x unit as upstream ships it, none from 2.0 (containerd#8924)', () => {
    expect(unit('1.7.24')).to.match(/^LimitNOFILE=infinity$/m);
    expect(unit('1.6.20')).to.match(/^LimitNOFILE=infinity$/m);
    expect(unit('2.0.0')).not.to.match(/LimitNOFILE/);
  });
});

describe("version matrix: runc's BinaryName names the runc that will be on the node", () => {
  const facts = (runcs: string[]) => parseNodeFacts(runcs.map((r) => `runc ${r}`).join('\n'));
  const roles = ['remove-docker', 'install-containerd'];
  const cases: { name: string; runcs: string[]; roles: string[]; layout: string; keep?: string }[] = [
    { name: 'install-runc runs: its runc', runcs: [], roles: [...roles, 'install-runc'], layout: 'packages' },
    { name: "Debian's runc stays with docker.io removed", runcs: ['/usr/sbin/runc'], roles, layout: 'packages', keep: '/usr/sbin/runc' },
    { name: "containerd.io's runc goes with docker-ce", runcs: ['/usr/bin/runc'], roles, layout: 'docker-ce' },
    {
      name: "the static archive's runc goes with static Docker",
      runcs: ['/usr/local/bin/runc', '/usr/sbin/runc'],
      roles,
      layout: 'static',
      keep: '/usr/sbin/runc',
    },
    { name: 'without remove-docker every runc stays', runcs: ['/usr/bin/runc'], roles: ['install-containerd'], layout: 'docker-ce', keep: '/usr/bin/runc' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(runtimeVars(c.runcs, { docker_layout: c.layout }, declaredBy(c.roles)).runc_binary).to.equal(c.keep);
      const vars = { runc_binary: c.keep ?? '/usr/local/sbin/runc', docker_layout: c.layout };
      const refused = preflightProblems(facts(c.runcs), vars, declaredBy(c.roles)).filter((p) => /runc handler/.test(p));
      expect(refused, refused.join()).to.have.length(c.keep || c.roles.includes('install-runc') ? 0 : 1);
    });
  }

  it('refuses a runc_binary the inventory forces when nothing is there, naming the one found', () => {
    const [p] = preflightProblems(facts(['/usr/sbin/runc']), { runc_binary: '/opt/bin/runc', docker_layout: 'packages' }, declaredBy(roles)).filter((m) =>
      /runc handler/.test(m),
    );
    expect(p)
      .to.match(/there is no runc at \/opt\/bin\/runc and no role of the host installs runc/)
      .and.match(/Set runc_binary: \/usr\/sbin\/runc/);
  });
});
