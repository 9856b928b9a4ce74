/**
 * The pod sandbox (pause) image: what each containerd release pulls when its config names none, and
 * what a dockershim node ran instead. An offline node must have the configured one in containerd's
 * `k8s.io` namespace, or RunPodSandbox fails pulling it and no pod starts.
 */
export const SANDBOX_IMAGE_DEFAULTS: { runtime: string; since: string; image: string; source: string }[] = [
  {
    runtime: 'kubelet (dockershim)',
    since: '1.22',
    image: 'k8s.gcr.io/pause:3.5',
    source: 'kubernetes cmd/kubelet/app/options/container_runtime.go, defaultPodSandboxImageVersion "3.5" (v1.22) (unverified)',
  },
  {
    runtime: 'kubelet (dockershim)',
    since: '1.23',
    image: 'k8s.gcr.io/pause:3.6',
    source: 'kubernetes pkg/kubelet/config defaultPodSandboxImageVersion "3.6" (v1.23, the last release with dockershim)',
  },
  {
    runtime: 'containerd',
    since: '1.6.0',
    image: 'k8s.gcr.io/pause:3.6',
    source: 'containerd v1.6.0 pkg/cri/config/config_unix.go DefaultConfig SandboxImage',
  },
  {
    runtime: 'containerd',
    since: '1.6.11',
    image: 'registry.k8s.io/pause:3.6',
    source: 'containerd#7629 "Use registry.k8s.io for the default sandbox image" (v1.6.11; k8s.gcr.io is frozen) (unverified: the release number)',
  },
  {
    runtime: 'containerd',
    since: '1.7.0',
    image: 'registry.k8s.io/pause:3.8',
    source: 'containerd v1.7.0 pkg/cri/config/config_unix.go DefaultConfig SandboxImage',
  },
  {
    runtime: 'containerd',
    since: '2.0.0',
    image: 'registry.k8s.io/pause:3.10',
    source:
      'containerd v2.0.0 internal/cri/config: pinned_images sandbox default (sandbox_image moved to [plugins."io.containerd.cri.v1.images".pinned_images]) (unverified: the tag)',
  },
];

/**
 * Repositories that hold pause images (Kubernetes' own, old and new registry): a Docker image from one of
 * them can be handed over as the sandbox image. Source: https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/
 */
export const PAUSE_REPOSITORIES = ['k8s.gcr.io/pause', 'registry.k8s.io/pause'];

/** `registry/repo:tag` as containerd names it: Docker Hub's short names get `docker.io/library/`. */
export function normalizeImage(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const withRegistry = first && (first.includes('.') || first.includes(':') || first === 'localhost') ? ref : `docker.io/${slash < 0 ? 'library/' : ''}${ref}`;
  const name = withRegistry.split('@')[0]!;
  return /:[^/]+$/.test(name) || withRegistry.includes('@') ? withRegistry : `${withRegistry}:latest`;
}

/** An image reference split as the registry API asks for it: `/v2/<repo>/manifests/<tag or digest>`. */
export function imageParts(ref: string): { registry: string; repo: string; reference: string } {
  const full = normalizeImage(ref);
  const slash = full.indexOf('/');
  const registry = full.slice(0, slash);
  const rest = full.slice(slash + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { registry, repo: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return { registry, repo: rest.slice(0, colon), reference: rest.slice(colon + 1) };
}

/** Whether an image is a Kubernetes pause image. */
export const isPauseImage = (ref: string) => PAUSE_REPOSITORIES.some((r) => normalizeImage(ref).startsWith(`${r}:`));

/** The newest of some pause images, by their tag's version (3.10 after 3.9). */
export function newestPause(refs: string[]): string | undefined {
  const version = (ref: string) => (imageParts(ref).reference.match(/\d+/g) ?? []).map(Number);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  return refs
    .filter(isPauseImage)
    .sort((a, b) => cmp(version(b), version(a)) || a.localeCompare(b))
    .at(0);
}
