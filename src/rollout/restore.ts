import type { HostStats, Listener, TaskResult } from '../core/events.js';
import { emptyStats, reportResult } from '../core/events.js';
import { isUnitConfig } from '../domain/systemd-paths.js';
import { failWith, q } from '../transport/shell.js';
import type { TaskInstance } from '../plan/expand-tasks.js';
import { inHostSession } from './host-session.js';
import type { PreparedHost, PreparedRole } from '../plan/model.js';
import { exitCodeOf } from './rollout.js';
import type { TransportFactory } from '../plan/model.js';
import { runHost } from '../apply/run-host.js';

export interface RestoreSummary {
  stats: Record<string, HostStats>;
  exitCode: number;
}

/**
 * Puts back every file a run replaced or removed on each host (kept under <backupRoot>/<run-id>),
 * then runs the handlers that the tasks writing those files notify (restarts), after a
 * daemon-reload when a unit file came back. Files the run created stay, and packages it removed
 * stay removed: a backup holds files, not package states. `hosts` carry every role of the catalog
 * (prepareAllRoles), so a role of your own is restored the same way.
 */
export async function restoreRun(
  hosts: PreparedHost[],
  runId: string,
  opts: { connect: TransportFactory; listener: Listener; backupRoot: string; interrupted?: () => boolean },
): Promise<RestoreSummary> {
  const stats: Record<string, HostStats> = {};
  for (const plan of hosts) {
    const { host } = plan;
    // Ctrl-C: the host being restored is finished, no other one is started.
    if (opts.interrupted?.()) break;
    const s = emptyStats();
    stats[host] = s;
    const record = (task: string, result: Pick<TaskResult, 'status'> & Partial<TaskResult>) =>
      reportResult(s, opts.listener, { host, role: 'restore', task, handler: false, changes: [], ...result });
    opts.listener({ type: 'host-start', host });
    const roundTrips = await inHostSession(host, plan.vars, opts, s, async (transport) => {
      const dir = `${opts.backupRoot}/${runId}`;
      const list = await transport.run(
        `[ -d ${q(dir)} ] || ${failWith(`no backup of run ${runId} on this host (${dir})`)}\ncd ${q(dir)} && find . -mindepth 1 \\( -type f -o -type l \\) -print`,
      );
      if (list.code !== 0) {
        record(`restore files of run ${runId}`, { status: 'failed', error: list.stderr.trim() });
        return;
      }
      const paths = list.stdout
        .split('\n')
        .filter(Boolean)
        .map((p) => p.slice(1))
        .sort();
      if (paths.length === 0) {
        record(`restore files of run ${runId}`, { status: 'ok', reason: 'the run replaced no file on this host' });
        return;
      }
      const script = paths.map((p) => `mkdir -p ${q(p.replace(/\/[^/]*$/, '') || '/')} && cp -a --remove-destination ${q(dir + p)} ${q(p)}`).join('\n');
      const put = await transport.run(`set -e\n${script}\n`);
      if (!record(`restore files of run ${runId}`, put.code === 0 ? { status: 'changed', changes: paths } : { status: 'failed', error: put.stderr.trim() }))
        return;
      const restarts = restartsFor(paths, plan.roles);
      if (!restarts.tasks.length) return;
      await runHost({ host, vars: plan.vars, roles: [restarts] }, transport, {
        check: false,
        diff: false,
        runId,
        backupRoot: opts.backupRoot,
        interrupted: () => false,
        listener: opts.listener,
        stats: s,
      });
    });
    opts.listener({ type: 'host-end', host, stats: s, ...(roundTrips === undefined ? {} : { roundTrips }) });
  }
  return { stats, exitCode: exitCodeOf(stats, !!opts.interrupted?.()) };
}

/**
 * What restored files need: a daemon-reload when systemd reads one of them, then the handlers
 * notified by the tasks that write them (a task's dest or path, or a directory it fills), in each
 * role's handler order. Returned as the tasks of one role-like step for runHost.
 */
export function restartsFor(paths: string[], roles: PreparedRole[]): PreparedRole {
  const writes = (t: TaskInstance, p: string) =>
    [t.args.dest, t.args.path].some((target) => typeof target === 'string' && (p === target || p.startsWith(`${target.replace(/\/$/, '')}/`)));
  const tasks: TaskInstance[] = [];
  if (paths.some(isUnitConfig)) tasks.push(daemonReload);
  for (const role of roles) {
    const notified = new Set(role.tasks.filter((t) => t.notify.length && paths.some((p) => writes(t, p))).flatMap((t) => t.notify));
    tasks.push(...role.handlers.filter((h) => notified.has(h.spec.name)));
  }
  return { role: 'restore', preflight: [], tasks, handlers: [], skipped: [], checks: [] };
}

const daemonReload: TaskInstance = {
  role: 'restore',
  name: 'reload systemd',
  type: 'systemd',
  args: { daemon_reload: true },
  notify: [],
  spec: { name: 'reload systemd', type: 'systemd', args: { daemon_reload: true }, notify: [], role: 'restore', where: { file: 'restore', line: 0, col: 0 } },
};
