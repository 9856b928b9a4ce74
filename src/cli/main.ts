#!/usr/bin/env node
import type { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BACKUP_ROOT, DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_FORKS } from '../core/constants.js';
import { ExitCode, exitCodeFor } from '../core/exit-codes.js';
import { formatError } from './format-error.js';
import { switchOffOnClosedPipe } from './output.js';
import { err, out } from './terminal-text.js';

/** Thin CLI: each command parses options and calls one core function, loaded only when used. */
// long-function: the command table, one registration per command read top to bottom; each action is one call into commands/.
export async function main(argv: string[]): Promise<number> {
  switchOffOnClosedPipe(process.stdout);
  switchOffOnClosedPipe(process.stderr);
  // Handled before commander is even loaded (the version is start-up alone), and before the subcommands
  // parse, so that apply's required -i does not stand in the way.
  if (argv[0] === '--version') {
    out(`${(await import('./commands/version.js')).versionText()}\n`);
    return ExitCode.ok;
  }
  const { Command, CommanderError } = await import('commander');
  const program = new Command('provision')
    .description('Provision Kubernetes worker nodes the Ansible way: Docker Engine to containerd, node by node.')
    .showHelpAfterError()
    .exitOverride()
    .option('--version', 'print the version and where roles and templates are loaded from');
  // ansible.cfg and ANSIBLE_* fill in what was not typed, before any command runs.
  // (Not for `completion`: its -i is optional, only for listing hosts.)
  program.hook('preAction', async (_program, command) => {
    if (command.name() === 'completion') return;
    (await import('../config/cli-settings.js')).applyAnsibleSettings(command);
    await (await import('./vault-options.js')).useVaultOptions(command.opts());
  });

  let exitCode: number = ExitCode.ok;

  connection(targets(program.command('apply', { isDefault: true }), { roles: true }))
    .description('apply the roles to the selected hosts (the default command)')
    .option('-C, --check', 'plan and report what would change; change nothing')
    .option('-D, --diff', 'show file diffs and before/after of states')
    .option('--verify-content', "read every installed archive member and download, instead of trusting receipts' quick check (size, mtime)")
    .option('-f, --forks <n>', 'hosts in parallel', String(DEFAULT_FORKS))
    .option('--serial <n>', 'hosts per wave (window: in flight): a number, a percentage or a comma-separated list (as Ansible serial)')
    .option('--max-fail-percentage <pct>', 'start no new host once more than this share of the selected hosts failed (over the whole run)')
    .option('--step', 'pause after every wave (window: every host) and ask on the terminal whether to go on')
    .option('--yes', 'go on at every pause without asking (provision_pause_after, --step)')
    .option(
      '--resume [run-id]',
      'continue a run from its journal (default: the latest run of this inventory, --limit, roles and -e): done hosts skipped, drained ones not drained again',
    )
    .option('--retry-failed', 'with --resume: run the hosts that failed again')
    .option('--disable-eviction', 'drain by deleting pods instead of evicting them: bypasses PodDisruptionBudgets (risky: see README)')
    .option('--task-timeout <seconds>', "end a task's processes on the node and fail it after this long (default: provision_task_timeout, 600; 0: no limit)")
    .option('--retry-file <file>', 'where failed and unreachable hosts are listed, for --limit @file', 'provision.retry')
    .option('-v, --verbose', 'list every task of every host, with the reason')
    .option('--report-html <file>', 'write the run as one self-contained HTML page (timeline, changes, verification)')
    .option('--list-hosts', 'print the hosts that would be targeted and stop')
    .option('--list-tasks', 'print the tasks of every selected role and stop')
    .option('-t, --tags <tags>', 'only these roles: names, aliases or role-<name>, comma-separated (repeatable)', collect)
    .option('--skip-tags <tags>', 'leave these roles out (same names as --tags)', collect)
    .option('--start-at-task <name>', 'skip every task before the first one with this name (or "role : name")')
    .action(async (opts) => {
      exitCode = await (await import('./commands/apply.js')).applyCommand(opts);
    });

  targets(program.command('inventory'))
    .description('show an inventory as Ansible sees it (like ansible-inventory)')
    .option('--list', 'print all hosts and groups as JSON (the default)')
    .option('--graph [group]', 'print the group tree')
    .option('--host <name>', "print one host's variables as JSON")
    .option('--show-secrets', 'do not mask *_password and other secrets')
    .action(async (opts) => (await import('./commands/inventory.js')).inventoryCommand(opts));

  connection(targets(program.command('restore'), { limitRequired: true }))
    .description(`put back the files a run replaced (kept under ${BACKUP_ROOT}/<run-id>) and restart what they belong to`)
    .requiredOption('--run <run-id>', 'the run whose replaced files to put back')
    .action(async (opts) => {
      exitCode = await (await import('./commands/restore.js')).restoreCommand(opts);
    });

  connection(targets(program.command('preflight'), { roles: true }))
    .description("detect each host's layout and check it could be migrated, changing nothing; prints a table")
    .option('-f, --forks <n>', 'hosts in parallel', String(DEFAULT_FORKS))
    .option('--disable-eviction', 'dry-run the drain as apply --disable-eviction would run it (deleting pods past PodDisruptionBudgets)')
    .action(async (opts) => {
      exitCode = await (await import('./commands/preflight.js')).preflightCommand(opts);
    });

  connection(targets(program.command('verify'), { roles: true }))
    .description("run every role's checks against the selected hosts (the pod check included), changing nothing; prints a table")
    .option('-f, --forks <n>', 'hosts in parallel', String(DEFAULT_FORKS))
    .action(async (opts) => {
      exitCode = await (await import('./commands/verify.js')).verifyCommand(opts);
    });

  targets(program.command('render'), { roles: true })
    .description('print or write every file the roles would put on each host, without connecting')
    .option('-o, --out <dir>', 'write <dir>/<host>/<path on the node> instead of printing')
    .action(async (opts) => (await import('./commands/render.js')).renderCommand(opts));

  program
    .command('roles')
    .description('list the roles, their aliases and variables')
    .option('--no-variables', 'roles only')
    .option('--markdown', 'the README tables of roles and variables')
    .action(async (opts) => (await import('./commands/roles.js')).rolesCommand(opts));

  program
    .command('report <json>')
    .description('turn a --report JSON file into one self-contained HTML page')
    .option('--html <file>', 'write the page to this file (default: standard output)')
    .action(async (file, opts) => (await import('./commands/report.js')).reportCommand(file, opts));

  program
    .command('completion [shell]')
    .description('print a completion script for bash, zsh or fish (commands, flags, roles, hosts and groups)')
    .option('--list-hosts', 'print the host and group names of -i (what the scripts complete --limit with)')
    .option('-i, --inventory <path...>', 'inventory, with --list-hosts')
    .action(async (shell, opts) => (await import('./commands/completion.js')).completionCommand(program, shell, opts));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    err(`${formatError(error, { debug: !!process.env.PROVISION_DEBUG })}\n`);
    return exitCodeFor(error);
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Which hosts and variables: the options every inventory-driven command shares. */
function targets(cmd: Command, opts: { roles?: boolean; limitRequired?: boolean } = {}): Command {
  cmd.option('-i, --inventory <path...>', "inventory file, directory or host list 'h1,h2,' (repeatable; default: ansible.cfg's, else /etc/ansible/hosts)");
  if (opts.limitRequired) cmd.requiredOption('-l, --limit <pattern>', 'the hosts (an Ansible host pattern)');
  else cmd.option('-l, --limit <pattern>', 'restrict to hosts matching an Ansible host pattern');
  if (opts.roles) cmd.option('-r, --role <name>', 'only this role (name or alias; repeatable)', collect);
  return cmd
    .option('-e, --extra-vars <vars>', 'extra variables: key=value, JSON/YAML, or @file', collect)
    .option('--vault-password-file <file>', 'ansible-vault password file, or a script printing it (repeatable; or ANSIBLE_VAULT_PASSWORD_FILE)', collect)
    .option('-J, --ask-vault-pass', 'ask for the vault password');
}

/** How to reach hosts and report on them: the options of the commands that connect. */
function connection(cmd: Command): Command {
  // Grouped as `ansible-playbook --help` groups them.
  return cmd
    .option('--report <file>', 'write a JSON report of every task')
    .option('--progress <mode>', 'auto, listr or plain', 'auto')
    .optionsGroup('Connection Options:')
    .option('--private-key <file>', 'SSH private key (ansible_ssh_private_key_file in the inventory wins)')
    .option('-u, --user <name>', 'connect as this user (ansible_user in the inventory wins)')
    .option('-T, --timeout <seconds>', `SSH connect timeout (default ${DEFAULT_CONNECT_TIMEOUT_S}, or ssh_config's ConnectTimeout)`)
    .option('--connect-timeout <seconds>', 'the same as --timeout')
    .option('-F, --ssh-config <file>', 'OpenSSH client config: Host, HostName, User, Port, IdentityFile, ProxyJump... (default ~/.ssh/config)')
    .option('--known-hosts <file>', 'known_hosts file to check host keys against (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-keys', "add unknown host keys to known_hosts (OpenSSH's accept-new); changed keys are always refused")
    .optionsGroup('Privilege Escalation Options:')
    .option('-b, --become', 'run tasks with sudo (ansible_become in the inventory wins)')
    .option('--become-user <name>', 'the user to become (default root)')
    .option('-K, --ask-become-pass', 'ask for the sudo password (or set PROVISION_BECOME_PASSWORD)')
    .optionsGroup('Options:');
}

function invokedDirectly(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
