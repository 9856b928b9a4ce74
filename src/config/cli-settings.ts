import { existsSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { Vars } from '../inventory/inventory.js';
import { ansibleSettings, type AnsibleSettings } from './ansible-cfg.js';

/** Ansible's default inventory when neither -i nor a setting names one. */
const DEFAULT_INVENTORY = '/etc/ansible/hosts';

/** The options ansible.cfg / ANSIBLE_* can give a default to, by commander option name. */
const FROM_SETTINGS: [option: string, setting: keyof AnsibleSettings][] = [
  ['inventory', 'inventory'],
  ['user', 'remoteUser'],
  ['privateKey', 'privateKeyFile'],
  ['forks', 'forks'],
  ['timeout', 'timeout'],
  ['become', 'become'],
  ['becomeUser', 'becomeUser'],
];

export interface OptionSource {
  opts(): Record<string, unknown>;
  getOptionValueSource(key: string): string | undefined;
  setOptionValueWithSource(key: string, value: unknown, source: 'default' | 'config' | 'env' | 'cli' | 'implied'): unknown;
  options: readonly { attributeName(): string }[];
}

/**
 * Fills a command's options that were not typed from ansible.cfg and ANSIBLE_* (flags win, then
 * the environment, then the file, then provision's defaults), as Ansible ranks them. With no `-i`
 * and no configured inventory it is Ansible's default, /etc/ansible/hosts.
 */
export function applyAnsibleSettings(cmd: OptionSource, settings: AnsibleSettings = ansibleSettings()): void {
  const has = new Set(cmd.options.map((o) => o.attributeName()));
  for (const [option, setting] of FROM_SETTINGS) {
    if (!has.has(option) || cmd.getOptionValueSource(option) === 'cli') continue;
    const value = settings[setting];
    if (value === undefined) continue;
    cmd.setOptionValueWithSource(option, typeof value === 'number' ? String(value) : value, 'config');
  }
  // As Ansible's setup_vault_secrets: the configured password file is tried besides those typed.
  if (has.has('vaultPasswordFile') && settings.vaultPasswordFile) {
    const typed = (cmd.opts().vaultPasswordFile as string[] | undefined) ?? [];
    cmd.setOptionValueWithSource('vaultPasswordFile', [...typed, settings.vaultPasswordFile], 'config');
  }
  if (has.has('inventory') && cmd.opts().inventory === undefined) {
    if (!existsSync(DEFAULT_INVENTORY)) {
      throw new UsageError(`no inventory: pass -i, or set inventory in ansible.cfg or ANSIBLE_INVENTORY (${DEFAULT_INVENTORY} does not exist)`);
    }
    cmd.setOptionValueWithSource('inventory', [DEFAULT_INVENTORY], 'default');
  }
  if (has.has('acceptNewHostKeys') && settings.hostKeyChecking === false && cmd.getOptionValueSource('acceptNewHostKeys') !== 'cli') {
    process.stderr.write(
      `[WARNING]: host_key_checking = False (${settings.file ?? 'ANSIBLE_HOST_KEY_CHECKING'}): provision adds unknown host keys to known_hosts (accept-new) and still refuses changed ones\n`,
    );
    cmd.setOptionValueWithSource('acceptNewHostKeys', true, 'config');
  }
}

export interface ConnectionFlags {
  user?: string;
  privateKey?: string;
  become?: boolean;
  becomeUser?: string;
}

/**
 * `-u`, `--private-key`, `-b`, `--become-user` (or their ansible.cfg settings) as the lowest layer
 * of a host's variables: Ansible lets `ansible_user`, `ansible_ssh_private_key_file`,
 * `ansible_become` and `ansible_become_user` from the inventory override the command line.
 */
export function connectionDefaults(flags: ConnectionFlags): Vars {
  const out: Vars = {};
  if (flags.user) out.ansible_user = flags.user;
  if (flags.privateKey) out.ansible_ssh_private_key_file = flags.privateKey;
  if (flags.become) out.ansible_become = true;
  if (flags.becomeUser) out.ansible_become_user = flags.becomeUser;
  return out;
}
