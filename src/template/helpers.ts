import { containerdConfigVersion, normalizeRuntimes, registryServer, type RuntimeSpec } from '../domain/runtime-presets.js';
import { registryHostsFile } from '../domain/registry-hosts.js';
import { containerdHas } from '../domain/containerd-versions.js';
import { kubeletFlagList, kubeletRuntimeConfig } from '../domain/kubelet-flags.js';
import { compareVersions } from '../domain/versions.js';
import {
  commentText,
  jsonValue,
  shellWord,
  systemdArg,
  systemdExec,
  systemdValue,
  tmpfilesField,
  tomlKey,
  tomlValue,
  yamlBlock,
  yamlString,
} from './encoders.js';

type Helper = (...args: unknown[]) => unknown;

/** Handlebars passes an options object last; helpers only want the real arguments. */
const args = (list: unknown[]) => list.slice(0, -1);
const truthy = (v: unknown) => !(v === false || v === null || v === undefined || v === '' || v === 0 || (Array.isArray(v) && v.length === 0));

function deepMerge(...objects: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const obj of objects) {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
    for (const [k, v] of Object.entries(obj)) {
      const prev = out[k];
      out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
    }
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export const helpers: Record<string, Helper> = {
  // Encoders: every value a template writes goes through the one of its format.
  toml: (...a) => tomlValue(args(a)[0]),
  tomlKey: (...a) => tomlKey(String(args(a)[0])),
  json: (...a) => jsonValue(args(a)[0]),
  /** YAML block text, optionally indented by N spaces (for embedding under a key). */
  yaml: (...a) => yamlBlock(args(a)[0], Number(args(a)[1] ?? 0)),
  yamlString: (...a) => yamlString(String(args(a)[0])),
  systemdArg: (...a) => systemdArg(args(a)[0]),
  systemdExec: (...a) => systemdExec(args(a)[0]),
  systemdValue: (...a) => systemdValue(args(a)[0]),
  tmpfiles: (...a) => tmpfilesField(args(a)[0]),
  comment: (...a) => commentText(args(a)[0]),
  sh: (...a) => shellWord(args(a)[0]),
  /** Strings joined, to encode a composed value as one (`{{systemdArg (concat dir "/containerd")}}`). */
  concat: (...a) => args(a).map(String).join(''),
  eq: (...a) => args(a)[0] === args(a)[1],
  ne: (...a) => args(a)[0] !== args(a)[1],
  not: (...a) => !truthy(args(a)[0]),
  and: (...a) => args(a).every(truthy),
  or: (...a) => args(a).some(truthy),
  includes: (...a) => {
    const [list, item] = args(a);
    return Array.isArray(list) && list.some((x) => x === item || (x && typeof x === 'object' && (x as { name?: unknown }).name === item));
  },
  versionAtLeast: (...a) => compareVersions(String(args(a)[0]), String(args(a)[1])) >= 0,
  join: (...a) => {
    const [list, sep] = args(a);
    return Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ',') : '';
  },
  merge: (...a) => deepMerge(...args(a)),
  /** The `key: value` pairs of a hash: `(object a=1 b=x)`. */
  object: (...a) => ({ ...((a.at(-1) as { hash?: Record<string, unknown> }).hash ?? {}) }),
  /** A behaviour of a containerd release, from src/domain/containerd-versions.ts: `(containerdHas "cni-bin-dirs" containerd_version)`. */
  containerdHas: (...a) => containerdHas(String(args(a)[0]), String(args(a)[1])),
  containerdConfigVersion: (...a) => String(containerdConfigVersion(String(args(a)[0]))),
  containerdRuntimes: (...a) => {
    const [specs, systemdCgroup, runcBinary, runscConfigPath] = args(a);
    // Named arguments for what later presets need (crun=crun_binary): the positional list stays as templates use it.
    const named = (a.at(-1) as { hash?: Record<string, unknown> }).hash ?? {};
    return normalizeRuntimes(specs as RuntimeSpec[], {
      systemdCgroup: truthy(systemdCgroup),
      runcBinary: String(runcBinary),
      runscConfigPath: String(runscConfigPath),
      ...(named.crun !== undefined ? { crunBinary: String(named.crun) } : {}),
    });
  },
  registryServer: (...a) => registryServer(String(args(a)[0])),
  /** A containerd_registry_hosts entry (a list of mirrors, or a file carried from Docker) as {server, hosts}. */
  registryHostsFile: (...a) => registryHostsFile(String(args(a)[0]), args(a)[1]),
  dirname: (...a) => String(args(a)[0]).replace(/\/[^/]*\/?$/, '') || '/',
  length: (...a) => {
    const v = args(a)[0];
    return Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0;
  },
  gt: (...a) => Number(args(a)[0]) > Number(args(a)[1]),
  kubeletFlags: (...a) => {
    const [kubernetesVersion, configFile, kubeconfig, runtimeEndpoint, userFlags] = args(a);
    return kubeletFlagList({
      kubernetesVersion: String(kubernetesVersion),
      configFile: String(configFile),
      kubeconfig: String(kubeconfig),
      runtimeEndpoint: String(runtimeEndpoint),
      userFlags: (userFlags ?? {}) as Record<string, unknown>,
    });
  },
  kubeletRuntimeConfig: (...a) => {
    const [kubernetesVersion, systemdCgroup, runtimeEndpoint] = args(a);
    return kubeletRuntimeConfig(String(kubernetesVersion), truthy(systemdCgroup), String(runtimeEndpoint));
  },
};
