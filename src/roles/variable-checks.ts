import { isDeepStrictEqual } from 'node:util';
import { registryHostsFile } from '../domain/registry-hosts.js';
import { DNS1123_SUBDOMAIN } from '../core/constants.js';
import { runtimeProblems } from '../domain/runtime-presets.js';
import { containerdVersionWarnings } from '../domain/containerd-versions.js';
import { cgroupDriverProblem, dockershimFlagWarnings, removedFlagProblems } from '../domain/kubelet-flags.js';
import { registryProblem, uncarriableProblem } from './value-types.js';
import { ansibleBoolean } from '../core/ansible-boolean.js';
import { parseVersion } from '../domain/versions.js';

type Vars = Record<string, unknown>;

/**
 * Domain checks a role variable can name with `check:`. Each returns problems as messages;
 * they run on a host's resolved variables before anything connects.
 */
/**
 * Flag names and values end up as arguments on kubelet's ExecStart line: a name must look like a
 * flag, and a value cannot hold a line break (systemd has no way to write one there).
 */
function flagValueProblems(flags: Vars): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(flags)) {
    if (!/^(--?)?[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) problems.push(`kubelet_flags: ${JSON.stringify(name)} is not a flag name`);
    const parts = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.entries(value).flat() : [value];
    for (const part of parts) {
      const bad = typeof part === 'string' ? uncarriableProblem(part) : undefined;
      if (bad) problems.push(`kubelet_flags.${name}: ${bad}`);
    }
  }
  return problems;
}

/** The kubelet and containerd versions of a host, when both are known (which cgroup driver wins depends on them). */
function versionsOf(vars: Vars): { kubernetes: string; containerd: string } | undefined {
  const [kubernetes, containerd] = [vars.kubernetes_version, vars.containerd_version];
  return typeof kubernetes === 'string' && typeof containerd === 'string' && parseVersion(kubernetes) && parseVersion(containerd)
    ? { kubernetes, containerd }
    : undefined;
}

/** containerd's hosts.toml capabilities (containerd docs/hosts.md). */
const CAPABILITIES = new Set(['pull', 'resolve', 'push']);

/** A mirror object: `skip_verify: "no"` must not read as true, and nothing unknown is dropped silently. */
function mirrorProblems(registry: string, m: Vars): string[] {
  const at = `containerd_registry_mirrors.${registry}: mirror ${JSON.stringify(m.url)}`;
  const problems: string[] = [];
  for (const key of Object.keys(m))
    if (!['url', 'capabilities', 'skip_verify'].includes(key)) problems.push(`${at} has unknown key "${key}": expected url, capabilities, skip_verify`);
  if (m.skip_verify !== undefined && typeof m.skip_verify !== 'boolean')
    problems.push(`${at}: skip_verify must be true or false, got ${JSON.stringify(m.skip_verify)}`);
  const caps = m.capabilities;
  if (caps !== undefined && (!Array.isArray(caps) || caps.some((c) => !CAPABILITIES.has(c as string))))
    problems.push(`${at}: capabilities must be a list of ${[...CAPABILITIES].join(', ')}, got ${JSON.stringify(caps)}`);
  return problems;
}

/** A check returns the problems that refuse the host; `warn` reports what only deserves a look. */
export const VARIABLE_CHECKS: Record<string, (value: unknown, vars: Vars, warn: (message: string) => void) => string[]> = {
  'kubelet-flags': (value, vars, warn) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
    const flags = value as Vars;
    for (const w of dockershimFlagWarnings(String(vars.kubernetes_version), flags)) warn(w);
    const driver = Object.entries(flags).find(([name]) => name.replace(/^--?/, '') === 'cgroup-driver');
    return [
      ...flagValueProblems(flags),
      ...removedFlagProblems(String(vars.kubernetes_version), flags),
      ...(driver ? [cgroupDriverProblem(`kubelet_flags.${driver[0]}`, driver[1], ansibleBoolean(vars.containerd_systemd_cgroup), versionsOf(vars))] : []),
    ].filter((p): p is string => !!p);
  },
  // The default must be among the handlers written (Docker's default-runtime may name a carried one).
  'containerd-runtimes': (value) => runtimeProblems(value, undefined),
  'containerd-runtime-handlers': (value, vars) => {
    // A problem of the inventory's own entries was reported on containerd_runtimes: once is enough.
    const own = new Set(runtimeProblems(vars.containerd_runtimes, undefined, 'containerd_runtime_handlers'));
    return runtimeProblems(value, vars.containerd_default_runtime, 'containerd_runtime_handlers').filter((p) => !own.has(p));
  },
  'containerd-version': (value, vars, warn) => {
    for (const w of containerdVersionWarnings(String(vars.kubernetes_version), String(value), String(vars.containerd_sandbox_image))) warn(w);
    return [];
  },
  'kubelet-configuration': (value, vars) => {
    const problem = cgroupDriverProblem(
      'kubelet_config.cgroupDriver',
      (value as Vars | undefined)?.cgroupDriver,
      ansibleBoolean(vars.containerd_systemd_cgroup),
      versionsOf(vars),
    );
    return problem ? [problem] : [];
  },
  /** The node name reaches the drain command on the controller: only a DNS-1123 name may. */
  'node-name': (value) =>
    typeof value === 'string' && DNS1123_SUBDOMAIN.test(value) && value.length <= 253
      ? []
      : [`provision_node_name ${JSON.stringify(value)} is not a Kubernetes node name (lower-case DNS-1123 subdomain)`],
  /** Carried from a node or set by hand: each name becomes a directory under certs.d, each host a [host] table. */
  'registry-hosts': (value, vars) =>
    registryMap('containerd_registry_hosts', value, (registry, v) =>
      // An entry taken over from containerd_registry_mirrors was checked there: one problem is reported once.
      isDeepStrictEqual(v, (vars.containerd_registry_mirrors as Vars | undefined)?.[registry])
        ? []
        : registryHostsFile(registry, v).hosts.map((h) => ({ url: h.url, shown: `host ${JSON.stringify(h.url)} is not an http(s) URL` })),
    ),
  'registry-mirrors': (value) =>
    registryMap('containerd_registry_mirrors', value, (registry, mirrors) =>
      (Array.isArray(mirrors) ? mirrors : [mirrors]).map((m) => ({
        url: typeof m === 'string' ? m : (m as Vars | null)?.url,
        shown: `mirror ${JSON.stringify(m)} is not an http(s) URL (or {url, capabilities, skip_verify})`,
        more: m && typeof m === 'object' ? mirrorProblems(registry, m as Vars) : [],
      })),
    ),
};

/** A map of registry name to its hosts: the name becomes a directory under certs.d (`../../systemd/system` must not), each URL a [host] table. */
function registryMap(variable: string, value: unknown, urlsOf: (registry: string, v: unknown) => { url: unknown; shown: string; more?: string[] }[]): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${variable} must map a registry name to its mirrors`];
  const problems: string[] = [];
  for (const [registry, v] of Object.entries(value as Vars)) {
    const bad = registryProblem(registry);
    if (bad) problems.push(`${variable}: registry name: ${bad}`);
    for (const { url, shown, more = [] } of urlsOf(registry, v)) {
      if (typeof url !== 'string' || !/^https?:\/\/[^\s"]+$/.test(url) || uncarriableProblem(url)) problems.push(`${variable}.${registry}: ${shown}`);
      else problems.push(...more);
    }
  }
  return problems;
}
