import { parseAnsibleBoolean } from '../core/ansible-boolean.js';
import { normalizeRuntimes, type RuntimeSpec } from '../domain/runtime-presets.js';
import { CONTAINERD_DROPIN_IMPORTS } from '../domain/containerd-versions.js';
import { configDumpFact } from '../facts/config-dump.js';
import { factValue } from '../facts/fact.js';
import { q } from '../transport/shell.js';
import { lazyRequire } from '../core/lazy-require.js';
import { deepFreeze, FrozenMemo, TextMemo } from '../core/frozen-memo.js';
import type { ArgSpec } from '../tasks/task-type.js';
import { commandFact, defineCheckType } from './check-type.js';

/** containerd's rule: runtime_type io.containerd.<name>.<version> runs containerd-shim-<name>-<version>. */
export function shimBinary(runtimeType: string): string | undefined {
  const m = /^io\.containerd\.([a-z0-9]+)\.(v\d+)$/.exec(runtimeType);
  return m ? `containerd-shim-${m[1]}-${m[2]}` : undefined;
}

// Loaded when a dump is read (verification), not by every command that loads the check types.
const toml = lazyRequire<typeof import('smol-toml')>('smol-toml');

// A fleet's nodes print the same dump: parsed once per distinct text (the parse was most of a no-op's verification).
const dumps = new TextMemo<Readonly<Record<string, string>> | null>();

/** Handler name -> runtime_type from `containerd config dump` (config version 2 or 3); frozen, shared by the nodes that print the same dump. */
export function loadedRuntimes(dump: string): Readonly<Record<string, string>> | undefined {
  return dumps.get(dump, (text) => parseRuntimes(text) ?? null) ?? undefined;
}

function parseRuntimes(dump: string): Record<string, string> | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: parsed TOML is walked by key
  let config: Record<string, any>;
  try {
    // biome-ignore lint/suspicious/noExplicitAny: parsed TOML is walked by key
    config = toml().parse(dump) as Record<string, any>;
  } catch {
    return undefined;
  }
  const runtimes =
    config.plugins?.['io.containerd.grpc.v1.cri']?.containerd?.runtimes ?? config.plugins?.['io.containerd.cri.v1.runtime']?.containerd?.runtimes ?? {};
  return Object.fromEntries(Object.entries(runtimes as Record<string, { runtime_type?: string }>).map(([k, r]) => [k, String(r.runtime_type ?? '')]));
}

// What the checks derive from their (frozen, class-shared) arguments is made once per arguments, not per host.
const derived = new FrozenMemo<unknown>();
const fromArgs = <T>(what: string, args: Record<string, unknown>, make: () => T): T => derived.get(args, { what }, () => deepFreeze(make())) as T;

export const handlersOf = (args: Record<string, unknown>) => fromArgs('handlers', args, () => normalizeHandlers(args));
const normalizeHandlers = (args: Record<string, unknown>) =>
  normalizeRuntimes(args.runtimes as RuntimeSpec[], {
    systemdCgroup: parseAnsibleBoolean(args.systemd_cgroup) === true,
    runcBinary: String(args.runc_binary),
    runscConfigPath: String(args.runsc_config),
    ...(args.crun_binary !== undefined ? { crunBinary: String(args.crun_binary) } : {}),
    nvidiaRuntime: typeof args.nvidia_runtime === 'string' ? args.nvidia_runtime : undefined,
  });
const dumpFact = (args: Record<string, unknown>) => fromArgs('dump', args, () => makeDumpFact(args));
const makeDumpFact = (args: Record<string, unknown>) => configDumpFact(`${args.bin_dir}/containerd`, String(args.config), CONTAINERD_DROPIN_IMPORTS.glob);
/** The arguments that say which handlers are configured and where their binaries are (this check's and the pod check's). */
export const HANDLER_ARGS: Record<string, ArgSpec> = {
  bin_dir: { type: 'string', required: true, doc: "where containerd's binaries are" },
  runtimes: { type: 'list', required: true, doc: 'the runtime handlers, as containerd_runtimes' },
  systemd_cgroup: { type: 'boolean', doc: "runc's SystemdCgroup" },
  runc_binary: { type: 'string', doc: "runc's BinaryName" },
  runsc_config: { type: 'string', doc: "runsc's ConfigPath" },
  crun_binary: { type: 'string', doc: "crun's BinaryName (the crun preset)" },
  nvidia_runtime: { type: 'string', doc: "the nvidia preset's BinaryName" },
};

/** The handlers' shims and BinaryNames that are on the node, one a line. */
export const shimsFact = (args: Record<string, unknown>) => fromArgs('shims', args, () => makeShimsFact(args));
const makeShimsFact = (args: Record<string, unknown>) => {
  const shims = [
    ...new Set(
      handlersOf(args)
        .map((h) => shimBinary(h.runtime_type))
        .filter((s): s is string => !!s),
    ),
  ];
  const binaries = binaryNames(args);
  return commandFact(
    'shims',
    [
      ...shims.map((s) => `{ command -v ${q(s)} || [ -x ${q(`${args.bin_dir}/${s}`)} ]; } >/dev/null && echo ${q(s)}`),
      ...binaries.map((b) => `[ -f ${q(b)} ] && [ -x ${q(b)} ] && echo ${q(b)}`),
      'true',
    ].join('\n'),
  );
};
/** The OCI runtimes handlers name by path (runc's BinaryName): containerd execs them for every pod. */
const binaryNames = (args: Record<string, unknown>) =>
  [...new Set(handlersOf(args).map((h) => h.options.BinaryName))].filter((b): b is string => typeof b === 'string' && b.startsWith('/'));

/**
 * Every configured runtime handler is in the config containerd actually loads, with its
 * runtime_type; a handler whose shim binary is missing is a warning: it is configured, but pods
 * with its RuntimeClass would fail to start.
 */
export const containerdRuntimesCheck = defineCheckType({
  name: 'containerd_runtimes',
  doc: 'every runtime handler is in what containerd loads (`containerd config dump`), and its shim is on the node (else a warning)',
  args: {
    ...HANDLER_ARGS,
    config: { type: 'string', required: true, doc: 'the config file containerd runs with' },
  },
  facts: (args) => [dumpFact(args), shimsFact(args)],
  judge(args, facts) {
    const failures: string[] = [];
    const warnings: string[] = [];
    const d = factValue(facts, dumpFact(args));
    const loaded = d.code === 0 ? loadedRuntimes(d.out) : undefined;
    if (!loaded) failures.push(`containerd config dump failed: ${d.out.trim().split('\n').pop()}`);
    const found = new Set(factValue(facts, shimsFact(args)).out.split('\n').filter(Boolean));
    for (const h of handlersOf(args)) {
      const got = loaded?.[h.name];
      if (loaded && !got) failures.push(`runtime handler "${h.name}" is not in containerd's loaded config`);
      else if (got && got !== h.runtime_type) failures.push(`runtime handler "${h.name}" has runtime_type ${got}, expected ${h.runtime_type}`);
      const shim = shimBinary(h.runtime_type);
      if (shim && !found.has(shim))
        warnings.push(`runtime handler "${h.name}" needs ${shim}, which is not on the node: pods with RuntimeClass ${h.runtime_class} will fail to start`);
      const binary = h.options.BinaryName;
      if (typeof binary === 'string' && binary.startsWith('/') && !found.has(binary))
        failures.push(`runtime handler "${h.name}" runs BinaryName ${binary}, which is not an executable on the node: every pod it starts would fail`);
    }
    return { failures, warnings };
  },
});
