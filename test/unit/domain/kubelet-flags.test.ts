import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { ErrorList, ValidationError } from '../../../src/core/errors.js';
import { REMOVED_KUBELET_FLAGS } from '../../../src/domain/kubelet-removed-flags.js';
import { thrown } from '../../helpers/inventory.js';
import { renderHost } from '../../helpers/roles.js';

function kubeletFiles(version: string, vars: Record<string, unknown> = {}) {
  const files = renderHost({ kubernetes_version: version, ...vars }, ['kubelet-config']);
  const unit = files.get('/etc/systemd/system/kubelet.service')!.content;
  const flags = unit
    .split('\n')
    .filter((l) => /^\s+--/.test(l))
    .map((l) => l.trim().replace(/ \\$/, ''));
  const config = parseYaml(files.get('/var/lib/kubelet/kubelet-config.yaml')!.content);
  return { unit, flags, config };
}

const endpoint = 'unix:///run/containerd/containerd.sock';
const base = ['--config=/var/lib/kubelet/kubelet-config.yaml', '--kubeconfig=/var/lib/kubelet/kubeconfig'];

describe('kubelet flags by Kubernetes version', () => {
  const table: [string, string[], string | undefined][] = [
    ['1.23', [...base, '--container-runtime=remote', `--container-runtime-endpoint=${endpoint}`], undefined],
    ['1.24', [...base, '--container-runtime=remote', `--container-runtime-endpoint=${endpoint}`], undefined],
    ['1.26', [...base, '--container-runtime=remote', `--container-runtime-endpoint=${endpoint}`], undefined],
    ['1.27', base, endpoint],
    ['1.35', base, endpoint],
  ];
  for (const [version, flags, configEndpoint] of table) {
    it(`${version}: ${flags.length - 2} runtime flags, endpoint ${configEndpoint ? 'in the config file' : 'as a flag'}`, () => {
      const k = kubeletFiles(version);
      expect(k.flags).to.deep.equal(flags);
      expect(k.config.containerRuntimeEndpoint).to.equal(configEndpoint);
      expect(k.config.cgroupDriver).to.equal('systemd');
      expect(k.unit)
        .to.match(/^After=containerd\.service$/m)
        .and.match(/^Requires=containerd\.service$/m);
      expect(k.unit).not.to.match(/docker/);
    });
  }

  it('never renders a flag the target version removed', () => {
    for (const version of ['1.23', '1.24', '1.26', '1.27', '1.31', '1.35']) {
      const { flags } = kubeletFiles(version, { kubelet_flags: { 'node-ip': '10.0.0.9', v: 2 } });
      for (const rule of REMOVED_KUBELET_FLAGS) {
        const removed = Number(rule.removedIn.split('.')[1]) <= Number(version.split('.')[1]);
        if (removed)
          expect(
            flags.some((f) => f.startsWith(`--${rule.flag}=`) || f === `--${rule.flag}`),
            `${rule.flag} in ${version}`,
          ).to.equal(false);
      }
      expect(flags).to.include('--node-ip=10.0.0.9').and.include('--v=2');
    }
  });

  it('follows containerd_systemd_cgroup for cgroupDriver', () => {
    expect(kubeletFiles('1.27', { containerd_systemd_cgroup: false }).config.cgroupDriver).to.equal('cgroupfs');
  });

  it('merges kubelet_config over the defaults, so operators keep their settings', () => {
    const { config } = kubeletFiles('1.27', {
      kubelet_config: { clusterDNS: ['10.32.0.10'], maxPods: 150, authentication: { x509: { clientCAFile: '/etc/k/ca.pem' } } },
    });
    expect(config).to.deep.include({ clusterDNS: ['10.32.0.10'], maxPods: 150, kind: 'KubeletConfiguration' });
    expect(config.authentication).to.deep.equal({ anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: '/etc/k/ca.pem' } });
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['1.24', { 'network-plugin': 'cni' }, /kubelet flag --network-plugin was removed in Kubernetes 1\.24 \(kubernetes_version is 1\.24\)/],
    ['1.24', { '--docker-endpoint': 'unix:///var/run/docker.sock' }, /--docker-endpoint was removed in Kubernetes 1\.24/],
    ['1.27', { 'container-runtime': 'remote' }, /--container-runtime was removed in Kubernetes 1\.27/],
    ['1.35', { 'pod-infra-container-image': 'registry.k8s.io/pause:3.9' }, /--pod-infra-container-image was removed in Kubernetes 1\.35/],
    ['1.31', { 'cloud-provider': 'aws' }, /--cloud-provider=aws was removed in Kubernetes 1\.27/],
  ];
  for (const [version, flags, message] of refused) {
    it(`refuses ${Object.keys(flags)[0]} for ${version}, naming the flag`, () => {
      const e = thrown(() => kubeletFiles(version, { kubelet_flags: flags }));
      expect(e).to.be.instanceOf(ValidationError);
      expect(e.message).to.match(message);
      expect(e.host).to.equal('node1');
    });
  }

  it('accepts what the version still has: --keep-terminated-pod-volumes on 1.30, --cloud-provider=external on 1.31; dockershim-only flags never reach the unit', () => {
    expect(kubeletFiles('1.30', { kubelet_flags: { 'keep-terminated-pod-volumes': null } }).flags).to.include('--keep-terminated-pod-volumes');
    expect(kubeletFiles('1.23', { kubelet_flags: { 'network-plugin': 'cni' } }).flags).not.to.include('--network-plugin=cni');
    expect(kubeletFiles('1.31', { kubelet_flags: { 'cloud-provider': 'external' } }).flags).to.include('--cloud-provider=external');
  });

  it('reports every problem of a host at once', () => {
    const e = thrown(() => kubeletFiles('1.27', { kubelet_flags: { 'network-plugin': 'cni', 'container-runtime': 'remote' } }));
    expect(e).to.be.instanceOf(ErrorList);
    expect((e as unknown as ErrorList).errors).to.have.length(2);
  });
});
