import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from '../core/constants.js';

/**
 * containerd runtime handlers. A handler's key under `runtimes.<key>` is what a Kubernetes
 * RuntimeClass's `handler` must name (mismatch: "no runtime for <x> is configured").
 */
export interface RuntimeHandler {
  name: string;
  runtime_type: string;
  options: Record<string, unknown>;
  privileged_without_host_devices?: boolean;
  pod_annotations?: string[];
  /** The RuntimeClass object's metadata.name. */
  runtime_class: string;
}

export type RuntimeSpec = string | (Partial<RuntimeHandler> & { name: string });

export interface RuntimeContext {
  systemdCgroup: boolean;
  runcBinary: string;
  runscConfigPath: string;
  /** crun_binary; Debian's crun package when not given. */
  crunBinary?: string;
}

/** Where Debian's `crun` package installs crun (packages.debian.org, bookworm, crun: file list). */
export const DEBIAN_CRUN = '/usr/bin/crun';

const PRESETS: Record<string, (ctx: RuntimeContext) => Omit<RuntimeHandler, 'name'>> = {
  runc: (ctx) => ({
    runtime_type: 'io.containerd.runc.v2',
    options: { SystemdCgroup: ctx.systemdCgroup, BinaryName: ctx.runcBinary },
    runtime_class: 'runc',
  }),
  // crun is runc-compatible (OCI runtime spec and runc's command line): containerd's runc shim runs
  // it by BinaryName (containerd docs/cri/config.md, runc options: BinaryName). Debian ships it.
  crun: (ctx) => ({
    runtime_type: 'io.containerd.runc.v2',
    options: { SystemdCgroup: ctx.systemdCgroup, BinaryName: ctx.crunBinary ?? DEBIAN_CRUN },
    runtime_class: 'crun',
  }),
  runsc: (ctx) => ({
    runtime_type: 'io.containerd.runsc.v1',
    options: { TypeUrl: 'io.containerd.runsc.v1.options', ConfigPath: ctx.runscConfigPath },
    runtime_class: 'gvisor',
  }),
  kata: () => ({
    runtime_type: 'io.containerd.kata.v2',
    options: {},
    privileged_without_host_devices: true,
    pod_annotations: ['io.katacontainers.*'],
    runtime_class: 'kata',
  }),
};

const RUNTIME_PRESETS = Object.keys(PRESETS);

/** Presets filled in and user fields merged over them (options merged key by key). */
export function normalizeRuntimes(specs: RuntimeSpec[], ctx: RuntimeContext): RuntimeHandler[] {
  return (specs ?? []).map((spec) => {
    const s = typeof spec === 'string' ? { name: spec } : spec;
    const preset = PRESETS[s.name]?.(ctx);
    const handler: RuntimeHandler = {
      ...(preset ?? { runtime_type: '', options: {}, runtime_class: s.name }),
      ...s,
      options: { ...(preset?.options ?? {}), ...(s.options ?? {}) },
    } as RuntimeHandler;
    return handler;
  });
}

/** Problems with `containerd_runtimes` / `containerd_default_runtime`, as messages. */
export function runtimeProblems(specs: unknown, defaultRuntime: unknown): string[] {
  if (!Array.isArray(specs) || specs.length === 0) return ['containerd_runtimes must be a non-empty list of handler names or objects'];
  const problems: string[] = [];
  const names: string[] = [];
  for (const spec of specs) {
    const s = typeof spec === 'string' ? { name: spec } : (spec as Record<string, unknown>);
    const name = typeof s?.name === 'string' ? s.name : undefined;
    if (!name) {
      problems.push(`containerd_runtimes: each entry needs a name, got ${JSON.stringify(spec)}`);
      continue;
    }
    names.push(name);
    if (!DNS1123_LABEL.test(name) || name.length > 63) {
      problems.push(`containerd_runtimes: "${name}" is not a DNS-1123 label (lower-case letters, digits, "-"), which a RuntimeClass handler must be`);
    }
    if (!PRESETS[name] && typeof s.runtime_type !== 'string') {
      problems.push(`containerd_runtimes: "${name}" is no preset (${RUNTIME_PRESETS.join(', ')}): give its runtime_type, e.g. io.containerd.runc.v2`);
    }
    if (s.runtime_class !== undefined && (typeof s.runtime_class !== 'string' || s.runtime_class.length > 253 || !DNS1123_SUBDOMAIN.test(s.runtime_class))) {
      problems.push(
        `containerd_runtimes: "${name}" has runtime_class ${JSON.stringify(s.runtime_class)}, which is no Kubernetes object name (DNS-1123 subdomain)`,
      );
    }
    const allowed = new Set(['name', 'runtime_type', 'options', 'privileged_without_host_devices', 'pod_annotations', 'runtime_class']);
    for (const key of Object.keys(s)) if (!allowed.has(key)) problems.push(`containerd_runtimes: "${name}" has unknown key "${key}"`);
  }
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (dupes.length) problems.push(`containerd_runtimes: "${dupes[0]}" is listed twice`);
  if (typeof defaultRuntime !== 'string' || !names.includes(defaultRuntime)) {
    problems.push(`containerd_default_runtime "${String(defaultRuntime)}" is not one of containerd_runtimes (${names.join(', ')})`);
  }
  return problems;
}

/** The containerd config schema for a containerd version: 2 for 1.x, 3 for 2.x. */
export function containerdConfigVersion(containerdVersion: string): number {
  const major = Number(/^v?(\d+)/.exec(containerdVersion)?.[1]);
  return major >= 2 ? 3 : 2;
}

/** The upstream host a registry name stands for, as containerd's hosts.toml `server` wants it. */
export function registryServer(registry: string): string {
  if (registry === 'docker.io') return 'https://registry-1.docker.io';
  return /^https?:\/\//.test(registry) ? registry : `https://${registry}`;
}
