import { ValidationError } from '../core/errors.js';
import type { Vars } from './inventory.js';

export type Support = 'supported' | 'ignored with a warning' | 'refused';

/**
 * What provision does with each Ansible connection variable (the README's table is this table).
 * Names and meanings: https://docs.ansible.com/ansible/latest/inventory_guide/intro_inventory.html#connecting-to-hosts-behavioral-inventory-parameters
 */
type Problem = { error?: string; warning?: string };

export const ANSIBLE_VARIABLES: { name: string; support: Support; what: string; check?: (v: unknown) => Problem | undefined }[] = [
  { name: 'ansible_host, ansible_ssh_host', support: 'supported', what: 'address to connect to; ssh_config `Host` blocks match it' },
  { name: 'ansible_port, ansible_ssh_port', support: 'supported', what: 'SSH port (else ssh_config `Port`, else 22)' },
  { name: 'ansible_user, ansible_ssh_user', support: 'supported', what: 'SSH user (over `-u`, ssh_config `User`, the local user)' },
  { name: 'ansible_ssh_private_key_file, ansible_private_key_file', support: 'supported', what: 'private key (over `--private-key`)' },
  {
    name: 'ansible_connection',
    support: 'supported',
    what: '`ssh` (default) or `local`; any other plugin is refused',
    check: (v) =>
      ['ssh', 'local', 'smart'].includes(String(v))
        ? undefined
        : { error: `ansible_connection=${String(v)} is not supported: provision connects with ssh or local` },
  },
  { name: 'ansible_become, ansible_become_user', support: 'supported', what: 'sudo, as this user (over `-b`, `--become-user`)' },
  { name: 'ansible_become_password, ansible_become_pass', support: 'supported', what: 'sudo password, given on stdin; masked in output' },
  {
    name: 'ansible_become_method',
    support: 'supported',
    what: '`sudo` only; others are refused',
    check: (v) => (String(v) === 'sudo' ? undefined : { error: `ansible_become_method=${String(v)} is not supported: provision becomes with sudo` }),
  },
  {
    name: 'ansible_ssh_common_args, ansible_ssh_extra_args',
    support: 'supported',
    what: '`-J`, `-o ProxyJump=`, `-F FILE`; other options are ignored with a warning',
    check: sshArgsWarning,
  },
  { name: 'ansible_password, ansible_ssh_pass', support: 'refused', what: 'SSH password login: use keys or the ssh-agent' },
  { name: 'ansible_group_priority', support: 'supported', what: 'orders group vars of the same depth (inventory file only, as Ansible)' },
  { name: 'ansible_python_interpreter', support: 'ignored with a warning', what: 'provision runs POSIX sh on nodes, no Python' },
  { name: 'ansible_ssh_pipelining, ansible_pipelining', support: 'ignored with a warning', what: 'scripts always go through one connection on stdin' },
  { name: 'ansible_shell_type, ansible_shell_executable', support: 'ignored with a warning', what: 'scripts run with /bin/sh' },
  { name: 'ansible_become_flags, ansible_become_exe', support: 'ignored with a warning', what: 'sudo is run as `sudo -S -u USER`' },
  { name: 'ansible_ssh_timeout, ansible_timeout', support: 'ignored with a warning', what: 'use `-T/--timeout` or ssh_config `ConnectTimeout`' },
];

/** Options besides -J, -o ProxyJump= and -F are not applied: a warning names them. */
function sshArgsWarning(v: unknown): Problem | undefined {
  const rest = String(v)
    .replace(/(?:^|\s)-J\s*\S+/g, ' ')
    .replace(/-o\s*['"]?ProxyJump[=\s]+[^\s'"]+['"]?/gi, ' ')
    .replace(/(?:^|\s)-F\s*\S+/g, ' ')
    .trim();
  return rest ? { warning: `"${rest}" is ignored: provision reads only -J, -o ProxyJump= and -F from it` } : undefined;
}

/**
 * A host's Ansible variables against the table: refused ones are errors (before any connection),
 * ignored ones warnings ("host: name ...").
 */
export function checkAnsibleVariables(host: string, vars: Vars): string[] {
  const warnings: string[] = [];
  for (const row of ANSIBLE_VARIABLES) {
    for (const name of row.name.split(', ')) {
      const value = vars[name];
      if (value === undefined || value === null || value === '') continue;
      if (row.support === 'refused') throw new ValidationError(`host ${host}: ${name} is not supported: ${row.what}`, { host });
      if (row.support === 'ignored with a warning') warnings.push(`${host}: ${name} is ignored: ${row.what}`);
      const problem = row.check?.(value);
      if (problem?.error) throw new ValidationError(`host ${host}: ${problem.error}`, { host });
      if (problem?.warning) warnings.push(`${host}: ${name} ${problem.warning}`);
    }
  }
  return warnings;
}

/** The README table. */
export function ansibleVariablesMarkdown(): string {
  return `${[
    '| variable | provision | what it does |',
    '|---|---|---|',
    ...ANSIBLE_VARIABLES.map((r) => `| \`${r.name.split(', ').join('`, `')}\` | ${r.support} | ${r.what} |`),
  ].join('\n')}\n`;
}
