import { ConnectionLostError, PlanError, ProvisionError } from '../core/errors.js';
import { type FileDiff, type HostStats, type Listener, type TaskResult, emptyStats, reportResult } from '../core/events.js';
import { type Plan, nodeDecision } from '../core/change.js';
import type { Fact } from '../facts/fact.js';
import { existsFact } from '../facts/exists.js';
import { TASK_TYPES } from '../tasks/task-list.js';
import type { PlanContext } from '../tasks/task-type.js';
import type { Transport } from '../transport/transport.js';
import type { TaskInstance } from '../plan/expand-tasks.js';
import { FactCache } from './fact-cache.js';
import type { PreparedHost, PreparedRole } from '../plan/prepare.js';
import { clearChange, markChange, pendingHandlerFacts, pendingHandlers, unmarkUnchanged } from './owed-handlers.js';
import { type BatchRun, type Entry, runBatch } from './run-apply-script.js';

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
  /** Seconds each task's changes may run on the node before they are ended and the task fails; 0: no limit. */
  timeLimitS?: number;
  /** Counted into: the caller's, so that what was counted survives a lost connection. */
  stats?: HostStats;
  /**
   * Facts the caller reads once the roles are done (the verification's), so they are in `cache`
   * afterwards at no round trip of their own: `readOnly` ones ride on every batch's gather, the
   * others (probes that may change the node) only on the last batch's.
   */
  afterFacts?: { readOnly: Fact<unknown>[]; all: Fact<unknown>[] };
}

interface Step extends Entry {
  role: PreparedRole;
  task: TaskInstance;
}

/** The step cannot be planned on predicted facts: the batch before it must be applied first. */
const WAIT = Symbol('wait for the batch');

/**
 * Runs one host's roles: gather -> plan -> apply. Tasks are planned in order on the gathered facts
 * and, after a planned change, on what that change predicts (as --check does), so a host's changes
 * go to the node as one batch script, one round trip, with per-task markers streamed back: progress,
 * the report and --diff stay task by task and live. A batch ends early where a plan needs facts only
 * the node can tell after the changes before it (a change that predicts nothing, or only guesses); the
 * facts for the rest are then gathered at the end of that same batch. A change whose outcome the node
 * decides (an extraction compared member by member there) may be reported ok: the role's handlers are
 * decided on what was reported, the batch applied first when one of them depends on that alone.
 * A failed task stops the host (after the handlers its role had notified have run: they are never
 * lost); other hosts go on. A lost connection stops it at once with a ConnectionLostError (the task
 * that was applying reported "unknown"): no handler is tried on a dead connection.
 */
export async function runHost(plan: PreparedHost, transport: Transport, opts: HostRunOptions): Promise<HostStats> {
  const stats = opts.stats ?? emptyStats();
  const limit = opts.timeLimitS && opts.timeLimitS > 0 ? opts.timeLimitS : undefined;
  const cache = opts.cache ?? new FactCache(transport);
  let unitFilesChanged = false;
  const ctxFor = (task: TaskInstance): PlanContext => ({
    check: opts.check,
    diff: opts.diff,
    verifyContent: opts.verifyContent,
    backupDir: `${opts.backupRoot}/${opts.runId}`,
    content: task.content,
    unitFilesChanged,
    timeLimitS: limit,
  });
  // A task's facts depend on nothing that changes during the run (unitFilesChanged only plans): made once per task,
  // not once per look-ahead (upcoming() asks for every task still to come).
  const factsMemo = new Map<TaskInstance, Fact<unknown>[]>();
  const factsOf = (task: TaskInstance) => factsMemo.get(task) ?? factsMemo.set(task, taskFacts(task, ctxFor(task))).get(task)!;
  const mains = plan.roles.flatMap((role) => role.tasks.map((task) => ({ role, task, handler: false })));
  let position = 0;
  // Handlers' facts too: a notified handler is then planned on them, in the same batch; and which are still owed.
  const owedFacts = pendingHandlerFacts(plan);
  const handlerFacts = [...plan.roles.flatMap((r) => r.handlers.flatMap((h) => factsOf(h))), ...owedFacts];
  const upcoming = () => [...mains.slice(position).flatMap((s) => factsOf(s.task)), ...handlerFacts, ...(opts.afterFacts?.readOnly ?? [])];
  let pending: Step[] = [];
  const waiting = () => pending.some((e) => e.changes);
  // Per role, the handlers notified by tasks that really changed something, and those that ran (for after a failure or Ctrl-C).
  const notifiedDone = new Map<PreparedRole, Set<string>>();
  const handlersRun = new Set<TaskInstance>();
  // What the node reported for each step applied: a change it decides (Change.decidedOnNode) may be ok.
  const reported = new Map<Step, TaskResult>();

  const batchRun = (gather: boolean, last = false): BatchRun => ({
    transport,
    start: (e) => opts.listener({ type: 'task-start', host: plan.host, role: e.result.role, task: e.result.task, handler: e.handler }),
    report(e, result = e.result) {
      const step = e as Step;
      if (!e.changes) this.start(e);
      reported.set(step, result);
      if (step.handler) handlersRun.add(step.task);
      if (result.status === 'changed' && !step.handler) {
        const set = notifiedDone.get(step.role) ?? new Set<string>();
        for (const n of step.task.notify) set.add(n);
        notifiedDone.set(step.role, set);
      }
      reportResult(stats, opts.listener, result);
    },
    interrupted: opts.interrupted,
    timeLimitS: limit,
    ...(gather && (position < mains.length || opts.afterFacts)
      ? { gather: cache.gather(last ? [...upcoming(), ...(opts.afterFacts?.all ?? [])] : upcoming(), { fresh: true, record: !opts.check }) }
      : {}),
  });
  /** Applies what is pending; afterwards the node's facts are stale. Returns the task that failed, if any. */
  const flush = async (gatherAfter = false, evenInterrupted = false, last = false): Promise<Step | undefined> => {
    const entries = pending;
    pending = [];
    if (!entries.some((e) => e.changes)) return (await runBatch(entries, batchRun(false))) as Step | undefined;
    const run = { ...batchRun(gatherAfter, last), ...(evenInterrupted ? { interrupted: () => false } : {}) };
    cache.invalidate();
    return (await runBatch(entries, run)) as Step | undefined;
  };

  const planStep = async (step: Omit<Step, 'result'>): Promise<Step | typeof WAIT> => {
    const { task } = step;
    const base = { host: plan.host, role: step.role.role, task: task.name, handler: step.handler, changes: [] as string[] };
    const facts = factsOf(task);
    if (waiting() && !cache.has(facts)) return WAIT;
    try {
      const values = await cache.need(facts, upcoming);
      if (task.ifExists && !task.ifExists.some((p) => values.get(existsFact(p).key))) {
        return { ...step, result: { ...base, status: 'skipped', reason: `none of ${task.ifExists.join(', ')} exists` } };
      }
      let planned: Plan;
      try {
        planned = TASK_TYPES[task.type]!.plan(task.args, values, ctxFor(task));
      } catch (e) {
        // Planned on predictions, a task may refuse what the real facts would allow: it waits for them.
        if (e instanceof PlanError && waiting()) return WAIT;
        throw e;
      }
      if ('noop' in planned) {
        // A handler owed by an earlier run with nothing left to do is no longer owed.
        const clear =
          step.handler && !opts.check && owed.get(step.role)?.includes(task.spec.name) ? { changes: [clearChange(step.role.role, task.spec.name)] } : {};
        return { ...step, result: { ...base, status: 'ok', reason: planned.noop }, ...clear };
      }
      const diffs = planned.changes.flatMap((c) => (c.diff ? [c.diff as FileDiff] : []));
      const predictions = planned.changes.flatMap((c) => c.predict ?? []);
      for (const p of predictions) {
        if (p.kind === 'unit-file') unitFilesChanged = true;
        if (p.kind === 'daemon-reload') unitFilesChanged = false;
      }
      cache.predict(predictions);
      const result: TaskResult = { ...base, status: 'changed', changes: planned.changes.map((c) => c.what), ...(opts.diff && diffs.length ? { diffs } : {}) };
      if (opts.check) return { ...step, result };
      const decided = nodeDecision(planned.changes) !== undefined;
      const marked = step.handler
        ? [...planned.changes, clearChange(step.role.role, task.spec.name)]
        : task.notify.length
          ? [markChange(step.role.role, task.notify, decided), ...planned.changes, ...(decided ? [unmarkUnchanged()] : [])]
          : planned.changes;
      return { ...step, result, changes: marked };
    } catch (e) {
      // Lost while gathering: nothing of this task was applied; the host is unreachable.
      if (e instanceof ConnectionLostError) throw e;
      if (e instanceof ProvisionError) return { ...step, result: { ...base, status: 'failed', error: e.message } };
      throw e;
    }
  };

  /** Plans a step and queues it, applying the batch first when the step must wait for it. Returns the task that stops the host, if any. */
  const queue = async (s: Omit<Step, 'result'>): Promise<{ step?: Step; failed?: Step }> => {
    let step = await planStep(s);
    if (step === WAIT) {
      const failed = await flush(true);
      if (failed) return { failed };
      step = (await planStep(s)) as Step;
    }
    // A change that does not say what it does to the node runs in a batch of its own: what came before is
    // settled first, and a failure or a lost connection there belongs to it alone.
    const alone = !opts.check && step.changes?.some((c) => c.predict === undefined || c.uncertain);
    if (alone && waiting()) {
      const failed = await flush();
      if (failed) return { failed };
    }
    pending.push(step);
    // Check mode reports each task as planned. A failed plan stops the host once what came before is applied.
    // A change that does not say (or only guesses) what it does to the node's facts ends the batch: later tasks plan on real facts.
    if (opts.check || alone || step.result.status === 'failed') return { step, failed: await flush(true) };
    return { step };
  };

  // Handlers an earlier run notified and never ran (its connection lost, its host failed) are notified again.
  const owedValues = await cache.need(owedFacts, upcoming);
  const owed = new Map(plan.roles.map((r) => [r, pendingHandlers(r, owedValues)]));
  for (const [role, names] of owed) if (names.length) notifiedDone.set(role, new Set(names));

  let failed: Step | undefined;
  roles: for (const role of plan.roles) {
    const notified = new Set<string>(owed.get(role));
    // Changes whose outcome the node decides: their handlers are decided on what the node reported.
    const decidedOnNode: Step[] = [];
    for (const task of role.tasks) {
      if (opts.interrupted()) break roles;
      const r = await queue(mains[position]!);
      position++;
      failed = r.failed;
      if (failed) break roles;
      if (r.step?.result.status !== 'changed') continue;
      if (nodeDecision(r.step.changes)) decidedOnNode.push(r.step);
      else for (const n of task.notify) notified.add(n);
    }
    // The batch is applied before the handlers are decided only when one of them depends on such an outcome alone.
    if (decidedOnNode.some((s) => s.task.notify.some((n) => !notified.has(n))) && decidedOnNode.some((s) => !reported.has(s))) {
      if (opts.interrupted()) break;
      failed = await flush(true);
      if (failed) break;
    }
    for (const s of decidedOnNode) if (reported.get(s)?.status === 'changed') for (const n of s.task.notify) notified.add(n);
    // Handlers run once, in definition order, only when notified, at the end of their role.
    for (const handler of role.handlers) {
      if (!notified.has(handler.spec.name) || opts.interrupted()) continue;
      failed = (await queue({ role, task: handler, handler: true })).failed;
      if (failed) break roles;
    }
  }
  if (!failed && !opts.interrupted()) failed = await flush(true, false, true);
  // After a failed task or Ctrl-C, the handlers that tasks done had notified and that have not run yet
  // still run (planned afresh: what was pending never started).
  if ((failed && !failed.handler) || opts.interrupted()) {
    pending = [];
    for (const role of plan.roles)
      for (const handler of role.handlers)
        if (notifiedDone.get(role)?.has(handler.spec.name) && !handlersRun.has(handler)) await queue({ role, task: handler, handler: true });
    await flush(false, true);
  }
  return stats;
}

/** The facts a task needs: its guard's paths and its type's own. */
export function taskFacts(task: TaskInstance, ctx: PlanContext): Fact<unknown>[] {
  return [...(task.ifExists ?? []).map(existsFact), ...TASK_TYPES[task.type]!.facts(task.args, ctx)];
}

/** Every fact of a host's tasks and handlers, for one gather before anything is planned. */
export function planFacts(plan: PreparedHost, ctx: Omit<PlanContext, 'content'>): Fact<unknown>[] {
  return [...plan.roles.flatMap((r) => [...r.tasks, ...r.handlers].flatMap((t) => taskFacts(t, { ...ctx, content: t.content }))), ...pendingHandlerFacts(plan)];
}
