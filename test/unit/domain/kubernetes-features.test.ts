import { expect } from 'chai';
import { cgroupDriverDecidedBy, KUBERNETES_FEATURES, kubernetesHas } from '../../../src/domain/kubernetes-features.js';
import { cgroupDriverProblem } from '../../../src/domain/kubelet-flags.js';
import { yamlSetTask } from '../../../src/tasks/yaml-set.js';
import { editedFileFact } from '../../../src/tasks/text-edit.js';
import { thrown } from '../../helpers/inventory.js';
import { prepareHost } from '../../helpers/roles.js';

/**
 * Each row as its changelog entry records it, written out here rather than read from the table, so a
 * row moved to another release fails a case.
 */
describe('version matrix: NodeLocalCRISocket (CHANGELOG-1.34, #131981: beta and on by default in 1.34)', () => {
  const kubeadmTasks = (version: string) =>
    prepareHost({ kubernetes_version: version, kubelet_layout: 'kubeadm', provision_node_name: 'w1' }, ['kubelet-config']);
  const instanceTask = "Set containerRuntimeEndpoint in kubeadm's instance config (1.34+, NodeLocalCRISocket)";

  it('the table says 1.34 and cites the changelog entry', () => {
    expect(KUBERNETES_FEATURES['node-local-cri-socket']).to.include({ gate: 'NodeLocalCRISocket', since: '1.34' });
    expect(KUBERNETES_FEATURES['node-local-cri-socket']!.source).to.match(/CHANGELOG-1\.34.*#131981/);
    expect(kubernetesHas('node-local-cri-socket', '1.33.9')).to.equal(false);
    expect(kubernetesHas('node-local-cri-socket', '1.34.0')).to.equal(true);
  });

  for (const [version, instanceConfig] of [
    ['1.33', false],
    ['1.34', true],
    ['1.35', true],
  ] as const) {
    it(`kubeadm ${version}: the CRI socket goes to ${instanceConfig ? 'instance-config.yaml, no annotation' : 'the node annotation, no instance-config.yaml'}`, () => {
      const host = kubeadmTasks(version);
      const annotate = String(host.vars.provision_cri_socket_annotate_command).trim();
      if (instanceConfig) expect(annotate).to.equal('');
      else
        expect(annotate).to.match(
          /^kubectl annotate node w1 --overwrite '?kubeadm\.alpha\.kubernetes\.io\/cri-socket=unix:\/\/\/run\/containerd\/containerd\.sock'?$/,
        );
      const names = host.roles.flatMap((r) => r.tasks.map((t) => t.name));
      expect(names.includes(instanceTask), names.join('\n')).to.equal(instanceConfig);
    });
  }

  it('instance-config.yaml is created as kubeadm writes it when missing, and edited in place when present', () => {
    const path = '/var/lib/kubelet/instance-config.yaml';
    const fact = editedFileFact(path);
    const ctx = { check: false, diff: false, backupDir: '/b' };
    const args = {
      path,
      set: { containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock' },
      create: { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration' },
    };
    const missing = new Map<string, unknown>([[fact.key, { exists: false }]]);
    const plan = yamlSetTask.plan(args, missing, ctx) as { changes: { what: string; diff?: { after: string } }[] };
    expect(plan.changes[0]!.diff!.after).to.equal(
      'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n',
    );
    const present = (content: string) =>
      new Map<string, unknown>([[fact.key, { exists: true, type: 'regular file', mode: '0644', owner: 'root', group: 'root', content }]]);
    const kubeadm = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoint: unix:///run/cri-dockerd.sock\n';
    const edit = yamlSetTask.plan(args, present(kubeadm), ctx) as { changes: { diff?: { after: string } }[] };
    expect(edit.changes[0]!.diff!.after).to.equal(kubeadm.replace('unix:///run/cri-dockerd.sock', 'unix:///run/containerd/containerd.sock'));
    expect(yamlSetTask.plan(args, present(edit.changes[0]!.diff!.after), ctx)).to.have.property('noop');
  });
});

describe('version matrix: KubeletCgroupDriverFromCRI (beta and on by default in 1.31; containerd answers from 2.0)', () => {
  // [kubernetes, containerd, who decides]
  const cases: [string, string, 'containerd' | 'kubelet'][] = [
    ['1.30', '2.0.0', 'kubelet'],
    ['1.31', '1.7.24', 'kubelet'],
    ['1.31', '2.0.0', 'containerd'],
    ['1.34', '2.1.4', 'containerd'],
    ['1.35', '1.7.30', 'kubelet'],
  ];
  for (const [k8s, containerd, who] of cases) {
    it(`kubelet ${k8s} with containerd ${containerd}: ${who}'s driver wins, and the refusal says so`, () => {
      expect(cgroupDriverDecidedBy(k8s, containerd)).to.equal(who);
      const problem = cgroupDriverProblem('kubelet_config.cgroupDriver', 'cgroupfs', true, { kubernetes: k8s, containerd })!;
      expect(problem).to.match(who === 'containerd' ? /containerd's wins and kubelet's own cgroupDriver is ignored/ : /kubelet's wins and must match/);
    });
  }

  it('the table says 1.31 and cites its source', () => {
    expect(KUBERNETES_FEATURES['cgroup-driver-from-cri']).to.include({ gate: 'KubeletCgroupDriverFromCRI', since: '1.31' });
    expect(KUBERNETES_FEATURES['cgroup-driver-from-cri']!.source).to.match(/kubernetes\.io\/blog\/2024\/08\/21/);
  });

  it('an inventory that disagrees is refused before anything connects, naming which driver wins', () => {
    const e = thrown(() =>
      prepareHost({ kubernetes_version: '1.32', containerd_version: '2.0.4', kubelet_config: { cgroupDriver: 'cgroupfs' } }, ['kubelet-config']),
    );
    expect(e.message).to.match(/kubelet 1\.32 takes its cgroup driver from containerd 2\.0\.4 \(KubeletCgroupDriverFromCRI, on from 1\.31/);
  });
});
