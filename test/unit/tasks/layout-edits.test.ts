import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { editEnvFlags } from '../../../src/tasks/env-flags.js';
import { setTopLevel } from '../../../src/tasks/yaml-set.js';
import { envFlagsTask } from '../../../src/tasks/env-flags.js';
import { editedFileFact } from '../../../src/tasks/text-edit.js';

const KUBEADM_CONFIG = readFileSync(new URL('../../fleet/layouts/kubeadm-config.yaml', import.meta.url), 'utf8');
const V = 'KUBELET_KUBEADM_ARGS';

describe('env_flags: kubeadm-flags.env edited in place', () => {
  const cases: { name: string; before: string; edits: Parameters<typeof editEnvFlags>[2]; after: string }[] = [
    {
      name: '1.23 docker node to containerd: runtime flags replaced in place, removed ones dropped',
      before: `${V}="--container-runtime=docker --network-plugin=cni --pod-infra-container-image=registry.k8s.io/pause:3.6"\n`,
      edits: { set: { 'container-runtime': 'remote', 'container-runtime-endpoint': 'unix:///run/containerd/containerd.sock' }, remove: [], removedIn: '1.23' },
      after: `${V}="--container-runtime=remote --network-plugin=cni --pod-infra-container-image=registry.k8s.io/pause:3.6 --container-runtime-endpoint=unix:///run/containerd/containerd.sock"\n`,
    },
    {
      name: '1.26 cri-dockerd node: the endpoint moves, --network-plugin (removed in 1.24) goes',
      before: `# kubeadm wrote this\n${V}="--container-runtime=remote --container-runtime-endpoint=unix:///run/cri-dockerd.sock --network-plugin=cni"\nOTHER=1\n`,
      edits: { set: { 'container-runtime': 'remote', 'container-runtime-endpoint': 'unix:///run/containerd/containerd.sock' }, remove: [], removedIn: '1.26' },
      after: `# kubeadm wrote this\n${V}="--container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock"\nOTHER=1\n`,
    },
    {
      name: '1.29: the endpoint flag leaves for config.yaml, --container-runtime (removed 1.27) goes, the rest stays',
      before: `${V}="--container-runtime-endpoint=unix:///run/cri-dockerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9 --node-ip=10.0.0.9"\n`,
      edits: { set: {}, remove: ['container-runtime-endpoint'], removedIn: '1.29' },
      after: `${V}="--pod-infra-container-image=registry.k8s.io/pause:3.9 --node-ip=10.0.0.9"\n`,
    },
    {
      name: '1.35 drops --pod-infra-container-image; --cloud-provider=external is kept',
      before: `${V}="--pod-infra-container-image=registry.k8s.io/pause:3.9 --cloud-provider=external"\n`,
      edits: { set: {}, remove: [], removedIn: '1.35' },
      after: `${V}="--cloud-provider=external"\n`,
    },
    {
      name: '1.23 kubeadm node: every dockershim-only flag goes when the runtime moves, though 1.23 still accepts them',
      before: `${V}="--container-runtime=docker --network-plugin=cni --cni-bin-dir=/opt/cni/bin --node-ip=10.0.0.9"\n`,
      edits: { set: { 'container-runtime': 'remote' }, remove: [], removedIn: '1.23', dropDockershim: true },
      after: `${V}="--container-runtime=remote --node-ip=10.0.0.9"\n`,
    },
    {
      name: "/etc/default/kubelet's KUBELET_EXTRA_ARGS: dockershim's flags go, the operator's stay",
      before: `KUBELET_EXTRA_ARGS="--network-plugin-mtu=1460 --image-pull-progress-deadline=2m --max-pods=50"\n`,
      edits: { set: {}, remove: [], removedIn: '1.23', dropDockershim: true },
      after: `KUBELET_EXTRA_ARGS="--max-pods=50"\n`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const variable = c.before.startsWith('KUBELET_EXTRA_ARGS') ? 'KUBELET_EXTRA_ARGS' : V;
      const { after } = editEnvFlags(c.before, variable, c.edits);
      expect(after).to.equal(c.after);
      expect(editEnvFlags(after, variable, c.edits).what, 'a second edit changes nothing').to.deep.equal([]);
    });
  }

  it('refuses a value the file cannot carry', () => {
    expect(() => editEnvFlags(`${V}=""\n`, V, { set: { 'node-labels': 'a=b c' }, remove: [] })).to.throw(/cannot carry/);
  });

  it('plans nothing on a file already as wanted, and an edit with a diff otherwise', () => {
    const path = '/var/lib/kubelet/kubeadm-flags.env';
    const fact = editedFileFact(path);
    const facts = (content: string) =>
      new Map<string, unknown>([[fact.key, { exists: true, type: 'regular file', mode: '0644', owner: 'root', group: 'root', content }]]);
    const args = { path, variable: V, remove: ['container-runtime-endpoint'], drop_removed_kubelet_flags: '1.29' };
    const ctx = { check: false, diff: false, backupDir: '/b' };
    expect(envFlagsTask.plan(args, facts(`${V}="--v=2"\n`), ctx)).to.have.property('noop');
    const plan = envFlagsTask.plan(args, facts(`${V}="--container-runtime=docker --v=2"\n`), ctx) as { changes: { what: string; diff?: { after: string } }[] };
    expect(plan.changes[0]!.what).to.equal(`edit ${path}: drop --container-runtime=docker`);
    expect(plan.changes[0]!.diff!.after).to.equal(`${V}="--v=2"\n`);
  });
});

describe("yaml_set: kubeadm's config.yaml keeps every other byte", () => {
  it('appends containerRuntimeEndpoint to the config kubeadm wrote, changing no other line', () => {
    const { after } = setTopLevel(KUBEADM_CONFIG, { containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock' }, 'config.yaml');
    expect(after.startsWith(KUBEADM_CONFIG)).to.equal(true);
    expect(after.slice(KUBEADM_CONFIG.length)).to.equal('containerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n');
    expect(setTopLevel(after, { containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock' }, 'c').what).to.deep.equal([]);
  });

  it('replaces an existing one-line value in place', () => {
    const text = KUBEADM_CONFIG.replace(
      'cgroupDriver: systemd\n',
      'cgroupDriver: systemd\ncontainerRuntimeEndpoint: "unix:///run/cri-dockerd.sock" # kubeadm\n',
    );
    const { after } = setTopLevel(text, { containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock' }, 'c');
    expect(after).to.equal(
      KUBEADM_CONFIG.replace('cgroupDriver: systemd\n', 'cgroupDriver: systemd\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n'),
    );
    expect(parse(after).containerRuntimeEndpoint).to.equal('unix:///run/containerd/containerd.sock');
  });

  it('refuses what it cannot edit in place: a block value, or invalid YAML', () => {
    expect(() => setTopLevel('authorization:\n  mode: Webhook\n', { authorization: 'x' }, 'c')).to.throw(/not a one-line scalar/);
    expect(() => setTopLevel('a: [\n', { b: 'x' }, 'c')).to.throw(/not valid YAML/);
  });
});
