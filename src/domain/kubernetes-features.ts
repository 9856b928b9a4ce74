import { parseVersion, versionAtLeast } from './versions.js';

/**
 * Kubernetes behaviours that changed where a migrated node keeps its runtime settings, each from the
 * release where it is on by default (a feature gate's beta or GA with default true). Templates ask
 * `kubernetesHas`; the README's version tables are generated from these rows.
 */
export interface KubernetesFeature {
  /** The feature gate, as Kubernetes names it. */
  gate: string;
  /** The release from which it is on by default. */
  since: string;
  /** What provision does from that release on, and before it. */
  effect: string;
  source: string;
}

export const KUBERNETES_FEATURES: Record<string, KubernetesFeature> = {
  'node-local-cri-socket': {
    gate: 'NodeLocalCRISocket',
    since: '1.34',
    effect:
      "kubeadm reads the node's CRI socket from /var/lib/kubelet/instance-config.yaml (containerRuntimeEndpoint), which the kubelet role sets; before it, from the node annotation kubeadm.alpha.kubernetes.io/cri-socket, which provision_cri_socket_annotate_command sets (kubeadm removes the annotation when it upgrades to 1.34)",
    source:
      'CHANGELOG-1.34: "Kubeadm: graduated the NodeLocalCRISocket feature gate to beta and enabed it by default. When its enabled, kubeadm will: 1. Generate a /var/lib/kubelet/instance-config.yaml file ... 2. Remove the kubeadm.alpha.kubernetes.io/cri-socket annotation from nodes during upgrade operations" (#131981); alpha in 1.32',
  },
  'cgroup-driver-from-cri': {
    gate: 'KubeletCgroupDriverFromCRI',
    since: '1.31',
    effect:
      "kubelet asks the runtime for its cgroup driver; containerd 2.x answers (from its default handler's SystemdCgroup), so kubelet's own cgroupDriver is ignored; containerd 1.x does not answer and kubelet's cgroupDriver decides, as before 1.31",
    source:
      'https://kubernetes.io/blog/2024/08/21/cri-cgroup-driver-lookup-now-beta/ ("as of v1.31.0, this feature is now beta"; "containerd: Support was added in v2.0.0"); feature gate page: alpha 1.28-1.30 (default false), beta from 1.31 (default true); GA in 1.34; containerd#8722 (RuntimeConfig: the default handler first)',
  },
};

/** containerd answers kubelet's RuntimeConfig call (the cgroup driver) from this release. */
export const CONTAINERD_ANSWERS_CGROUP_DRIVER = { since: '2.0.0', source: 'containerd#8722 "Implement RuntimeConfig CRI call" (v2.0.0)' };

export function kubernetesHas(feature: string, kubernetesVersion: string): boolean {
  const f = KUBERNETES_FEATURES[feature];
  if (!f) throw new Error(`unknown Kubernetes feature "${feature}"`);
  // Not a version: kubernetes_version's own type check refuses it, naming it; a template asking here must not fail first.
  return parseVersion(kubernetesVersion) !== undefined && versionAtLeast(kubernetesVersion, f.since);
}

/**
 * Which setting decides the cgroup driver kubelet uses, for a pair of versions: containerd's answer
 * from the Kubernetes release that asks (KubeletCgroupDriverFromCRI) when containerd answers, else
 * kubelet's own cgroupDriver.
 */
export function cgroupDriverDecidedBy(kubernetesVersion: string, containerdVersion: string): 'containerd' | 'kubelet' {
  return kubernetesHas('cgroup-driver-from-cri', kubernetesVersion) && versionAtLeast(containerdVersion, CONTAINERD_ANSWERS_CGROUP_DRIVER.since)
    ? 'containerd'
    : 'kubelet';
}
