import { dockershimOnlyFlag, IN_TREE_PROVIDERS_OFF, removedFlagRule } from './kubelet-removed-flags.js';
import { CONTAINERD_ANSWERS_CGROUP_DRIVER, cgroupDriverDecidedBy, KUBERNETES_FEATURES } from './kubernetes-features.js';
import { versionAtLeast } from './versions.js';

export type KubeletFlags = Record<string, unknown>;

function normalizeFlagName(name: string): string {
  return name.replace(/^--?/, '');
}

/** User flags the target version would refuse, as messages naming each flag and why. */
export function removedFlagProblems(kubernetesVersion: string, flags: KubeletFlags): string[] {
  const problems: string[] = [];
  const entries = Object.entries(flags ?? {}).map(([raw, value]) => [normalizeFlagName(raw), value] as const);
  for (const [name, value] of entries) {
    const rule = removedFlagRule(name, value, kubernetesVersion);
    if (rule) {
      const shown = rule.values ? `--${name}=${String(value)}` : `--${name}`;
      problems.push(`kubelet flag ${shown} was removed in Kubernetes ${rule.removedIn} (kubernetes_version is ${kubernetesVersion}): ${rule.why}`);
      continue;
    }
    const gates = formatFlagValue(entries.find(([n]) => n === 'feature-gates')?.[1] ?? '');
    if (
      name === 'cloud-provider' &&
      IN_TREE_PROVIDERS_OFF.values.includes(String(value)) &&
      versionAtLeast(kubernetesVersion, IN_TREE_PROVIDERS_OFF.since) &&
      !new RegExp(`(^|,)\\s*${IN_TREE_PROVIDERS_OFF.gate}=false`).test(gates)
    ) {
      problems.push(
        `kubelet flag --cloud-provider=${String(value)}: in-tree cloud providers are off by default from Kubernetes ${IN_TREE_PROVIDERS_OFF.since} ` +
          `(kubernetes_version is ${kubernetesVersion}); use --cloud-provider=external, or set feature-gates ${IN_TREE_PROVIDERS_OFF.gate}=false until you move`,
      );
    }
  }
  return problems;
}

/**
 * Flags in kubelet_flags that only dockershim read, before the version that refuses them: the unit
 * written for containerd leaves them out, so the next kubelet upgrade starts.
 */
export function dockershimFlagWarnings(kubernetesVersion: string, flags: KubeletFlags): string[] {
  return Object.keys(flags ?? {})
    .map(normalizeFlagName)
    .filter((name) => dockershimOnlyFlag(name) && !removedFlagRule(name, undefined, kubernetesVersion))
    .map(
      (name) =>
        `kubelet_flags: --${name} is read only by dockershim: it is left out of the kubelet unit written for containerd (kubelet ${kubernetesVersion} ignores it there, and 1.24 refuses it); remove it from the inventory`,
    );
}

/**
 * kubelet and containerd must agree on the cgroup driver, or pods fail to start. With `versions`, the
 * message says which one wins for that pair (KubeletCgroupDriverFromCRI, src/domain/kubernetes-features.ts).
 */
export function cgroupDriverProblem(
  setting: string,
  driver: unknown,
  systemdCgroup: boolean,
  versions?: { kubernetes: string; containerd: string },
): string | undefined {
  const expected = systemdCgroup ? 'systemd' : 'cgroupfs';
  if (driver === undefined || driver === expected) return undefined;
  const wins = versions ? ` (${cgroupDriverWinner(versions.kubernetes, versions.containerd)})` : '';
  return (
    `${setting} is "${String(driver)}" but containerd_systemd_cgroup makes containerd use ${expected}${wins}: ` +
    'they must match (pods fail with "expected cgroupsPath to be of format slice:prefix:name"); set containerd_systemd_cgroup instead'
  );
}

/** Which driver setting kubelet follows for a pair of versions, as words for a message. */
export function cgroupDriverWinner(kubernetesVersion: string, containerdVersion: string): string {
  const gate = KUBERNETES_FEATURES['cgroup-driver-from-cri']!;
  return cgroupDriverDecidedBy(kubernetesVersion, containerdVersion) === 'containerd'
    ? `kubelet ${kubernetesVersion} takes its cgroup driver from containerd ${containerdVersion} (${gate.gate}, on from ${gate.since}; containerd answers from ${CONTAINERD_ANSWERS_CGROUP_DRIVER.since}), so containerd's wins and kubelet's own cgroupDriver is ignored`
    : `kubelet ${kubernetesVersion} with containerd ${containerdVersion} uses its own cgroupDriver (${gate.gate} ${versionAtLeast(kubernetesVersion, gate.since) ? `gets no answer from containerd before ${CONTAINERD_ANSWERS_CGROUP_DRIVER.since}` : `is on only from ${gate.since}`}), so kubelet's wins and must match containerd's`;
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
    // The unit is for containerd: what only dockershim read never reaches it (dockershimFlagWarnings says so).
    if (dockershimOnlyFlag(name)) continue;
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
