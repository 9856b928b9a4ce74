import { DNS1123_LABEL } from '../core/constants.js';
import { uncarriableProblem } from '../core/uncarriable.js';
import { normalizeRuntimes, type RuntimeContext, type RuntimeHandler, type RuntimeSpec } from './runtime-presets.js';

/**
 * Docker's `runtimes` and `default-runtime` (daemon.json) as containerd runtime handlers. Docker runs
 * an entry's `path` as the OCI runtime in runc's place (dockerd --add-runtime); containerd does the same
 * with a runc-type handler whose `BinaryName` is that path (its `io.containerd.runc.v2` shim execs it).
 * An entry with `runtimeType` (Docker 23+: a containerd shim) keeps its type and `options`.
 */
export interface DockerRuntime {
  path?: string;
  runtimeArgs?: string[];
  runtimeType?: string;
  options?: Record<string, string | boolean | number>;
}

export interface CarriedRuntimes {
  runtimes?: Record<string, DockerRuntime>;
  'default-runtime'?: string;
}

/** Docker's names for its built-in runc (daemon.json may not redefine them). */
const DOCKER_BUILTIN = new Set(['runc', 'io.containerd.runc.v2', 'io.containerd.runtime.v1.linux']);
const scalar = (v: unknown): v is string | boolean | number => ['string', 'boolean', 'number'].includes(typeof v);

/**
 * The `runtimes` and `default-runtime` keys of a parsed daemon.json, keeping only what has the shape
 * Docker reads (strings, a list of strings, scalar options), so the state file and the plan see the same.
 */
export function carriedRuntimeKeys(parsed: Record<string, unknown>): CarriedRuntimes {
  const out: CarriedRuntimes = {};
  const runtimes = parsed?.runtimes;
  if (runtimes && typeof runtimes === 'object' && !Array.isArray(runtimes)) {
    const kept: Record<string, DockerRuntime> = {};
    for (const name of Object.keys(runtimes).sort()) {
      const r = (runtimes as Record<string, unknown>)[name];
      if (!r || typeof r !== 'object' || Array.isArray(r)) continue;
      const e = r as Record<string, unknown>;
      const entry: DockerRuntime = {};
      if (typeof e.path === 'string') entry.path = e.path;
      if (Array.isArray(e.runtimeArgs)) entry.runtimeArgs = e.runtimeArgs.map(String);
      if (typeof e.runtimeType === 'string') entry.runtimeType = e.runtimeType;
      if (e.options && typeof e.options === 'object' && !Array.isArray(e.options))
        entry.options = Object.fromEntries(Object.entries(e.options).filter(([, v]) => scalar(v))) as DockerRuntime['options'];
      kept[name] = entry;
    }
    if (Object.keys(kept).length) out.runtimes = kept;
  }
  if (typeof parsed?.['default-runtime'] === 'string') out['default-runtime'] = parsed['default-runtime'];
  return out;
}

/**
 * runc's global flags that containerd's runc options carry (github.com/containerd/containerd
 * core/runtime/v2/runc/options: Root, SystemdCgroup); any other runtimeArg cannot be given to the
 * binary by containerd and is reported.
 */
function carryArgs(args: string[]): { options: Record<string, unknown>; dropped: string[] } {
  const options: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const root = /^--root(?:=(.+))?$/.exec(a);
    if (root && (root[1] ?? args[i + 1])) {
      options.Root = root[1] ?? args[++i];
    } else if (a === '--systemd-cgroup' || a === '--systemd-cgroup=true') options.SystemdCgroup = true;
    else dropped.push(a);
  }
  return { options, dropped };
}

/** One Docker runtime as a containerd handler, or why it cannot be carried. */
function handlerOf(name: string, r: DockerRuntime, systemdCgroup: boolean): { spec?: RuntimeSpec; notes: string[] } {
  const at = `daemon.json runtimes.${name}`;
  if (!DNS1123_LABEL.test(name) || name.length > 63)
    return {
      notes: [
        `${at}: "${name}" is no containerd handler name (a RuntimeClass handler is a DNS-1123 label): not carried; add it to containerd_runtimes under another name`,
      ],
    };
  if (r.runtimeType) {
    const bad =
      uncarriableProblem(r.runtimeType) ??
      Object.values(r.options ?? {})
        .map((v) => (typeof v === 'string' ? uncarriableProblem(v) : undefined))
        .find(Boolean);
    if (bad) return { notes: [`${at}: ${bad}: not carried`] };
    return { spec: { name, runtime_type: r.runtimeType, options: { ...(r.options ?? {}) }, runtime_class: name }, notes: [] };
  }
  const path = r.path ?? '';
  const bad = path ? uncarriableProblem(path) : 'no path';
  if (bad) return { notes: [`${at}: ${bad}: not carried`] };
  const { options, dropped } = carryArgs(r.runtimeArgs ?? []);
  const notes = dropped.length
    ? [
        `${at}: runtimeArgs ${dropped.join(' ')} cannot be carried (containerd's runc options hold only Root and SystemdCgroup): wrap ${path} in a script that adds them, and name that script in containerd_runtimes`,
      ]
    : [];
  return {
    spec: { name, runtime_type: 'io.containerd.runc.v2', options: { SystemdCgroup: systemdCgroup, BinaryName: path, ...options }, runtime_class: name },
    notes,
  };
}

export interface RuntimeCarryInput {
  carried: CarriedRuntimes;
  /** containerd_runtimes from the inventory (or its default): a handler of the same name wins. */
  inventoryRuntimes: RuntimeSpec[];
  ctx: RuntimeContext;
}

/**
 * containerd_runtime_handlers: the inventory's handlers, then Docker's that the inventory does not name
 * (a same-named one that differs is a note); and Docker's default-runtime as containerd's default
 * (runc, Docker's own default, changes nothing).
 */
export function carryRuntimes(input: RuntimeCarryInput): { handlers?: RuntimeSpec[]; defaultRuntime?: string; notes: string[] } {
  const notes: string[] = [];
  const mine = normalizeRuntimes(input.inventoryRuntimes, input.ctx);
  const added: RuntimeSpec[] = [];
  for (const [name, r] of Object.entries(input.carried.runtimes ?? {})) {
    if (DOCKER_BUILTIN.has(name)) continue;
    const { spec, notes: why } = handlerOf(name, r, input.ctx.systemdCgroup);
    notes.push(...why);
    if (!spec) continue;
    const same = mine.find((h) => h.name === name);
    if (same) {
      const theirs = normalizeRuntimes([spec], input.ctx)[0]!;
      if (differs(same, theirs))
        notes.push(`runtime ${name}: containerd_runtimes (${describe(same)}) wins over what Docker had (${describe(theirs)}, daemon.json runtimes.${name})`);
      continue;
    }
    added.push(spec);
    notes.push(`daemon.json runtimes.${name} carried as containerd handler ${name} (${describe(normalizeRuntimes([spec], input.ctx)[0]!)})`);
  }
  const dockerDefault = input.carried['default-runtime'];
  const names = [...mine.map((h) => h.name), ...added.map((s) => (typeof s === 'string' ? s : s.name))];
  let defaultRuntime: string | undefined;
  if (dockerDefault && !DOCKER_BUILTIN.has(dockerDefault)) {
    if (names.includes(dockerDefault)) {
      defaultRuntime = dockerDefault;
      notes.push(
        `daemon.json default-runtime ${dockerDefault} carried: containerd's default runtime is ${dockerDefault} (pods without a RuntimeClass run through it, as under Docker)`,
      );
    } else notes.push(`daemon.json default-runtime ${dockerDefault} names no carried runtime: containerd's default stays containerd_default_runtime`);
  }
  return { ...(added.length ? { handlers: [...input.inventoryRuntimes, ...added] } : {}), ...(defaultRuntime ? { defaultRuntime } : {}), notes };
}

const differs = (a: RuntimeHandler, b: RuntimeHandler) =>
  a.runtime_type !== b.runtime_type || (b.options.BinaryName !== undefined && a.options.BinaryName !== b.options.BinaryName);
const describe = (h: RuntimeHandler) => `${h.runtime_type}${typeof h.options.BinaryName === 'string' ? `, BinaryName ${h.options.BinaryName}` : ''}`;
