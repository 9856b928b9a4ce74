import type { Vars } from '../inventory/inventory.js';
import { versionAtLeast } from './versions.js';
import type { NodeFacts } from './node-layouts-probe.js';
import { detectKubeletLayout, runcRemovedWithDocker } from './node-layouts.js';

/**
 * What would break a host halfway, known from its facts before anything is touched. Each check
 * says what it found and how to proceed; `provision preflight` and every apply run them first.
 */
/**
 * What a role's `preflight:` (role.yaml) may declare: the preflight then checks, and detects, what
 * that kind of work needs on the node. No check here names a role: a role of one's own that
 * downloads declares `download` and `disk-space` and gets the same checks as install-containerd.
 */
export const PREFLIGHT_KINDS: Record<string, string> = {
  download: 'downloads release archives: curl or wget must be on the node',
  'disk-space': 'unpacks archives: room for them under provision_download_dir (MIN_FREE_KIB)',
  'docker-removal': 'removes Docker: its user and group must be removable, its runc goes with it, and its images may be handed over to containerd',
  'kubelet-layout': 'writes the kubelet unit: the kubelet layout must be recognised',
  'cgroup-v2': 'configures a kubelet of kubernetes_version: 1.35 and later need cgroup v2',
  'runc-handler': "configures containerd's runc handler: the runc it names must be on the node (or installed)",
  'runc-install': 'installs runc: the runc handler needs none found on the node',
  carry: "reads the variables carried from Docker's settings (registries, mirrors, certificates)",
  'containerd-config': "writes containerd's config.toml: what another tool configured there is read first (kept, or the host refused)",
  'sandbox-image': "configures containerd's sandbox (pause) image: it must be on the node, pullable from it, or handed over from Docker",
};

export interface PreflightCheck {
  id: string;
  /** The check matters only when a role of the host declares one of these kinds in its `preflight:`. */
  kinds: string[];
  /** A message when the host must be refused, else undefined. */
  problem(f: NodeFacts, vars: Vars, declared: ReadonlySet<string>): string | undefined;
  source: string;
}

/** containerd + runc + CNI archives with room to unpack; generous, since a full disk fails mid-install. */
export const MIN_FREE_KIB = 300 * 1024;

export const PREFLIGHT_CHECKS: PreflightCheck[] = [
  {
    id: 'docker-group-primary',
    kinds: ['docker-removal'],
    problem: (f) =>
      f.dockerGroupPrimaryOf.length
        ? `group docker is the primary group of ${f.dockerGroupPrimaryOf.join(', ')}: groupdel would fail after Docker is stopped. Give those users another primary group (usermod -g) first`
        : undefined,
    source: 'shadow-utils groupdel(8): "You may not remove the primary group of any existing user"',
  },
  {
    id: 'docker-user-busy',
    kinds: ['docker-removal'],
    problem: (f) =>
      f.dockerUserProcesses > 0
        ? `user docker (uid ${f.dockerUser?.uid}) owns ${f.dockerUserProcesses} running process(es): userdel would fail. Stop them first`
        : undefined,
    source: 'shadow-utils userdel(8): refuses while the user has running processes',
  },
  {
    id: 'fetcher',
    kinds: ['download'],
    problem: (f) =>
      f.fetcher === 'none'
        ? 'neither curl nor wget is installed: the release archives cannot be downloaded. Install one of them (apt-get install curl)'
        : undefined,
    source: 'the download task fetches (src/facts/download-receipt.ts, src/tasks/download.ts) with curl or wget',
  },
  {
    id: 'free-disk',
    kinds: ['disk-space'],
    problem: (f) =>
      f.freeKiB < MIN_FREE_KIB
        ? `only ${Math.floor(f.freeKiB / 1024)} MiB free on ${f.freeOn} (provision_download_dir): the archives need about ${MIN_FREE_KIB / 1024} MiB. Free space or point provision_download_dir elsewhere`
        : undefined,
    source: 'containerd, runc and CNI plugin release archives (about 40+15+50 MiB, unpacked alongside)',
  },
  {
    id: 'kubelet-layout',
    kinds: ['kubelet-layout'],
    problem: (f, vars) => {
      if (vars.kubelet_layout !== 'unknown') return undefined;
      return `kubelet layout not recognised: found ${detectKubeletLayout(f).found}. Provision would write a kubelet unit that this layout overrides; set kubelet_layout to "unit" or "kubeadm" if one of them applies`;
    },
    source: 'src/domain/node-layouts.ts KUBELET_LAYOUTS',
  },
  {
    id: 'cgroup-v1',
    kinds: ['cgroup-v2'],
    problem: (f, vars) =>
      f.cgroupFs && f.cgroupFs !== 'cgroup2fs' && vars.kubernetes_version && versionAtLeast(String(vars.kubernetes_version), '1.35')
        ? `cgroup v1 (/sys/fs/cgroup is ${f.cgroupFs}) with Kubernetes ${vars.kubernetes_version}: kubelet 1.35 refuses to start there (failCgroupV1). Boot the node with cgroup v2 (systemd.unified_cgroup_hierarchy=1) first`
        : undefined,
    source: 'https://kubernetes.io/blog/2025/12/17/kubernetes-v1-35-release/ (cgroup v1 support removed; kubelet failCgroupV1 defaults to true)',
  },
  {
    id: 'runc-binary',
    kinds: ['runc-handler'],
    problem: (f, vars, declared) => {
      if (declared.has('runc-install')) return undefined;
      const want = String(vars.runc_binary);
      const removed = declared.has('docker-removal') ? runcRemovedWithDocker(String(vars.docker_layout)) : [];
      const staying = f.runcs.filter((r) => !removed.includes(r));
      if (staying.includes(want)) return undefined;
      const why = f.runcs.includes(want) ? `removing Docker removes ${want} with it (${vars.docker_layout} layout)` : `there is no runc at ${want}`;
      const fix = staying.length
        ? `set runc_binary: ${staying[0]} (found on the node) or also run the role that installs runc`
        : 'also run the role that installs runc';
      return `containerd's runc handler names runc_binary ${want}, but ${why} and no role of the host installs runc: every pod would fail to start. ${fix[0]!.toUpperCase()}${fix.slice(1)}`;
    },
    source: 'containerd runc handler options BinaryName (runc v2 shim); src/domain/node-layouts.ts runcRemovedWithDocker',
  },
];

/** The problems of the checks that the kinds the host's roles declare select. */
export function preflightProblems(f: NodeFacts, vars: Vars, declared: ReadonlySet<string>): string[] {
  return PREFLIGHT_CHECKS.filter((c) => c.kinds.some((k) => declared.has(k))).flatMap((c) => c.problem(f, vars, declared) ?? []);
}

/** Pods mounting Docker's or dockershim's socket by hostPath break once Docker is gone. */
export const DOCKER_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock', '/var/run/dockershim.sock', '/run/dockershim.sock'];

/** Pods of `kubectl get pods -o json` that mount a Docker socket (or a directory holding one) by hostPath. */
export function podsMountingDockerSocket(podList: unknown): string[] {
  const items = (podList as { items?: unknown[] })?.items ?? [];
  const out: string[] = [];
  for (const pod of items as { metadata?: { namespace?: string; name?: string }; spec?: { volumes?: { hostPath?: { path?: string } }[] } }[]) {
    const paths = (pod.spec?.volumes ?? []).map((v) => v.hostPath?.path).filter((p): p is string => !!p);
    const hit = paths.find((p) => DOCKER_SOCKETS.includes(p.replace(/\/+$/, '')));
    if (hit) out.push(`${pod.metadata?.namespace}/${pod.metadata?.name} (hostPath ${hit})`);
  }
  return out;
}
