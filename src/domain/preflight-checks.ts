import type { Vars } from '../inventory/inventory.js';
import { versionAtLeast } from './versions.js';
import type { NodeFacts } from './node-layouts-probe.js';
import { detectKubeletLayout, runcRemovedWithDocker } from './node-layouts.js';

/**
 * What would break a host halfway, known from its facts before anything is touched. Each check
 * says what it found and how to proceed; `provision preflight` and every apply run them first.
 */
export interface PreflightCheck {
  id: string;
  /** The check matters only when one of these roles runs. */
  roles: string[];
  /** A message when the host must be refused, else undefined. */
  problem(f: NodeFacts, vars: Vars, roles: string[]): string | undefined;
  source: string;
}

/** containerd + runc + CNI archives with room to unpack; generous, since a full disk fails mid-install. */
export const MIN_FREE_KIB = 300 * 1024;

export const PREFLIGHT_CHECKS: PreflightCheck[] = [
  {
    id: 'docker-group-primary',
    roles: ['remove-docker'],
    problem: (f) =>
      f.dockerGroupPrimaryOf.length
        ? `group docker is the primary group of ${f.dockerGroupPrimaryOf.join(', ')}: groupdel would fail after Docker is stopped. Give those users another primary group (usermod -g) first`
        : undefined,
    source: 'shadow-utils groupdel(8): "You may not remove the primary group of any existing user"',
  },
  {
    id: 'docker-user-busy',
    roles: ['remove-docker'],
    problem: (f) =>
      f.dockerUserProcesses > 0
        ? `user docker (uid ${f.dockerUser?.uid}) owns ${f.dockerUserProcesses} running process(es): userdel would fail. Stop them first`
        : undefined,
    source: 'shadow-utils userdel(8): refuses while the user has running processes',
  },
  {
    id: 'fetcher',
    roles: ['install-containerd', 'install-runc', 'install-cni'],
    problem: (f) =>
      f.fetcher === 'none'
        ? 'neither curl nor wget is installed: the release archives cannot be downloaded. Install one of them (apt-get install curl)'
        : undefined,
    source: 'the download task fetches (src/facts/download-receipt.ts, src/tasks/download.ts) with curl or wget',
  },
  {
    id: 'free-disk',
    roles: ['install-containerd', 'install-runc', 'install-cni'],
    problem: (f) =>
      f.freeKiB < MIN_FREE_KIB
        ? `only ${Math.floor(f.freeKiB / 1024)} MiB free on ${f.freeOn} (provision_download_dir): the archives need about ${MIN_FREE_KIB / 1024} MiB. Free space or point provision_download_dir elsewhere`
        : undefined,
    source: 'containerd, runc and CNI plugin release archives (about 40+15+50 MiB, unpacked alongside)',
  },
  {
    id: 'kubelet-layout',
    roles: ['kubelet-config', 'remove-docker'],
    problem: (f, vars) => {
      if (vars.kubelet_layout !== 'unknown') return undefined;
      return `kubelet layout not recognised: found ${detectKubeletLayout(f).found}. Provision would write a kubelet unit that this layout overrides; set kubelet_layout to "unit" or "kubeadm" if one of them applies`;
    },
    source: 'src/domain/node-layouts.ts KUBELET_LAYOUTS',
  },
  {
    id: 'cgroup-v1',
    roles: ['kubelet-config'],
    problem: (f, vars) =>
      f.cgroupFs && f.cgroupFs !== 'cgroup2fs' && vars.kubernetes_version && versionAtLeast(String(vars.kubernetes_version), '1.35')
        ? `cgroup v1 (/sys/fs/cgroup is ${f.cgroupFs}) with Kubernetes ${vars.kubernetes_version}: kubelet 1.35 refuses to start there (failCgroupV1). Boot the node with cgroup v2 (systemd.unified_cgroup_hierarchy=1) first`
        : undefined,
    source: 'https://kubernetes.io/blog/2025/12/17/kubernetes-v1-35-release/ (cgroup v1 support removed; kubelet failCgroupV1 defaults to true)',
  },
  {
    id: 'runc-binary',
    roles: ['install-containerd'],
    problem: (f, vars, roles) => {
      if (roles.includes('install-runc')) return undefined;
      const want = String(vars.runc_binary);
      const removed = roles.includes('remove-docker') ? runcRemovedWithDocker(String(vars.docker_layout)) : [];
      const staying = f.runcs.filter((r) => !removed.includes(r));
      if (staying.includes(want)) return undefined;
      const why = f.runcs.includes(want) ? `remove-docker removes ${want} with Docker (${vars.docker_layout} layout)` : `there is no runc at ${want}`;
      const fix = staying.length ? `set runc_binary: ${staying[0]} (found on the node) or run install-runc too` : 'run install-runc too';
      return `containerd's runc handler names runc_binary ${want}, but ${why} and install-runc is not run: every pod would fail to start. ${fix[0]!.toUpperCase()}${fix.slice(1)}`;
    },
    source: 'containerd runc handler options BinaryName (runc v2 shim); src/domain/node-layouts.ts runcRemovedWithDocker',
  },
];

export function preflightProblems(f: NodeFacts, vars: Vars, roles: string[]): string[] {
  return PREFLIGHT_CHECKS.filter((c) => c.roles.some((r) => roles.includes(r))).flatMap((c) => c.problem(f, vars, roles) ?? []);
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
