import type { DockerSettingsFacts } from '../facts/docker-daemon-files.js';
import type { Fact, FactValues } from '../facts/fact.js';
import type { Vars } from '../inventory/inventory.js';
import { q } from '../transport/shell.js';
import { registryHostsFile } from './registry-hosts.js';
import { imageParts, newestPause, normalizeImage } from './sandbox-images.js';

/**
 * The sandbox image, before anything is touched: every pod needs it, so the node must have the
 * configured one (`containerd_sandbox_image`) in containerd's k8s.io namespace or be able to pull it.
 * In order: the configured image in k8s.io; a pause image already in k8s.io (handed over by an
 * earlier run: a second run points at the same one); the configured image pullable from the node
 * through the registry hosts containerd will use (each mirror, then the registry); a pause image in
 * Docker, handed over with the other images. Else the host is refused, naming what was tried.
 */
export interface SandboxImageOutcome {
  /** Variables the plan takes (the sandbox image pointed at, the image added to the handover). */
  vars: Vars;
  problems: string[];
  notes: string[];
}

export const NO_SANDBOX_CHANGE: SandboxImageOutcome = { vars: {}, problems: [], notes: [] };

/** The images in containerd's k8s.io namespace, read with ctr where containerd runs (nothing where it does not). Read-only. */
export function k8sImagesFact(vars: Vars): Fact<string[]> | undefined {
  if (vars.containerd_sandbox_image === undefined) return undefined;
  const socket = String(vars.containerd_socket);
  const ctr = `${vars.containerd_bin_dir}/ctr`;
  const probe = [
    `c=${q(ctr)}; [ -x "$c" ] || c=$(command -v ctr) || exit 0`,
    `[ -S ${q(socket)} ] || exit 0`,
    `timeout 20 "$c" --address ${q(socket)} --namespace k8s.io images ls -q 2>/dev/null`,
    'true',
  ].join('\n');
  return {
    key: `sandbox:k8s-images:${ctr}:${socket}`,
    probe,
    parse: (out) =>
      out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('sha256:')),
  };
}

/** The registry endpoints containerd would try for an image, in order: each pull-capable host of its hosts.toml, then the server. */
export function pullEndpoints(image: string, hosts: Record<string, unknown>): { url: string; insecure: boolean }[] {
  const { registry, repo, reference } = imageParts(image);
  const entry = hosts[registry] ?? hosts._default;
  const file = registryHostsFile(registry, entry);
  const path = `/v2/${repo}/manifests/${reference}`;
  const mirrors = file.hosts
    .filter((h) => h.capabilities.includes('pull') || h.capabilities.includes('resolve'))
    .map((h) => ({ url: `${h.url.replace(/\/+$/, '').replace(/\/v2$/, '')}${path}?ns=${registry}`, insecure: !!h.skip_verify }));
  return [...mirrors, { url: `${file.server.replace(/\/+$/, '')}${path}`, insecure: false }];
}

/** Whether the node reaches each endpoint and it holds the manifest: curl's HTTP code per URL (000: unreachable). */
export function pullFact(image: string, endpoints: { url: string; insecure: boolean }[]): Fact<{ url: string; code: string }[]> {
  const accept = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ].join(', ');
  // In parallel and bounded: an offline node answers within the connect timeout, not once per endpoint.
  const probe = [
    'command -v curl >/dev/null || { echo no-curl; exit 0; }',
    ...endpoints.map(
      (e, i) =>
        `( printf '%s %s\\n' ${i} "$(curl -s -o /dev/null -I -w '%{http_code}' --connect-timeout 3 --max-time 6 ${e.insecure ? '-k ' : ''}-H ${q(`Accept: ${accept}`)} ${q(e.url)})" ) &`,
    ),
    'wait',
  ].join('\n');
  return {
    key: `sandbox:pull:${image}:${endpoints.map((e) => e.url).join(' ')}`,
    probe,
    parse: (out) => {
      if (out.includes('no-curl')) return endpoints.map((e) => ({ url: e.url, code: 'no curl on the node' }));
      const codes = new Map(out.split('\n').map((l) => [l.split(' ')[0], l.split(' ')[1] ?? ''] as const));
      return endpoints.map((e, i) => ({ url: e.url, code: codes.get(String(i)) || '000' }));
    },
  };
}

/** 2xx and redirects hold the manifest; 401 is a registry that hands out (anonymous) tokens, as containerd asks for one. */
const pullable = (code: string) => /^(2|3)\d\d$/.test(code) || code === '401';

/**
 * The rule, on the facts gathered (the pull probe only when nothing is on the node already): a
 * `gather` for facts it needs besides the first gather's.
 */
export async function sandboxImagePreflight(
  vars: Vars,
  values: FactValues,
  docker: DockerSettingsFacts | undefined,
  gather: (facts: Fact<unknown>[]) => Promise<FactValues>,
  kinds: ReadonlySet<string>,
): Promise<SandboxImageOutcome> {
  const fact = k8sImagesFact(vars);
  // Docker stays (no role of the plan removes it): the node's pods keep running on it, and nothing is handed over.
  const dockerStays = !!docker?.dockerActive && !kinds.has('docker-removal');
  if (!fact || dockerStays || !kinds.has('sandbox-image')) return NO_SANDBOX_CHANGE;
  const configured = String(vars.containerd_sandbox_image);
  // Gathered with the layout, unless the detected layout moved containerd (then asked now).
  const local = ((values.get(fact.key) ?? (await gather([fact])).get(fact.key)) as string[] | undefined) ?? [];
  if (local.some((i) => normalizeImage(i) === normalizeImage(configured))) return { vars: {}, problems: [], notes: [] };
  const handedOver = newestPause(local);
  if (handedOver) return pointAt(handedOver, configured, "in containerd's k8s.io namespace");
  const endpoints = pullEndpoints(configured, (vars.containerd_registry_hosts ?? {}) as Record<string, unknown>);
  const pull = pullFact(configured, endpoints);
  const tried = (await gather([pull])).get(pull.key) as { url: string; code: string }[];
  if (tried.some((t) => pullable(t.code))) return { vars: {}, problems: [], notes: [] };
  // Docker's images while it runs; once it has stopped, what an earlier run exported and did not import yet.
  const fromDocker = newestPause(docker?.dockerActive ? docker.images.flatMap((i) => i.tags) : (docker?.archived ?? []));
  const list = vars.docker_migrate_image_list;
  const attempts = tried.map((t) => `${t.url} (${t.code === '000' ? 'unreachable' : `HTTP ${t.code}`})`).join(', ');
  if (fromDocker && Array.isArray(list) && vars.docker_migrate_images === true) {
    const out = pointAt(fromDocker, configured, `from Docker, handed over with the other images; pulling it failed: ${attempts}`);
    out.vars.docker_migrate_image_list = [...new Set([...list.map(String), fromDocker])].sort();
    return out;
  }
  const why = fromDocker
    ? `Docker holds ${fromDocker}, but no images are handed over (docker_migrate_images)`
    : 'Docker holds no pause image (k8s.gcr.io/pause, registry.k8s.io/pause) to hand over';
  return {
    vars: {},
    notes: [],
    problems: [
      `no pod could start: the sandbox image ${configured} is not in containerd's k8s.io namespace${local.length ? '' : ' (containerd holds no image there)'}, and the node cannot pull it: tried ${attempts}; ${why}. Set containerd_sandbox_image to an image the node has or can pull (or a mirror in containerd_registry_mirrors), or import one into containerd's k8s.io namespace`,
    ],
  };
}

function pointAt(image: string, configured: string, how: string): SandboxImageOutcome {
  return {
    vars: { containerd_sandbox_image: image },
    problems: [],
    notes: [`sandbox image: ${configured} is not on the node; containerd is pointed at ${image} (${how}). Set containerd_sandbox_image to choose another`],
  };
}

/**
 * What the node offers fills containerd_sandbox_image only where the inventory (or -e) left it out: a
 * value set there wins, so a rule that pointed containerd at another image did not take, and the host
 * is refused rather than told a pointing that is not in its config.
 */
export function unlessSetByInventory(outcome: SandboxImageOutcome, plannedVars: Vars): SandboxImageOutcome {
  const chosen = outcome.vars.containerd_sandbox_image;
  const planned = plannedVars.containerd_sandbox_image;
  if (chosen === undefined || planned === chosen) return outcome;
  return {
    vars: {},
    notes: [],
    problems: [
      `no pod could start: containerd_sandbox_image is set to ${String(planned)}, which is not in containerd's k8s.io namespace and which the node cannot pull, while ${String(chosen)} is on the node or handed over from Docker. Set containerd_sandbox_image to ${String(chosen)} (or leave it unset, so that the node's image is used), or make ${String(planned)} available to the node`,
    ],
  };
}
