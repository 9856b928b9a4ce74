import { ProvisionError } from '../core/errors.js';
import { type FileDiff, type HostStats, type Listener, type TaskResult, emptyStats, reportResult } from '../core/events.js';
import type { Change, Plan } from '../core/change.js';
import type { Fact } from '../facts/fact.js';
import { existsFact } from '../facts/exists.js';
import { TASK_TYPES } from '../tasks/task-list.js';
import type { PlanContext } from '../tasks/task-type.js';
import type { Transport } from '../transport/transport.js';
import type { TaskInstance } from './expand-tasks.js';
import { FactCache } from './fact-cache.js';
import type { PreparedHost, PreparedRole } from './prepare.js';

export interface HostRunOptions {
  check: boolean;
  diff: boolean;
  /** --verify-content: archives and downloads are read, not trusted to their receipts. */
  verifyContent?: boolean;
  runId: string;
  /** Where each run keeps replaced files on the node: <backupRoot>/<run-id>. */
  backupRoot: string;
  /** Set by Ctrl-C: no new task starts; the running one finishes. */
  interrupted: () => boolean;
  listener: Listener;
  /** Facts already gathered for this plan (by the preflight); default: a fresh cache. */
  cache?: FactCache;
}

interface Step {
  role: PreparedRole;
  task: TaskInstance;
  handler: boolean;
}

/**
 * Runs one host's roles: gather -> plan -> apply, task by task. A failed task stops the host
 * (after the handlers already notified have run: they are never lost); other hosts go on.
 */
export async function runHost(plan: PreparedHost, transport: Transport, opts: HostRunOptions): Promise<HostStats> {
  const stats = emptyStats();
  const cache = opts.cache ?? new FactCache(transport);
  let unitFilesChanged = false;
  const ctxFor = (task: TaskInstance): PlanContext => ({
    check: opts.check,
    diff: opts.diff,
    verifyContent: opts.verifyContent,
    backupDir: `${opts.backupRoot}/${opts.runId}`,
    content: task.content,
    unitFilesChanged,
  });
  const factsOf = (task: TaskInstance) => taskFacts(task, ctxFor(task));
  const steps: Step[] = plan.roles.flatMap((role) => role.tasks.map((task) => ({ role, task, handler: false })));
  let position = 0;
  const upcoming = () => steps.slice(position).flatMap((s) => factsOf(s.task));

  const record = (result: TaskResult) => reportResult(stats, opts.listener, result);

  const runStep = async (step: Step): Promise<TaskResult> => {
    const { task } = step;
    const base = { host: plan.host, role: step.role.role, task: task.name, handler: step.handler, changes: [] as string[] };
    opts.listener({ type: 'task-start', host: plan.host, role: step.role.role, task: task.name, handler: step.handler });
    try {
      const values = await cache.need(factsOf(task), upcoming);
      if (task.ifExists && !task.ifExists.some((p) => values.get(existsFact(p).key))) {
        return { ...base, status: 'skipped', reason: `none of ${task.ifExists.join(', ')} exists` };
      }
      const planned: Plan = TASK_TYPES[task.type]!.plan(task.args, values, ctxFor(task));
      if ('noop' in planned) return { ...base, status: 'ok', reason: planned.noop };
      const diffs = planned.changes.flatMap((c) => (c.diff ? [c.diff as FileDiff] : []));
      for (const p of planned.changes.flatMap((c) => c.predict ?? [])) {
        if (p.kind === 'unit-file') unitFilesChanged = true;
        if (p.kind === 'daemon-reload') unitFilesChanged = false;
      }
      const result: TaskResult = { ...base, status: 'changed', changes: planned.changes.map((c) => c.what), ...(opts.diff && diffs.length ? { diffs } : {}) };
      if (opts.check) {
        cache.predict(planned.changes.flatMap((c) => c.predict ?? []));
        return result;
      }
      const r = await transport.run(applyScript(planned.changes));
      cache.invalidate();
      if (r.code !== 0) return { ...result, status: 'failed', error: `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-20).join('\n')}` };
      return result;
    } catch (e) {
      if (e instanceof ProvisionError) return { ...base, status: 'failed', error: e.message };
      throw e;
    }
  };

  for (const role of plan.roles) {
    const notified = new Set<string>();
    let failed = false;
    for (const task of role.tasks) {
      if (opts.interrupted()) break;
      const result = await runStep(steps[position]!);
      position++;
      record(result);
      if (result.status === 'changed') for (const n of task.notify) notified.add(n);
      if (result.status === 'failed') {
        failed = true;
        break;
      }
    }
    // Handlers run once, in definition order, only when notified; also after a failure.
    for (const handler of role.handlers) {
      if (!notified.has(handler.spec.name) || opts.interrupted()) continue;
      record(await runStep({ role, task: handler, handler: true }));
    }
    if (failed || opts.interrupted()) break;
  }
  return stats;
}

/** The facts a task needs: its guard's paths and its type's own. */
export function taskFacts(task: TaskInstance, ctx: PlanContext): Fact<unknown>[] {
  return [...(task.ifExists ?? []).map(existsFact), ...TASK_TYPES[task.type]!.facts(task.args, ctx)];
}

/** Every fact of a host's main tasks, for one gather before anything is planned. */
export function planFacts(plan: PreparedHost, ctx: Omit<PlanContext, 'content'>): Fact<unknown>[] {
  return plan.roles.flatMap((r) => r.tasks.flatMap((t) => taskFacts(t, { ...ctx, content: t.content })));
}

/** Each change in its own subshell with `set -e`; the first failure stops the rest. */
function applyScript(list: Change[]): string {
  return `${list.map((c) => `(\nset -e\n${c.script}\n) || exit $?`).join('\n')}\n`;
}
