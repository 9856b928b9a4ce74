import { registryServer } from './runtime-presets.js';

/**
 * One `certs.d/<registry>/hosts.toml`: the hosts tried in order, then `server`.
 * https://github.com/containerd/containerd/blob/main/docs/hosts.md
 */
export interface RegistryHost {
  url: string;
  capabilities: string[];
  skip_verify?: boolean;
  ca?: string[];
  client?: [string, string][];
}

export interface RegistryHostsFile {
  server: string;
  hosts: RegistryHost[];
}

/** What `containerd_registry_mirrors` accepts per mirror: a URL or `{url, capabilities, skip_verify}`. */
export type MirrorSpec = string | { url?: unknown; capabilities?: unknown; skip_verify?: unknown };

export function mirrorHost(m: MirrorSpec): RegistryHost {
  if (typeof m === 'string') return { url: m, capabilities: ['pull', 'resolve'] };
  const host: RegistryHost = {
    url: String(m.url),
    capabilities: Array.isArray(m.capabilities) ? m.capabilities.map(String) : ['pull', 'resolve'],
  };
  if (m.skip_verify === true) host.skip_verify = true;
  return host;
}

/**
 * A registry's hosts.toml from either shape a `containerd_registry_hosts` entry takes: the inventory's
 * list of mirrors (containerd_registry_mirrors), or a file carried from Docker ({server, hosts}).
 */
export function registryHostsFile(registry: string, value: unknown): RegistryHostsFile {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'hosts' in value) {
    const v = value as { server?: unknown; hosts: RegistryHost[] };
    return { server: typeof v.server === 'string' ? v.server : registryServer(registry), hosts: v.hosts };
  }
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return { server: registryServer(registry), hosts: (list as MirrorSpec[]).map(mirrorHost) };
}
