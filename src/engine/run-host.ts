import { ConnectionLostError, ProvisionError } from '../core/errors.js';
import { type FileDiff, type HostStats, type Listener, type TaskResult, emptyStats, reportResult } from '../core/events.js';
import type { Change, Plan } from '../core/change.js';
import type { Fact } from '../facts/fact.js';
import { existsFact } from '../facts/exists.js';
import { TASK_TYPES } from '../tasks/task-list.js';
import type { PlanContext } from '../tasks/task-type.js';
import { ANSWER_GRACE_S, KILL_AFTER_S, timedOut, timeLimited } from '../transport/time-limit.js';
import type { Transport } from '../transport/transport.js';
import type { TaskInstance } from './expand-tasks.js';
import { FactCache } from './fact-cache.js';
import type { PreparedHost, PreparedRole } from './prepare.js';

export interface HostRunOptions {
  check: boolean;
  diff: boolean;
  runId: string;
  /** Where each run keeps replaced files on the node: <backupRoot>/<run-id>. */
  backupRoot: string;
  /** Set by Ctrl-C: no new task starts; the running one finishes. */
  interrupted: () => boolean;
  listener: Listener;
  /** Facts already gathered for this plan (by the preflight); default: a fresh cache. */
  cache?: FactCache;
  /** Seconds an apply script may run on the node before it is ended and its task fails; 0: no limit. */
  timeLimitS?: number;
  /** Counted into: the caller's, so that what was counted survives a lost connection. */
  stats?: HostStats;
}

interface Step {
  role: PreparedRole;
  task: TaskInstance;
  handler: boolean;
}

/**
 * Runs one host's roles: gather -> plan -> apply, task by task. A failed task stops the host
 * (after the handlers already notified have run: they are never lost); other hosts go on.
 * A lost connection stops it at once with a ConnectionLostError (the task that was applying
 * reported "unknown"): no handler is tried on a dead connection; the next run finishes the work.
 */
export async function runHost(plan: PreparedHost, transport: Transport, opts: HostRunOptions): Promise<HostStats> {
  const stats = opts.stats ?? emptyStats();
  const limit = opts.timeLimitS && opts.timeLimitS > 0 ? opts.timeLimitS : undefined;
  let lost: ConnectionLostError | undefined;
  const cache = opts.cache ?? new FactCache(transport);
  let unitFilesChanged = false;
  const ctxFor = (task: TaskInstance): PlanContext => ({
    check: opts.check,
    diff: opts.diff,
    backupDir: `${opts.backupRoot}/${opts.runId}`,
    content: task.content,
    unitFilesChanged,
    timeLimitS: limit,
  });
  const factsOf = (task: TaskInstance) => taskFacts(task, ctxFor(task));
  const steps: Step[] = plan.roles.flatMap((role) => role.tasks.map((task) => ({ role, task, handler: false })));
  let position = 0;
  const upcoming = () => steps.slice(position).flatMap((s) => factsOf(s.task));

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
      const started = Date.now();
      const r = await transport
        .run(applyScript(planned.changes, limit), { timeoutMs: limit && (limit + KILL_AFTER_S + ANSWER_GRACE_S) * 1000 })
        .catch((e: unknown) => {
          if (!(e instanceof ConnectionLostError)) throw e;
          lost = e;
          return undefined;
        });
      if (!r) return { ...result, status: 'unknown', error: `${lost!.message}: whether these changes were made is unknown; the next run finds out` };
      cache.invalidate();
      const output = (r.stderr || r.stdout).trim().split('\n').slice(-20).join('\n');
      // 124/137 before the limit is the script's own exit code, not the limit's.
      if (limit && timedOut(r.code) && Date.now() - started >= limit * 1000 - 500) {
        return { ...result, status: 'failed', error: `timed out after ${limit} s (its processes on the node were ended)${output ? `:\n${output}` : ''}` };
      }
      if (r.code !== 0) return { ...result, status: 'failed', error: `exit ${r.code}: ${output}` };
      return result;
    } catch (e) {
      // Lost while gathering: nothing of this task was applied; the host is unreachable.
      if (e instanceof ConnectionLostError) throw e;
      if (e instanceof ProvisionError) return { ...base, status: 'failed', error: e.message };
      throw e;
    }
  };
  /** Counts and reports a result; after a lost connection, stops the host. */
  const record = (result: TaskResult) => {
    reportResult(stats, opts.listener, result);
    if (lost) throw lost;
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
    // Handlers run once, in definition order, only when notified; also after a failure or an interrupt.
    for (const handler of role.handlers) {
      if (!notified.has(handler.spec.name)) continue;
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

/** Each change in its own subshell with `set -e`; the first failure stops the rest. The task's time limit covers them all. */
function applyScript(list: Change[], limitS?: number): string {
  const script = `${list.map((c) => `(\nset -e\n${c.script}\n) || exit $?`).join('\n')}\n`;
  return limitS ? timeLimited(script, limitS) : script;
}
