import { ansibleBoolean } from '../core/ansible-boolean.js';
import { lazyRequire } from '../core/lazy-require.js';
import { containerdHas } from './containerd-versions.js';
import { type ContainerdConfigFile, containerdConfigFileFact } from '../facts/containerd-config-file.js';
import type { Fact } from '../facts/fact.js';

// Loaded when a node's config is judged, not by every command that loads the domain tables.
const toml = lazyRequire<typeof import('smol-toml')>('smol-toml');

/**
 * What another tool (containerd.io's packaging, the NVIDIA container toolkit, a security agent, an
 * operator by hand) configured in the node's containerd config.toml, which the config provision writes
 * whole would drop: runtime handlers and registry settings. Each is refused in the preflight unless the
 * inventory takes it over (a handler of the same name in containerd_runtimes, a registry in
 * containerd_registry_mirrors) or containerd_drop_existing_settings says to drop it.
 * Plugin paths: containerd docs/cri/config.md (version 2: io.containerd.grpc.v1.cri; version 3:
 * io.containerd.cri.v1.runtime and io.containerd.cri.v1.images; version 1: cri).
 */
export interface ExistingSettings {
  handlers: { name: string; detail: string }[];
  registries: { name: string; detail: string }[];
}

/** The first line of every config.toml provision writes: its own settings are the inventory's already. */
const OURS = /^# Managed by provision/;

// biome-ignore lint/suspicious/noExplicitAny: parsed TOML is walked by key
type Toml = Record<string, any>;

export function existingSettings(file: ContainerdConfigFile): ExistingSettings | { unreadable: string } | undefined {
  if (!file.exists || OURS.test(file.text)) return undefined;
  if (file.truncated) return { unreadable: 'it is larger than 256 KiB' };
  let config: Toml;
  try {
    config = toml().parse(file.text) as Toml;
  } catch (e) {
    return { unreadable: `it is not valid TOML (${(e as Error).message.split('\n')[0]})` };
  }
  const plugins = (config.plugins ?? {}) as Toml;
  const runtime = plugins['io.containerd.cri.v1.runtime'] ?? plugins['io.containerd.grpc.v1.cri'] ?? plugins.cri ?? {};
  const images = plugins['io.containerd.cri.v1.images'] ?? plugins['io.containerd.grpc.v1.cri'] ?? plugins.cri ?? {};
  const handlers = Object.entries((runtime.containerd?.runtimes ?? {}) as Toml).map(([name, r]) => ({
    name,
    detail: `${String(r?.runtime_type ?? 'no runtime_type')}${typeof r?.options?.BinaryName === 'string' ? `, BinaryName ${r.options.BinaryName}` : ''}`,
  }));
  const registry = (images.registry ?? {}) as Toml;
  const registries = [
    ...Object.keys(registry.mirrors ?? {}).map((name) => ({ name, detail: 'registry.mirrors' })),
    ...Object.keys(registry.configs ?? {}).map((name) => ({ name, detail: 'registry.configs' })),
  ];
  if (typeof registry.config_path === 'string' && registry.config_path !== '')
    registries.push({ name: `config_path ${registry.config_path}`, detail: 'registry.config_path' });
  return { handlers, registries };
}

export interface ExistingVerdict {
  problems: string[];
  notes: string[];
}

/** Each setting of the node's own config that the new config would drop: refused, kept by the inventory, or dropped as told. */
export function existingSettingsVerdict(file: ContainerdConfigFile, path: string, vars: Record<string, unknown>): ExistingVerdict {
  const found = existingSettings(file);
  const out: ExistingVerdict = { problems: [], notes: [] };
  if (!found) return out;
  const drop = ansibleBoolean(vars.containerd_drop_existing_settings);
  if ('unreadable' in found) {
    (drop ? out.notes : out.problems).push(
      `${path} cannot be read for settings of its own: ${found.unreadable}${drop ? '; replaced (containerd_drop_existing_settings)' : '; look at it, then set containerd_drop_existing_settings: true to replace it'}`,
    );
    return out;
  }
  const handlerNames = new Set(
    ((vars.containerd_runtime_handlers ?? vars.containerd_runtimes ?? []) as unknown[]).map((h) =>
      typeof h === 'string' ? h : (h as { name?: string })?.name,
    ),
  );
  const hosts = Object.keys((vars.containerd_registry_hosts ?? vars.containerd_registry_mirrors ?? {}) as object);
  const configPath = String(vars.containerd_registry_config_path ?? '');
  const lost: string[] = [];
  for (const h of found.handlers) {
    if (handlerNames.has(h.name)) out.notes.push(`${path}: runtime handler ${h.name} (${h.detail}) is taken over by the inventory's handler of that name`);
    else lost.push(`runtime handler ${h.name} (${h.detail})`);
  }
  for (const r of found.registries) {
    const taken = r.detail === 'registry.config_path' ? r.name === `config_path ${configPath}` : hosts.includes(r.name);
    if (taken) out.notes.push(`${path}: ${r.detail} ${r.name} is taken over by the inventory`);
    else lost.push(r.detail === 'registry.config_path' ? `registry ${r.name}` : `registry setting ${r.detail} ${r.name}`);
  }
  if (!lost.length) return out;
  if (drop) out.notes.push(`${path}: dropped as containerd_drop_existing_settings says: ${lost.join('; ')}`);
  else
    out.problems.push(
      `${path} has settings of its own that the config provision writes would drop: ${lost.join('; ')}. Take them over in the inventory (containerd_runtimes, containerd_registry_mirrors), move them to a drop-in under containerd_dropin_dir, or set containerd_drop_existing_settings: true`,
    );
  return out;
}

/** The node's config file, read in the preflight's first gather (a roles dir of your own may not declare the variable). */
export function existingConfigFact(vars: Record<string, unknown>): Fact<ContainerdConfigFile> {
  return containerdConfigFileFact(
    String(vars.containerd_config_file ?? '/etc/containerd/config.toml'),
    String(vars.containerd_dropin_dir ?? '/etc/containerd/conf.d'),
  );
}

/** The preflight's verdict on the node's own containerd settings, for hosts whose roles write containerd's config. */
/** `declared`: the preflight kinds of the host's roles; only a role that writes containerd's config (`containerd-config`) drops what is there. */
export function existingConfigVerdict(file: ContainerdConfigFile | undefined, vars: Record<string, unknown>, declared: ReadonlySet<string>): ExistingVerdict {
  if (!file || !declared.has('containerd-config')) return { problems: [], notes: [] };
  const verdict = existingSettingsVerdict(file, String(vars.containerd_config_file ?? '/etc/containerd/config.toml'), vars);
  const dropins = dropinVerdict(file.dropins ?? {}, String(vars.containerd_version ?? ''));
  verdict.problems.push(...dropins.problems);
  verdict.notes.push(...dropins.notes);
  return verdict;
}

/** The CRI plugin sections provision writes, by config version (containerd docs/cri/config.md). */
const CRI_PLUGINS = ['io.containerd.grpc.v1.cri', 'io.containerd.cri.v1.runtime', 'io.containerd.cri.v1.images', 'cri'];

/**
 * How containerd merges an imported drop-in into the main config, by version. 1.x: per plugin, a drop-in's
 * [plugins."<id>"] replaces that plugin's whole section of the main config (checked with containerd 1.6.20's
 * config dump: a drop-in adding one runtime handler dropped the others and reset sandbox_image; the source's
 * mergeConfig replaces `to.Plugins[k]` for every key of the drop-in). 2.0 and later: key by key, a drop-in's
 * value winning (containerd#9982, "Allow sections of Plugins to be merged", released in 2.0.0; mergeConfig in
 * cmd/containerd/server/config/config.go keeps only mergo's deep merge; no 2.x binary here to check it on).
 * (The `imports-merge-keys` row of CONTAINERD_FEATURES.) So on 1.x a drop-in that sets a CRI plugin would silently undo the config provision writes (refused); on 2.x
 * it overrides only the keys it sets (named in a note: a handler it adds is kept beside provision's).
 */
export function dropinVerdict(dropins: Record<string, string>, containerdVersion: string): ExistingVerdict {
  const out: ExistingVerdict = { problems: [], notes: [] };
  const wholeSection = !containerdHas('imports-merge-keys', containerdVersion.replace(/^v/, ''));
  for (const [path, text] of Object.entries(dropins)) {
    let plugins: Toml;
    try {
      plugins = ((toml().parse(text) as Toml).plugins ?? {}) as Toml;
    } catch (e) {
      out.problems.push(`${path} is imported by containerd but is not valid TOML (${(e as Error).message.split('\n')[0]}): fix or remove it`);
      continue;
    }
    const touched = CRI_PLUGINS.filter((id) => plugins[id] !== undefined);
    if (!touched.length) continue;
    if (wholeSection)
      out.problems.push(
        `${path} sets [plugins."${touched[0]}"]: containerd ${containerdVersion} imports a plugin's section whole, so it would replace the CRI settings provision writes (runtime handlers, sandbox image, registry); take its settings over in the inventory (containerd_runtimes, containerd_registry_mirrors) and remove the file, or carry the whole CRI section in it`,
      );
    else {
      const keys = touched.flatMap((id) => leafKeys(plugins[id], [])).map((k) => k.join('.'));
      if (!keys.length) continue;
      const shown = keys.length > 8 ? `${keys.slice(0, 8).join(', ')} and ${keys.length - 8} more` : keys.join(', ');
      out.notes.push(
        `${path} sets CRI settings that containerd ${containerdVersion} merges over the config provision writes, key by key, its values winning: ${shown}`,
      );
    }
  }
  return out;
}

/** The dotted paths of a parsed TOML table's values (a table's own keys, not its sub-tables, are the leaves). */
function leafKeys(value: unknown, at: string[]): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return [at];
  return Object.entries(value as Toml).flatMap(([k, v]) => leafKeys(v, [...at, k]));
}
