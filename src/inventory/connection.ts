import { InventoryError } from '../core/errors.js';
import { maskSecrets as maskAll } from '../core/secrets.js';
import { ansibleBoolean } from '../core/ansible-boolean.js';
import type { Vars } from './inventory.js';
import { originOf } from './provenance.js';

/** How to reach a host, from Ansible's connection variables. */
export interface ConnectionSpec {
  /** `ssh` or `local` (ansible_connection). */
  type: 'ssh' | 'local';
  address: string;
  port: number;
  /** No inventory variable set the port: ssh_config's Port may give it, as with ssh. */
  defaultPort?: boolean;
  /** `ansible_ssh_common_args` and `ansible_ssh_extra_args`, for `-J`/`-o ProxyJump=`/`-F`. */
  sshArgs?: string;
  user?: string;
  privateKeyFile?: string;
  become: boolean;
  becomeUser: string;
  becomePassword?: string;
}

export function connectionOf(hostName: string, vars: Vars): ConnectionSpec {
  const str = (...keys: string[]) => {
    for (const k of keys) if (vars[k] !== undefined && vars[k] !== null && vars[k] !== '') return String(vars[k]);
    return undefined;
  };
  const spec: ConnectionSpec = {
    type: str('ansible_connection') === 'local' ? 'local' : 'ssh',
    address: str('ansible_host', 'ansible_ssh_host') ?? hostName,
    port: portOf(hostName, vars),
    become: ansibleBoolean(vars.ansible_become),
    becomeUser: str('ansible_become_user') ?? 'root',
  };
  const user = str('ansible_user', 'ansible_ssh_user');
  const key = str('ansible_ssh_private_key_file', 'ansible_private_key_file');
  const password = str('ansible_become_password', 'ansible_become_pass');
  const sshArgs = [str('ansible_ssh_common_args'), str('ansible_ssh_extra_args')].filter(Boolean).join(' ');
  if (str('ansible_port', 'ansible_ssh_port') === undefined) spec.defaultPort = true;
  if (sshArgs) spec.sshArgs = sshArgs;
  if (user) spec.user = user;
  if (key) spec.privateKeyFile = key;
  if (password) spec.becomePassword = password;
  return spec;
}

/**
 * A copy of `vars` with secret-named values masked, and vault-decrypted values and URL credentials
 * masked wherever they sit (nested in maps and lists, or inside a longer string).
 */
export function maskSecrets(vars: Vars): Vars {
  return maskAll(vars);
}

/** ansible_port as a TCP port; anything else is refused rather than quietly becoming port 22. */
function portOf(host: string, vars: Vars): number {
  const key = ['ansible_port', 'ansible_ssh_port'].find((k) => vars[k] !== undefined && vars[k] !== null && vars[k] !== '');
  if (key === undefined) return 22;
  const text = String(vars[key]);
  const port = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new InventoryError(`${key} must be a port number 1-65535, got "${text}"`, { host, ...originOf(vars, key) });
  return port;
}
