import { ansibleBoolean } from '../core/ansible-boolean.js';
import type { Vars } from './inventory.js';

/** How to reach a host, from Ansible's connection variables. */
export interface ConnectionSpec {
  /** `ssh` or `local` (ansible_connection). */
  type: 'ssh' | 'local';
  address: string;
  port: number;
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
    port: Number(str('ansible_port', 'ansible_ssh_port') ?? 22),
    become: ansibleBoolean(vars.ansible_become),
    becomeUser: str('ansible_become_user') ?? 'root',
  };
  const user = str('ansible_user', 'ansible_ssh_user');
  const key = str('ansible_ssh_private_key_file', 'ansible_private_key_file');
  const password = str('ansible_become_password', 'ansible_become_pass');
  if (user) spec.user = user;
  if (key) spec.privateKeyFile = key;
  if (password) spec.becomePassword = password;
  return spec;
}

