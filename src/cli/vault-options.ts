import { readVaultPasswordFile, useVaultPasswords } from '../inventory/vault.js';
import { promptSecret } from './prompt.js';

export interface VaultOptions {
  /** Repeatable on the command line; one path when it comes from ansible.cfg / ANSIBLE_VAULT_PASSWORD_FILE. */
  vaultPasswordFile?: string[] | string;
  askVaultPass?: boolean;
}

/** The run's vault passwords, from files (or scripts) and the prompt, each tried in turn as Ansible does. */
export async function useVaultOptions(opts: VaultOptions): Promise<void> {
  const files = opts.vaultPasswordFile === undefined ? [] : [opts.vaultPasswordFile].flat();
  const passwords = files.map(readVaultPasswordFile);
  if (opts.askVaultPass) passwords.push(await promptSecret('Vault password: '));
  useVaultPasswords(passwords);
}
