import { UsageError } from '../../core/errors.js';
import type { PreparedRun } from '../../plan/model.js';

/** `-t a,b -t c` as Ansible reads tags: comma-separated, repeatable. */
export function splitTags(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * `--start-at-task NAME`: each host's tasks before the first task named NAME (or `role : NAME`)
 * are dropped, as ansible-playbook skips them. A name no host has is a usage error.
 */
export function startAtTask(run: PreparedRun, name: string): void {
  let found = false;
  for (const host of run.hosts) if (startHostAt(host, name)) found = true;
  if (!found) throw new UsageError(`--start-at-task: no selected host has a task named "${name}"`);
}

/**
 * One host's part of `--start-at-task`: drops its tasks before the first named NAME; true if it has one.
 * The host gets roles of its own: hosts of a plan class share theirs (frozen).
 */
function startHostAt(host: PreparedRun['hosts'][number], name: string): boolean {
  let found = false;
  host.roles = host.roles.map((role) => {
    if (found) return role;
    const at = role.tasks.findIndex((t) => t.name === name || t.spec.name === name || `${role.role} : ${t.spec.name}` === name);
    found = at >= 0;
    return { ...role, tasks: found ? role.tasks.slice(at) : [] };
  });
  return found;
}

/** `--list-hosts`, laid out as ansible-playbook prints it. */
export function formatHostList(run: PreparedRun): string {
  return `  hosts (${run.hosts.length}):\n${run.hosts.map((h) => `    ${h.host}\n`).join('')}`;
}

/** `--list-tasks`: per host, each role's tasks as `role : task`, with the tags the role answers to. */
export function formatTaskList(run: PreparedRun): string {
  const tags = (role: string) => {
    const r = run.catalog.roles.find((x) => x.name === role);
    const names = [role, ...(r?.aliases ?? [])];
    return [...names, ...names.map((n) => `role-${n}`)].join(', ');
  };
  return run.hosts
    .map((h) => `${[`  host ${h.host}:`, ...h.roles.flatMap((r) => r.tasks.map((t) => `    ${r.role} : ${t.name}\tTAGS: [${tags(r.role)}]`))].join('\n')}\n`)
    .join('');
}
