import { compareVersions, parseVersion, versionAtLeast } from './versions.js';

/**
 * The containerd releases recommended for each Kubernetes minor: per release line, the lowest
 * patch. From containerd's RELEASES.md "Kubernetes Support" table (rows kept as the revision
 * that last listed them) and, for 1.36, Kubernetes' own announcement.
 */
export const KUBERNETES_CONTAINERD_SUPPORT: { kubernetes: string; containerd: string[]; source: string }[] = [
  { kubernetes: '1.24', containerd: ['1.7.0', '1.6.4'], source: 'containerd RELEASES.md (2023 revision): 1.24 | 1.7.0+, 1.6.4+' },
  { kubernetes: '1.25', containerd: ['1.7.0', '1.6.4'], source: 'containerd RELEASES.md (2023 revision): 1.25 | 1.7.0+, 1.6.4+' },
  { kubernetes: '1.26', containerd: ['1.7.0', '1.6.15'], source: 'containerd RELEASES.md: 1.26 | 1.7.0+, 1.6.15+ (CRI v1 only)' },
  { kubernetes: '1.27', containerd: ['1.7.0', '1.6.15'], source: 'containerd RELEASES.md (containerd.io#213): 1.27 | 1.7.0+, 1.6.15+' },
  { kubernetes: '1.28', containerd: ['1.7.0', '1.6.15'], source: 'containerd RELEASES.md (containerd.io#213): 1.28 | 1.7.0+, 1.6.15+' },
  { kubernetes: '1.29', containerd: ['1.7.11', '1.6.27'], source: 'containerd RELEASES.md: 1.29 | 1.7.11+, 1.6.27+' },
  { kubernetes: '1.30', containerd: ['2.1.0', '2.0.0', '1.7.13', '1.6.28'], source: 'containerd RELEASES.md: 1.30 | 2.1.0+, 2.0.0+, 1.7.13+, 1.6.28+' },
  { kubernetes: '1.31', containerd: ['2.1.0', '2.0.0', '1.7.20', '1.6.34'], source: 'containerd RELEASES.md: 1.31 | 2.1.0+, 2.0.0+, 1.7.20+, 1.6.34+' },
  { kubernetes: '1.32', containerd: ['2.1.0', '2.0.1', '1.7.24', '1.6.36'], source: 'containerd RELEASES.md: 1.32 | 2.1.0+, 2.0.1+, 1.7.24+, 1.6.36+' },
  { kubernetes: '1.33', containerd: ['2.1.0', '2.0.4', '1.7.24', '1.6.36'], source: 'containerd RELEASES.md: 1.33 | 2.1.0+, 2.0.4+, 1.7.24+, 1.6.36+' },
  {
    kubernetes: '1.36',
    containerd: ['2.0.0'],
    source: 'https://kubernetes.io/blog/2025/12/17/kubernetes-v1-35-release/: 1.35 is the last release to support containerd 1.x',
  },
];

/** containerd behaviours that changed between releases; templates ask `containerdHas`. */
export const CONTAINERD_FEATURES: Record<string, { since: string; source: string }> = {
  /** `[...cni] bin_dirs = [...]`; `bin_dir` logs a deprecation warning from 2.1 and goes in 2.3. */
  'cni-bin-dirs': {
    since: '2.1.0',
    source:
      'containerd v2.1 deprecation: "The `bin_dir` property of [plugins."io.containerd.cri.v1.runtime".cni] is deprecated since containerd v2.1 ... Use `bin_dirs`"',
  },
  /** The upstream unit dropped LimitNOFILE=infinity; 1.6 and 1.7 ship it. */
  'unit-default-nofile': {
    since: '2.0.0',
    source: 'containerd#8924 "Remove LimitNOFILE from containerd.service" (v2.0.0); containerd.service of 1.7 has LimitNOFILE=infinity',
  },
  /**
   * `imports = ["<dir>/*.toml"]` in the config provision writes, so drop-ins other tools write (the NVIDIA
   * toolkit's `nvidia-ctk runtime configure`, the GPU operator, agents) are read on every version, not
   * only from 2.2 where containerd's own default config lists them.
   */
  'config-imports': {
    since: '1.6.0',
    source:
      'containerd-config.toml.5 "imports: Imports is a list of additional configuration files to include ... vendors may keep a custom runtime configuration in a separate file" (version 2 configs); a glob import merged by `containerd config dump` of containerd 1.6.20 (Debian 12), checked 2026-12-02',
  },
  /**
   * An imported drop-in merges into the main config key by key, its values winning; before 2.0 a drop-in's
   * [plugins."<id>"] replaced that plugin's whole section (1.6.20's config dump: one added handler dropped the others).
   */
  'imports-merge-keys': {
    since: '2.0.0',
    source:
      'containerd#9982 "Allow sections of Plugins to be merged, and not overwritten as entire sections" (v2.0.0): mergeConfig in cmd/containerd/server/config/config.go no longer replaces `to.Plugins[k]`; 1.x replaced it (containerd#5837)',
  },
  /** The CRI plugin reports the sandbox image as pinned, so kubelet's image GC keeps it. */
  'pinned-sandbox-image': { since: '1.7.0', source: 'containerd#7944 "CRI Pinned image support" (v1.7.0), closing containerd#6352' },
};

/**
 * Drop-in files containerd imports besides its config file: the default config lists them from 2.2,
 * so `containerd config dump` reads them too. Whatever the version, they are counted among the dump's inputs.
 */
export const CONTAINERD_DROPIN_IMPORTS = {
  glob: '/etc/containerd/conf.d/*.toml',
  since: '2.2.0',
  source: 'containerd#12323 "Add conf.d include in the default config" (v2.2.0): imports = [\'/etc/containerd/conf.d/*.toml\']',
};

export function containerdHas(feature: string, containerdVersion: string): boolean {
  const f = CONTAINERD_FEATURES[feature];
  if (!f) throw new Error(`unknown containerd feature "${feature}"`);
  return versionAtLeast(containerdVersion, f.since);
}

const line = (v: string) => parseVersion(v)!.slice(0, 2).join('.');

/**
 * Warnings (not refusals: containerd's table is a recommendation) when `containerd_version` is
 * older than what the target Kubernetes version is tested with, or old enough that kubelet may
 * garbage-collect the pause image.
 */
export function containerdVersionWarnings(kubernetesVersion: string, containerdVersion: string, sandboxImage: string): string[] {
  const warnings: string[] = [];
  const row = [...KUBERNETES_CONTAINERD_SUPPORT].reverse().find((r) => versionAtLeast(kubernetesVersion, r.kubernetes));
  if (row) {
    const same = row.containerd.find((m) => line(m) === line(containerdVersion));
    const newerLine = row.containerd.every((m) => compareVersions(`${line(containerdVersion)}.0`, `${line(m)}.0`) > 0);
    if (same ? !versionAtLeast(containerdVersion, same) : !newerLine) {
      warnings.push(
        `containerd ${containerdVersion} is older than what Kubernetes ${kubernetesVersion} supports (${row.containerd.map((m) => `${m}+`).join(', ')}; ${row.source}): set containerd_version to a supported release`,
      );
    }
  }
  if (!containerdHas('pinned-sandbox-image', containerdVersion)) {
    warnings.push(
      `containerd ${containerdVersion} does not report its sandbox image ${sandboxImage} as pinned (pinning came in ${CONTAINERD_FEATURES['pinned-sandbox-image']!.since}): ` +
        "kubelet's image garbage collection may delete it, and pods cannot start while its registry is out of reach",
    );
  }
  return warnings;
}
