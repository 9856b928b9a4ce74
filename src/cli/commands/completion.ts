import type { Command } from 'commander';
import { defaultRolesDir, defaultTemplateDir } from '../../core/paths.js';
import { UsageError } from '../../core/errors.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import { loadRoles } from '../../roles/load-roles.js';
import { completionSpec } from '../completion/completion-spec.js';
import { bashScript, fishScript, zshScript } from '../completion/scripts.js';
import { out } from '../terminal-text.js';

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript };

/** `provision completion bash|zsh|fish`, and `--list-hosts -i INV` that the scripts call for --limit. */
export function completionCommand(program: Command, shell: string | undefined, opts: { listHosts?: boolean; inventory?: string[] }): void {
  if (opts.listHosts) {
    if (!opts.inventory?.length) return;
    const inv = loadInventory(opts.inventory);
    out(`${[...inv.hosts.keys(), ...inv.groups.keys()].join('\n')}\n`);
    return;
  }
  const make = SHELLS[shell as keyof typeof SHELLS];
  if (!make) throw new UsageError(`completion takes bash, zsh or fish, got "${shell ?? ''}"`);
  const roles = loadRoles(defaultRolesDir, defaultTemplateDir).roles.flatMap((r) => [r.name, ...r.aliases]);
  out(make(completionSpec(program, roles.sort())));
}
