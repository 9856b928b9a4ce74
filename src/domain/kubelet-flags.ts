import { versionAtLeast } from './versions.js';

/**
 * kubelet flags that Kubernetes removed: a kubelet given one of them exits with "unknown flag".
 * Sources: Kubernetes changelogs (dockershim removal in 1.24, --container-runtime in 1.27,
 * --pod-infra-container-image in 1.35, in-tree cloud providers in 1.31).
 */
export const REMOVED_KUBELET_FLAGS: { flag: string; removedIn: string; why: string; values?: string[] }[] = [
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
    why: 'removed with dockershim; the container runtime owns CNI and images now',
  })),
  { flag: 'container-runtime', removedIn: '1.27', why: 'only remote runtimes exist; set the endpoint instead' },
  { flag: 'pod-infra-container-image', removedIn: '1.35', why: "the runtime's sandbox image (containerd_sandbox_image) is used" },
  {
    flag: 'cloud-provider',
    removedIn: '1.31',
    values: ['aws', 'azure', 'gce', 'openstack', 'vsphere'],
    why: 'the in-tree cloud providers are gone; use --cloud-provider=external and an external cloud controller',
  },
];

export type KubeletFlags = Record<string, unknown>;

function normalizeFlagName(name: string): string {
  return name.replace(/^--?/, '');
}

/** User flags the target version would refuse, as messages naming each flag. */
export function removedFlagProblems(kubernetesVersion: string, flags: KubeletFlags): string[] {
  const problems: string[] = [];
  for (const [raw, value] of Object.entries(flags ?? {})) {
    const name = normalizeFlagName(raw);
    const rule = REMOVED_KUBELET_FLAGS.find((r) => r.flag === name);
    if (!rule || !versionAtLeast(kubernetesVersion, rule.removedIn)) continue;
    if (rule.values && !rule.values.includes(String(value))) continue;
    const shown = rule.values ? `--${name}=${String(value)}` : `--${name}`;
    problems.push(`kubelet flag ${shown} was removed in Kubernetes ${rule.removedIn} (kubernetes_version is ${kubernetesVersion}): ${rule.why}`);
  }
  return problems;
}

export interface KubeletFlagInputs {
  kubernetesVersion: string;
  configFile: string;
  kubeconfig: string;
  runtimeEndpoint: string;
  userFlags: KubeletFlags;
}

/**
 * The kubelet command-line flags for a version: the runtime endpoint as flags up to 1.26 (with
 * `--container-runtime=remote`, which 1.27 removed); from 1.27 it lives in the config file.
 */
export function kubeletFlagList(input: KubeletFlagInputs): string[] {
  const flags: [string, unknown][] = [
    ['config', input.configFile],
    ['kubeconfig', input.kubeconfig],
  ];
  if (!versionAtLeast(input.kubernetesVersion, '1.27')) {
    flags.push(['container-runtime', 'remote'], ['container-runtime-endpoint', input.runtimeEndpoint]);
  }
  for (const [raw, value] of Object.entries(input.userFlags ?? {})) {
    const name = normalizeFlagName(raw);
    const at = flags.findIndex(([n]) => n === name);
    if (at >= 0) flags.splice(at, 1);
    flags.push([name, value]);
  }
  // Only null is a bare flag: an empty value stays `--name=`, or kubelet would take the next argument as its value.
  return flags.map(([name, value]) => (value === null || value === undefined ? `--${name}` : `--${name}=${formatFlagValue(value)}`));
}

function formatFlagValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  return String(value);
}

/** Settings the kubelet config file must carry for containerd; user settings merge over them. */
export function kubeletRuntimeConfig(kubernetesVersion: string, systemdCgroup: boolean, runtimeEndpoint: string): Record<string, unknown> {
  return {
    cgroupDriver: systemdCgroup ? 'systemd' : 'cgroupfs',
    ...(versionAtLeast(kubernetesVersion, '1.27') ? { containerRuntimeEndpoint: runtimeEndpoint } : {}),
  };
}
