/**
 * The layouts Kubernetes workers really have, how each is recognised from gathered facts, and
 * what the migration does to it. Roles read the detected layout as variables (`docker_layout`,
 * `kubelet_layout`); an inventory value other than "auto" forces a layout.
 */

export type DockerLayout = 'packages' | 'docker-ce' | 'static' | 'none';
export type KubeletLayout = 'unit' | 'kubeadm' | 'none' | 'unknown';

export interface LayoutRow<L extends string> {
  layout: L;
  /** What on the node tells this layout apart (in the order detection tries them). */
  detectedBy: string;
  /** What the migration does to it. */
  migration: string;
  source: string;
}

export const DOCKER_LAYOUTS: LayoutRow<DockerLayout>[] = [
  {
    layout: 'docker-ce',
    detectedBy: "package docker-ce installed (Docker's apt repository)",
    migration:
      'remove docker-ce, docker-ce-cli and the plugins; remove containerd.io too, since the release archive replaces it (two containerd daemons and two ctr on the PATH otherwise); its /etc/containerd/config.toml (disabled_plugins = ["cri"]) is replaced by the one the containerd role writes',
    source:
      'https://docs.docker.com/engine/install/debian/ (packages docker-ce docker-ce-cli containerd.io); containerd.io ships /usr/bin/containerd, /usr/bin/ctr, /usr/bin/runc',
  },
  {
    layout: 'packages',
    detectedBy: 'package docker.io (or moby-engine) installed',
    migration: 'remove docker.io, keeping containerd and runc marked manually installed so nothing autoremoves them',
    source: 'https://github.com/kubernetes-sigs/kubespray/issues/8431 (Docker removal took containerd with it)',
  },
  {
    layout: 'static',
    detectedBy: '/usr/local/bin/dockerd present without a Docker package',
    migration:
      'stop and remove the units in /etc/systemd/system, every Docker-shipped binary in /usr/local/bin (incl. runc and the pre-18.09 docker-containerd*, docker-runc) while dockerd is still there, then the docker user, then its group',
    source:
      'https://github.com/githubixx/ansible-role-docker (binaries in /usr/local/bin, docker user uid 666 with primary group docker); https://download.docker.com/linux/static/stable/x86_64/ (archive members)',
  },
  { layout: 'none', detectedBy: 'none of the above', migration: 'nothing of Docker to remove', source: '-' },
];

export const KUBELET_LAYOUTS: LayoutRow<KubeletLayout>[] = [
  {
    layout: 'kubeadm',
    detectedBy:
      'a kubelet.service drop-in (in /etc/systemd/system/kubelet.service.d/ or /usr/lib/systemd/system/kubelet.service.d/) that reads kubeadm-flags.env',
    migration:
      "no unit is written; kubeadm-flags.env loses every flag the target version removed and gets (up to 1.26) or loses (1.27+) --container-runtime-endpoint; from 1.27 containerRuntimeEndpoint is set in kubeadm's config.yaml, every other byte kept; with provision_drain the node annotation kubeadm.alpha.kubernetes.io/cri-socket is set",
    source:
      'https://github.com/kubernetes/release/blob/master/cmd/krel/templates/latest/kubeadm/10-kubeadm.conf; https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/change-runtime-containerd/',
  },
  {
    layout: 'unit',
    detectedBy: 'kubelet.service loaded with no drop-in that sets ExecStart',
    migration: 'kubelet.service and its KubeletConfiguration are rewritten for containerd',
    source: 'https://github.com/githubixx/ansible-role-kubernetes-worker (kubelet.service in /etc/systemd/system)',
  },
  { layout: 'none', detectedBy: 'no kubelet.service and no kubelet binary', migration: 'the kubelet role writes a unit', source: '-' },
  {
    layout: 'unknown',
    detectedBy: 'anything else (a drop-in that replaces ExecStart without kubeadm-flags.env, a kubelet binary without kubelet.service)',
    migration: 'refused by the preflight: provision would write a unit that something else overrides',
    source: '-',
  },
];

/**
 * The runc a layout's migration takes away: containerd.io ships /usr/bin/runc (removed with
 * docker-ce), the static archive /usr/local/bin/runc; Debian's runc package is kept.
 */
export function runcRemovedWithDocker(layout: string): string[] {
  if (layout === 'docker-ce') return ['/usr/bin/runc'];
  if (layout === 'static') return ['/usr/local/bin/runc'];
  return [];
}

/**
 * Variables detected once the layout is settled: without install-runc, containerd's runc handler
 * names the first runc found (runc_binary itself first) that the migration keeps. Nothing when a
 * role installs runc (`runc-install`), none configures the handler (`runc-handler`), or no runc stays
 * (the preflight then refuses). `declared`: the preflight kinds of the host's roles.
 */
export function runtimeVars(runcs: string[], vars: Record<string, unknown>, declared: ReadonlySet<string>): Record<string, unknown> {
  if (declared.has('runc-install') || !declared.has('runc-handler')) return {};
  const removed = declared.has('docker-removal') ? runcRemovedWithDocker(String(vars.docker_layout)) : [];
  const keep = runcs.find((r) => !removed.includes(r));
  return keep && keep !== vars.runc_binary ? { runc_binary: keep } : {};
}

/** cri-dockerd: Mirantis' shim that kept Docker usable by Kubernetes 1.24+. */
export const CRI_DOCKERD = {
  units: ['cri-docker.service', 'cri-docker.socket'],
  socket: '/run/cri-dockerd.sock',
  binaries: ['/usr/bin/cri-dockerd', '/usr/local/bin/cri-dockerd'],
  source:
    'https://github.com/Mirantis/cri-dockerd/tree/master/packaging/systemd (cri-docker.service, cri-docker.socket); https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/migrate-dockershim-dockerd/',
};

/**
 * Binaries of the static Docker archive (and the pre-18.09 names) in /usr/local/bin. containerd,
 * ctr and containerd-shim-runc-v2 are overwritten by install-containerd's archive; the rest would
 * stay behind (a second runc on the PATH) unless removed. dockerd comes last: it is the marker
 * that Docker is still installed, so a re-run removes nothing install-containerd put there.
 */
export const DOCKER_STATIC_BINARIES: { name: string; source: string }[] = [
  ...['docker', 'docker-init', 'docker-proxy', 'runc', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2', 'ctr'].map((name) => ({
    name,
    source: 'https://download.docker.com/linux/static/stable/x86_64/docker-20.10.24.tgz (archive members)',
  })),
  ...['docker-containerd', 'docker-containerd-shim', 'docker-containerd-ctr', 'docker-runc'].map((name) => ({
    name,
    source: 'https://download.docker.com/linux/static/stable/x86_64/docker-18.06.3-ce.tgz (names before 18.09)',
  })),
  { name: 'dockerd', source: 'https://download.docker.com/linux/static/stable/x86_64/' },
];

/** kubeadm's drop-in may live in either directory (deb/rpm packages install to /usr/lib, older ones to /etc). */
export const KUBEADM_DROPIN_DIRS = [
  '/etc/systemd/system/kubelet.service.d',
  '/usr/lib/systemd/system/kubelet.service.d',
  '/lib/systemd/system/kubelet.service.d',
];

/** The node annotation kubeadm reads the runtime socket from (the Kubernetes procedure sets it). */
export const KUBEADM_CRI_SOCKET_ANNOTATION = 'kubeadm.alpha.kubernetes.io/cri-socket';

export const DOCKER_PACKAGES = { ce: ['docker-ce'], distro: ['docker.io', 'moby-engine'] };

export interface LayoutFacts {
  packages: string[];
  dockerdStatic: boolean;
  kubeletUnit: { loadState: string; fragmentPath: string; dropIns: { path: string; kubeadm: boolean; execStart: boolean }[] };
  kubeletBinary: string;
}

export function detectDockerLayout(f: LayoutFacts): DockerLayout {
  if (DOCKER_PACKAGES.ce.some((p) => f.packages.includes(p))) return 'docker-ce';
  if (DOCKER_PACKAGES.distro.some((p) => f.packages.includes(p))) return 'packages';
  if (f.dockerdStatic) return 'static';
  return 'none';
}

export function detectKubeletLayout(f: LayoutFacts): { layout: KubeletLayout; found: string; dropIn?: string } {
  const u = f.kubeletUnit;
  const kubeadm = u.dropIns.find((d) => d.kubeadm);
  if (u.loadState !== 'not-found' && kubeadm)
    return { layout: 'kubeadm', found: `kubelet.service with kubeadm's drop-in ${kubeadm.path}`, dropIn: kubeadm.path };
  const foreign = u.dropIns.find((d) => d.execStart);
  if (u.loadState !== 'not-found' && foreign) {
    return {
      layout: 'unknown',
      found: `kubelet.service (${u.fragmentPath}) with drop-in ${foreign.path}, which replaces ExecStart but does not read kubeadm-flags.env`,
    };
  }
  if (u.loadState !== 'not-found') return { layout: 'unit', found: `kubelet.service at ${u.fragmentPath}` };
  if (f.kubeletBinary) return { layout: 'unknown', found: `a kubelet binary at ${f.kubeletBinary} but no kubelet.service` };
  return { layout: 'none', found: 'no kubelet' };
}

/** The variables a detected layout sets for the roles (unless the inventory forces them). */
export function layoutVars(f: LayoutFacts): Record<string, unknown> {
  const kubelet = detectKubeletLayout(f);
  return {
    docker_layout: detectDockerLayout(f),
    kubelet_layout: kubelet.layout,
    ...(kubelet.dropIn ? { kubeadm_dropin: kubelet.dropIn } : {}),
  };
}

/** The layout a host's variables settled on (detected, or forced by the inventory). */
export const layoutOf = (vars: Record<string, unknown>) => ({ docker: String(vars.docker_layout), kubelet: String(vars.kubelet_layout) });
