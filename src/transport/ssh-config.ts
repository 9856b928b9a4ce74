import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { UsageError } from '../core/errors.js';
import { expandIncludes } from './ssh-config-include.js';

/** What an OpenSSH client config says about one host; unset keys are undefined. */
export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly?: boolean;
  proxyJump?: string;
  userKnownHostsFile?: string;
  strictHostKeyChecking?: 'yes' | 'no' | 'accept-new' | 'ask';
  connectTimeoutSec?: number;
  serverAliveIntervalSec?: number;
  serverAliveCountMax?: number;
}

export interface SshConfigFile {
  file?: string;
  lookup(host: string): SshHostConfig;
}

/**
 * `~/.ssh/config` (or `-F FILE`), then the system's /etc/ssh/ssh_config (not with -F, as ssh),
 * parsed by the ssh-config package, with their Includes (ssh-config-include.ts); `lookup` gives the
 * first value of each keyword over the `Host` blocks that match, as ssh(1) does. A missing default
 * file is an empty config; a missing `-F` file is an error, as for ssh.
 */
export function readSshConfig(file?: string, opts: { home?: string; systemFile?: string } = {}): SshConfigFile {
  const home = opts.home ?? homedir();
  const path = file ?? join(home, '.ssh', 'config');
  const user = readConfigText(path, !!file);
  const system = file ? undefined : readConfigText(opts.systemFile ?? '/etc/ssh/ssh_config', false);
  if (!user && !system) return { lookup: () => ({ identityFiles: [] }) };
  const parsed = new Map<string, SSHConfig | undefined>();
  const userCtx = { base: join(home, '.ssh'), home, parsed };
  const systemCtx = { base: '/etc/ssh', home, parsed };
  const lookup = (host: string) => {
    const lines = [
      ...(user ? expandIncludes(user, host, userCtx, 0, [path]) : []),
      ...(system ? expandIncludes(system, host, systemCtx, 0, [opts.systemFile ?? '/etc/ssh/ssh_config']) : []),
    ];
    const config = SSHConfig.parse('');
    config.push(...lines);
    return hostConfig(config.compute(host) as Record<string, string | string[]>, host, home);
  };
  return { file: user ? path : undefined, lookup };
}

function readConfigText(path: string, required: boolean): SSHConfig | undefined {
  try {
    return SSHConfig.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if (required) throw new UsageError(`cannot read SSH config ${path}: ${(e as NodeJS.ErrnoException).code}`, { file: path });
    return undefined;
  }
}

function hostConfig(c: Record<string, string | string[]>, host: string, home: string): SshHostConfig {
  const one = (k: string) => {
    const v = c[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const num = (k: string) => (one(k) === undefined ? undefined : Number(one(k)));
  const yes = (k: string) => (one(k) === undefined ? undefined : one(k)!.toLowerCase() === 'yes');
  const hostName = one('HostName');
  const out: SshHostConfig = {
    hostName: hostName === undefined ? undefined : expandTokens(hostName, host),
    user: one('User'),
    port: num('Port'),
    identityFiles: [c.IdentityFile ?? []].flat().map((f) => expandPath(expandTokens(f, host), home)),
    identitiesOnly: yes('IdentitiesOnly'),
    proxyJump: one('ProxyJump'),
    userKnownHostsFile: one('UserKnownHostsFile') && expandPath(one('UserKnownHostsFile')!.split(/\s+/)[0]!, home),
    connectTimeoutSec: num('ConnectTimeout'),
    serverAliveIntervalSec: num('ServerAliveInterval'),
    serverAliveCountMax: num('ServerAliveCountMax'),
  };
  const strict = one('StrictHostKeyChecking')?.toLowerCase();
  if (strict) out.strictHostKeyChecking = strict === 'off' ? 'no' : strict === 'on' ? 'yes' : (strict as SshHostConfig['strictHostKeyChecking']);
  return out;
}

/** ssh_config's `%h` (the host as given) and `%%`; `~` at the start of a path. */
function expandTokens(value: string, host: string): string {
  return value.replace(/%([%h])/g, (_, t: string) => (t === 'h' ? host : '%'));
}

function expandPath(path: string, home: string): string {
  return path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/**
 * A jump host from Ansible's `ansible_ssh_common_args` / `ansible_ssh_extra_args`: `-J x`,
 * `-o ProxyJump=x`, `-oProxyJump=x` or `-o 'ProxyJump x'`.
 */
export function proxyJumpFromArgs(args: string): string | undefined {
  const m = /(?:^|\s)-J\s*['"]?([^\s'"]+)/.exec(args) ?? /-o\s*['"]?ProxyJump[=\s]+([^\s'"]+)/i.exec(args);
  return m?.[1];
}

/** `[user@]host[:port]`, one hop of a ProxyJump list. */
export function parseJump(spec: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec.replace(/^ssh:\/\//, ''));
  if (!m) throw new UsageError(`cannot read the jump host "${spec}": expected [user@]host[:port]`);
  return { user: m[1], host: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : undefined };
}
