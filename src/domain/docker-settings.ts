import type { DockerCertFile, DockerSettingsFacts } from '../facts/docker-daemon-files.js';
import { NodeAnswerError } from '../core/errors.js';
import { fields, list, map, matching, type Shape, scalarText, text } from '../facts/node-answer.js';
import { registryProblem } from './registry-names.js';
import { type CarriedRuntimes, carriedRuntimeKeys } from './docker-runtimes.js';
import { type RegistryHost, type RegistryHostsFile, registryHostsFile } from './registry-hosts.js';

/**
 * Docker settings that have a containerd (or kubelet) equivalent, and what each becomes. The
 * carried values are read on the node before Docker is removed (src/facts/docker-daemon-files.ts).
 */
export interface DockerSettingRow {
  setting: string;
  becomes: string;
  source: string;
}

const DAEMON_JSON = 'https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file';
const HOSTS_MD = 'https://github.com/containerd/containerd/blob/main/docs/hosts.md';

export const DOCKER_SETTINGS: DockerSettingRow[] = [
  {
    setting: 'daemon.json registry-mirrors',
    becomes: 'certs.d/docker.io/hosts.toml: one [host] per mirror (pull, resolve), in order, before registry-1.docker.io',
    source: `${DAEMON_JSON} ("registry-mirrors" apply to Docker Hub only); ${HOSTS_MD}`,
  },
  {
    setting: 'daemon.json insecure-registries',
    becomes:
      'certs.d/<registry>/hosts.toml with [host."https://<registry>"] skip_verify = true, then [host."http://<registry>"] (Docker tries HTTPS without verification, then plain HTTP); a mirror so listed gets skip_verify; CIDR entries cannot be carried (reported)',
    source: `https://docs.docker.com/reference/cli/dockerd/#insecure-registries; ${HOSTS_MD} (skip_verify, http:// hosts)`,
  },
  {
    setting: 'certs.d/<registry>/*.crt',
    becomes:
      "copied to <containerd_registry_config_path>/<registry>/ and listed as ca = [...] of that registry's host (also where the registry is a docker.io mirror)",
    source: `https://docs.docker.com/engine/security/certificates/ ("*.crt" CA roots); ${HOSTS_MD} (ca)`,
  },
  {
    setting: 'certs.d/<registry>/*.cert + *.key',
    becomes: "copied (the key keeps its private mode) and listed as client = [[cert, key]] of that registry's host",
    source: `https://docs.docker.com/engine/security/certificates/ ("*.cert" client certificate, "*.key" its key); ${HOSTS_MD} (client)`,
  },
  {
    setting: 'daemon.json exec-opts native.cgroupdriver',
    becomes: 'compared with containerd_systemd_cgroup: a different driver refuses the host in the preflight, before anything changes',
    source:
      'https://docs.docker.com/reference/cli/dockerd/#options-for-the-runtime; https://kubernetes.io/docs/setup/production-environment/container-runtimes/#cgroup-drivers',
  },
  {
    setting: 'daemon.json log-opts max-size',
    becomes: 'kubelet containerLogMaxSize (Docker\'s k/m/g are binary: "10m" becomes "10Mi"), unless kubelet_config sets it',
    source:
      'https://docs.docker.com/engine/logging/drivers/json-file/ (max-size, units k m g); https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/ (containerLogMaxSize, a quantity)',
  },
  {
    setting: 'daemon.json log-opts max-file',
    becomes: "kubelet containerLogMaxFiles (at least 2, kubelet's minimum), unless kubelet_config sets it",
    source:
      'https://docs.docker.com/engine/logging/drivers/json-file/ (max-file); https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/ (containerLogMaxFiles >= 2)',
  },
  {
    setting: 'daemon.json runtimes',
    becomes:
      "one containerd runtime handler per entry, of runc's type (io.containerd.runc.v2) with BinaryName its path, SystemdCgroup as containerd_systemd_cgroup, runtimeArgs --root/--systemd-cgroup as Root/SystemdCgroup (other args are reported, not carried); an entry with runtimeType keeps its type and options; a RuntimeClass manifest for each; a containerd_runtimes handler of the same name wins (a difference is reported)",
    source:
      'https://docs.docker.com/reference/cli/dockerd/#configure-runc-drop-in-replacements (runtimes: path, runtimeArgs; runtimeType, options); https://github.com/containerd/containerd/blob/main/docs/cri/config.md (runtimes.<name>.options BinaryName, Root, SystemdCgroup)',
  },
  {
    setting: 'daemon.json default-runtime',
    becomes:
      "containerd's default_runtime_name (containerd_default_runtime, unless the inventory sets it), so pods without a RuntimeClass keep running through it",
    source:
      'https://docs.docker.com/reference/cli/dockerd/#configure-the-default-container-runtime; https://github.com/containerd/containerd/blob/main/docs/cri/config.md (default_runtime_name)',
  },
  {
    setting: 'daemon.json data-root',
    becomes: "reported when it is on a mount of its own that containerd's root is not on, with the containerd_root value that would use that disk",
    source: `https://docs.docker.com/engine/daemon/#daemon-data-directory; https://github.com/containerd/containerd/blob/main/docs/man/containerd-config.toml.5.md (root, state)`,
  },
];

/** The part of daemon.json that is carried (and kept in the state file). */
export interface CarriedDaemon {
  'registry-mirrors'?: string[];
  'insecure-registries'?: string[];
  'exec-opts'?: string[];
  'log-driver'?: string;
  'log-opts'?: Record<string, string>;
  'data-root'?: string;
  /** Carried by src/domain/docker-runtimes.ts. */
  runtimes?: CarriedRuntimes['runtimes'];
  'default-runtime'?: string;
}

/** The carried keys of daemon.json and their shapes, in the order they are kept (the state file must render the same twice). */
const DAEMON_SHAPE = fields({
  'registry-mirrors': list(text),
  'insecure-registries': list(text),
  'exec-opts': list(text),
  'log-driver': text,
  'log-opts': map(scalarText),
  'data-root': text,
});

/** The carried keys with their shapes, then runtimes and default-runtime as src/domain/docker-runtimes.ts reads them. */
const daemonShape: Shape<CarriedDaemon> = (v, where) => ({ ...DAEMON_SHAPE(v, where), ...carriedRuntimeKeys(v as Record<string, unknown>) }) as CarriedDaemon;

const DAEMON_JSON_PATH = '/etc/docker/daemon.json';

/**
 * The carried subset of a daemon.json text. Not JSON: nothing is carried (a note). JSON whose carried
 * keys do not have Docker's shapes (`"log-opts": null`, a control character in `log-driver`):
 * `refused`, the host is refused in the preflight, since what the node runs with cannot be known.
 */
export function carriedDaemon(json: string, where = DAEMON_JSON_PATH): { daemon: CarriedDaemon; problem?: string; refused?: string } {
  if (!json.trim()) return { daemon: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    return { daemon: {}, problem: `${where} is not valid JSON (${(e as Error).message}): nothing of it can be carried` };
  }
  try {
    return { daemon: daemonShape(parsed, where) };
  } catch (e) {
    if (e instanceof NodeAnswerError) return { daemon: {}, refused: e.message };
    throw e;
  }
}

/** What the state file holds: enough to plan the same after /etc/docker is gone. */
export interface CarriedState {
  daemon: CarriedDaemon;
  certs: DockerCertFile[];
}

const STATE_SHAPE = fields({
  daemon: daemonShape,
  certs: list(fields({ mode: matching(/^[0-7]{3,4}$/, 'a file mode'), registry: text, file: text })),
});

/** The carried state from the probe, whether it read /etc/docker or the state file; `refused`: its shape does not fit. */
export function carriedState(f: DockerSettingsFacts): { state?: CarriedState; problem?: string; refused?: string } {
  if (f.source === 'none') return {};
  if (f.source === 'state') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(f.daemonJson);
    } catch (e) {
      return {
        problem: `the state file of carried Docker settings is not valid JSON (${(e as Error).message}); remove it or restore it from /var/backups/provision`,
      };
    }
    try {
      const s = STATE_SHAPE(parsed, 'the state file of carried Docker settings');
      return { state: { daemon: (s.daemon ?? {}) as CarriedDaemon, certs: (s.certs ?? []) as DockerCertFile[] } };
    } catch (e) {
      if (e instanceof NodeAnswerError) return { refused: `${e.message}; remove it or restore it from /var/backups/provision` };
      throw e;
    }
  }
  const { daemon, problem, refused } = carriedDaemon(f.daemonJson);
  if (refused) return { refused };
  const certs = f.certs.filter((c) => !registryProblem(c.registry) && /\.(crt|cert|key)$/.test(c.file) && !/[\s/]/.test(c.file));
  // Nothing to carry: no state file, so nodes without Docker settings get no change for them.
  if (Object.keys(daemon).length === 0 && certs.length === 0) return { problem };
  return { state: { daemon, certs: [...certs].sort((a, b) => `${a.registry}/${a.file}`.localeCompare(`${b.registry}/${b.file}`)) }, problem };
}

export interface CarryInput {
  state: CarriedState;
  /** containerd_registry_config_path. */
  certsDir: string;
  /** containerd_registry_mirrors from the inventory: it wins per registry. */
  inventoryMirrors: Record<string, unknown>;
}

export interface CertCopy {
  /** registry/file, the task's label. */
  name: string;
  src: string;
  dest: string;
  mode: string;
}

/** Host name (and port) of a URL or registry name, as Docker names its certs.d directories. */
const hostOf = (urlOrName: string) => urlOrName.replace(/^https?:\/\//, '').replace(/\/.*$/, '');

/**
 * Docker's registry settings as containerd hosts.toml files (merged with the inventory's mirrors,
 * which win per registry) and the certificate files to copy. Conflicts and what cannot be carried
 * are notes.
 */
export function carryRegistries(input: CarryInput): { hosts: Record<string, RegistryHostsFile>; copies: CertCopy[]; notes: string[] } {
  const { daemon, certs } = input.state;
  const notes: string[] = [];
  const dest = (c: DockerCertFile) => `${input.certsDir}/${c.registry}/${c.file}`;
  const certsOf = (host: string) => {
    const files = certs.filter((c) => c.registry === host);
    const ca = files.filter((c) => c.file.endsWith('.crt')).map(dest);
    const client = files
      .filter((c) => c.file.endsWith('.cert'))
      .flatMap((c): [string, string][] => {
        const key = files.find((k) => k.file === c.file.replace(/\.cert$/, '.key'));
        return key ? [[dest(c), dest(key)]] : [];
      });
    return { ...(ca.length ? { ca } : {}), ...(client.length ? { client } : {}) };
  };
  const insecure = insecureRegistries(daemon['insecure-registries'] ?? [], notes);
  const hostEntry = (url: string, capabilities: string[]): RegistryHost => {
    const h = hostOf(url);
    return { url, capabilities, ...(insecure.has(h) && url.startsWith('https://') ? { skip_verify: true } : {}), ...certsOf(h) };
  };
  const carried: Record<string, RegistryHostsFile> = {};
  const mirrors = (daemon['registry-mirrors'] ?? []).filter((m) => {
    const ok = /^https?:\/\/[^\s"]+$/.test(m) && !registryProblem(hostOf(m));
    if (!ok) notes.push(`registry-mirrors ${JSON.stringify(m)} is not an http(s) URL: not carried`);
    return ok;
  });
  if (mirrors.length) {
    carried['docker.io'] = { server: 'https://registry-1.docker.io', hosts: mirrors.map((m) => hostEntry(m.replace(/\/+$/, ''), ['pull', 'resolve'])) };
  }
  const all = ['pull', 'resolve', 'push'];
  for (const r of [...insecure].sort()) {
    if (r === 'docker.io') continue;
    carried[r] = { server: `https://${r}`, hosts: [hostEntry(`https://${r}`, all), { url: `http://${r}`, capabilities: all }] };
  }
  for (const r of [...new Set(certs.map((c) => c.registry))].sort()) {
    if (carried[r] || mirrors.some((m) => hostOf(m) === r)) continue;
    carried[r] = { server: `https://${r}`, hosts: [hostEntry(`https://${r}`, all)] };
  }

  const hosts: Record<string, RegistryHostsFile> = { ...carried };
  for (const [registry, value] of Object.entries(input.inventoryMirrors)) {
    const mine = registryHostsFile(registry, value);
    const theirs = carried[registry];
    if (theirs && JSON.stringify(theirs.hosts.map((h) => h.url)) !== JSON.stringify(mine.hosts.map((h) => h.url))) {
      notes.push(
        `registry ${registry}: containerd_registry_mirrors (${mine.hosts.map((h) => h.url).join(', ') || 'none'}) wins over what Docker had (${theirs.hosts.map((h) => h.url).join(', ')})`,
      );
    }
    // The inventory's hosts, with the certificates Docker had for them.
    hosts[registry] = { server: mine.server, hosts: mine.hosts.map((h) => ({ ...certsOf(hostOf(h.url)), ...h })) };
  }
  const copies = certs.map((c) => ({ name: `${c.registry}/${c.file}`, src: `/etc/docker/certs.d/${c.registry}/${c.file}`, dest: dest(c), mode: c.mode }));
  return { hosts, copies, notes };
}

/** daemon.json's insecure-registries that containerd can carry (registry names, not CIDR ranges); the rest are notes. */
function insecureRegistries(listed: string[], notes: string[]): Set<string> {
  const insecure = new Set<string>();
  for (const r of listed) {
    if (/\/\d+$/.test(r) && !/^https?:/.test(r))
      notes.push(
        `insecure-registries ${r} is a CIDR range: containerd configures hosts by name, so it is not carried; add hosts.toml files for the registries in it`,
      );
    else if (registryProblem(hostOf(r))) notes.push(`insecure-registries ${JSON.stringify(r)} is not a registry name: not carried`);
    else insecure.add(hostOf(r));
  }
  return insecure;
}

/** The cgroup driver daemon.json asks for, if any (`exec-opts: ["native.cgroupdriver=systemd"]`). */
export function dockerCgroupDriver(daemon: CarriedDaemon): string | undefined {
  for (const o of daemon['exec-opts'] ?? []) {
    const m = /^native\.cgroupdriver=(\S+)$/.exec(o.trim());
    if (m) return m[1];
  }
  return undefined;
}

export function cgroupDriverProblem(daemon: CarriedDaemon, systemdCgroup: boolean): string | undefined {
  const driver = dockerCgroupDriver(daemon);
  const wanted = systemdCgroup ? 'systemd' : 'cgroupfs';
  if (!driver || driver === wanted) return undefined;
  return `Docker runs with the ${driver} cgroup driver (daemon.json exec-opts native.cgroupdriver=${driver}) but containerd_systemd_cgroup makes containerd and kubelet use ${wanted}: set containerd_systemd_cgroup: ${driver === 'systemd'} to keep the driver, or change Docker's driver first`;
}

/** Docker's json-file sizes (go-units RAMInBytes: k, m, g are powers of 1024) as a Kubernetes quantity. */
export function logSizeQuantity(size: string): string | undefined {
  const m = /^\s*(\d+)\s*([kmg]?)b?\s*$/i.exec(size);
  if (!m) return undefined;
  const unit = { '': '', k: 'Ki', m: 'Mi', g: 'Gi' }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return `${m[1]}${unit}`;
}

/** kubelet settings for Docker's log rotation, those kubelet_config does not set itself. */
export function carriedLogConfig(daemon: CarriedDaemon, kubeletConfig: Record<string, unknown>): { config: Record<string, unknown>; notes: string[] } {
  const opts = daemon['log-opts'] ?? {};
  const driver = daemon['log-driver'] ?? 'json-file';
  const config: Record<string, unknown> = {};
  const notes: string[] = [];
  if (!['json-file', 'local'].includes(driver)) {
    if (opts['max-size'] || opts['max-file']) notes.push(`log-driver ${driver}: its log-opts are not kubelet's rotation and are not carried`);
    return { config, notes };
  }
  if (opts['max-size'] && kubeletConfig.containerLogMaxSize === undefined) {
    const q = logSizeQuantity(opts['max-size']);
    if (q) config.containerLogMaxSize = q;
    else notes.push(`log-opts max-size ${JSON.stringify(opts['max-size'])} is not a size Docker writes: not carried`);
  }
  if (opts['max-file'] && kubeletConfig.containerLogMaxFiles === undefined) {
    const n = Number(opts['max-file']);
    if (Number.isInteger(n) && n > 0) {
      config.containerLogMaxFiles = Math.max(2, n);
      if (n < 2) notes.push(`log-opts max-file ${n}: kubelet keeps at least 2 files, containerLogMaxFiles is 2`);
    } else notes.push(`log-opts max-file ${JSON.stringify(opts['max-file'])} is not a number: not carried`);
  }
  return { config, notes };
}

/** A data root on a mount of its own that containerd's root is not on: say how to use that disk. */
export function dataRootNote(f: DockerSettingsFacts, containerdRoot: string): string | undefined {
  const d = f.dataRoot;
  if (!d || d.mount === '/' || !f.containerdRootMount || f.containerdRootMount.mount === d.mount) return undefined;
  const suggestion = `${d.mount === '/' ? '' : d.mount}/containerd`;
  return `Docker's data root ${d.path} is on its own mount (${d.device} at ${d.mount}); containerd's root ${containerdRoot} is on ${f.containerdRootMount.mount}. To keep images on that disk, set containerd_root: ${suggestion} (and move or re-pull the images)`;
}
