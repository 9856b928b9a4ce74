import { versionAtLeast } from './versions.js';

/**
 * kubelet flags that Kubernetes removed: a kubelet given one of them exits with "unknown flag"
 * (or, for a removed value, refuses to start). Each row names where the removal is recorded.
 */
export interface RemovedFlag {
  flag: string;
  removedIn: string;
  why: string;
  /** Only these values were removed (the flag itself stays, e.g. --cloud-provider=external). */
  values?: string[];
  source: string;
  /**
   * Read only by dockershim: kubelet on a CRI runtime ignores it before its removal, so it is dropped
   * from every flag source when the runtime moves, whatever the version (a 1.23 node keeping
   * `--network-plugin=cni` cannot start the 1.24 kubelet its upgrade brings).
   */
  dockershimOnly?: true;
}

const DOCKERSHIM =
  'CHANGELOG-1.24: "Kubelet: the following dockershim related flags are also removed along with dockershim --experimental-dockershim-root-directory, --docker-endpoint, --image-pull-progress-deadline, --network-plugin, --cni-conf-dir, --cni-bin-dir, --cni-cache-dir, --network-plugin-mtu" (#106907, KEP-2221)';
const KLOG = 'CHANGELOG-1.26: klog flags removed from the kubelet (#112120, KEP-2845 "deprecate klog specific flags")';

export const REMOVED_KUBELET_FLAGS: RemovedFlag[] = [
  ...[
    'docker-endpoint',
    'experimental-dockershim-root-directory',
    'image-pull-progress-deadline',
    'network-plugin',
    'cni-conf-dir',
    'cni-bin-dir',
    'cni-cache-dir',
    'network-plugin-mtu',
  ].map((flag) => ({
    flag,
    removedIn: '1.24',
    why: 'read only by dockershim (the container runtime owns CNI and images): dropped from kubeadm-flags.env, /etc/default/kubelet and the unit when the runtime moves, at any version',
    source: DOCKERSHIM,
    dockershimOnly: true as const,
  })),
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
  ].map((flag) => ({
    flag,
    removedIn: '1.26',
    why: 'klog flags are gone: kubelet logs to stderr and journald keeps it (use logging.format / -v for the rest)',
    source: KLOG,
  })),
  {
    flag: 'container-runtime',
    removedIn: '1.27',
    why: 'only remote runtimes exist; set the endpoint instead',
    source: 'CHANGELOG-1.27: "--container-runtime" removed from the kubelet (remote is the only runtime since dockershim left)',
  },
  {
    flag: 'keep-terminated-pod-volumes',
    removedIn: '1.31',
    why: 'deprecated since 2017 and removed',
    source: 'CHANGELOG-1.31 Urgent Upgrade Notes: "Kubelet flag --keep-terminated-pod-volumes was removed" (#122082)',
  },
  {
    flag: 'register-schedulable',
    removedIn: '1.34',
    why: 'register the node with a taint instead (--register-with-taints or registerWithTaints in the config file)',
    source: 'CHANGELOG-1.34: "Removed the deprecated --register-schedulable command line argument from the kubelet" (#122384)',
  },
  {
    flag: 'cloud-config',
    removedIn: '1.34',
    why: 'the in-tree cloud providers that read it are gone; the external cloud controller reads its own config',
    source: 'CHANGELOG-1.34: "Kubelet: removed the deprecated flag --cloud-config from the command line" (#130161)',
  },
  {
    flag: 'pod-infra-container-image',
    removedIn: '1.35',
    why: "the runtime's sandbox image (containerd_sandbox_image) is used",
    source: 'https://kubernetes.io/blog/2025/12/17/kubernetes-v1-35-release/ (kubelet --pod-infra-container-image removed)',
  },
  // In-tree cloud providers, removed one by one (KEP-2395); --cloud-provider=external stays.
  {
    flag: 'cloud-provider',
    values: ['openstack'],
    removedIn: '1.26',
    why: 'the in-tree OpenStack provider is gone; use --cloud-provider=external with cloud-provider-openstack',
    source: 'CHANGELOG-1.26: in-tree OpenStack cloud provider removed (KEP-2395)',
  },
  {
    flag: 'cloud-provider',
    values: ['aws'],
    removedIn: '1.27',
    why: 'the in-tree AWS provider is gone; use --cloud-provider=external with cloud-provider-aws',
    source: 'CHANGELOG-1.27: in-tree AWS cloud provider removed (KEP-2395)',
  },
  {
    flag: 'cloud-provider',
    values: ['azure'],
    removedIn: '1.30',
    why: 'the in-tree Azure provider is gone; use --cloud-provider=external with cloud-provider-azure',
    source: 'CHANGELOG-1.30: in-tree Azure cloud provider removed (KEP-2395)',
  },
  {
    flag: 'cloud-provider',
    values: ['gce', 'vsphere'],
    removedIn: '1.31',
    why: 'the last in-tree cloud providers are gone; use --cloud-provider=external and an external cloud controller',
    source: 'https://kubernetes.io/blog/2024/08/13/kubernetes-v1-31-release/ (removal of all in-tree cloud provider integrations, KEP-2395)',
  },
];

/**
 * In-tree providers still compiled in but off by default: the DisableCloudProviders gate is on
 * from 1.29, so kubelet refuses them unless the gate is turned off.
 */
export const IN_TREE_PROVIDERS_OFF = {
  since: '1.29',
  values: REMOVED_KUBELET_FLAGS.filter((r) => r.flag === 'cloud-provider').flatMap((r) => r.values ?? []),
  gate: 'DisableCloudProviders',
  source: 'https://kubernetes.io/blog/2023/12/14/cloud-provider-integration-changes/ (DisableCloudProviders on by default in 1.29)',
};

/** The rule that removes `--flag[=value]` in `version`, if any. */
export function removedFlagRule(flag: string, value: unknown, version: string): RemovedFlag | undefined {
  return REMOVED_KUBELET_FLAGS.find((r) => r.flag === flag && versionAtLeast(version, r.removedIn) && (!r.values || r.values.includes(String(value ?? ''))));
}

/** Whether `--flag` was read only by dockershim (dropped when the runtime moves to containerd, at any version). */
export function dockershimOnlyFlag(flag: string): boolean {
  const name = flag.replace(/^--?/, '').split('=')[0];
  return REMOVED_KUBELET_FLAGS.some((r) => r.dockershimOnly && r.flag === name);
}
