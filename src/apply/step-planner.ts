import { type Plan, nodeDecision } from '../core/change.js';
import { ConnectionLostError, PlanError, ProvisionError } from '../core/errors.js';
import type { FileDiff, TaskResult } from '../core/events.js';
import { existsFact } from '../facts/exists.js';
import { taskFacts } from './task-facts.js';
import type { Fact } from '../facts/fact.js';
import type { TaskInstance } from '../plan/expand-tasks.js';
import { TASK_TYPES } from '../tasks/task-list.js';
import type { PlanContext } from '../tasks/task-type.js';
import type { FactCache } from './fact-cache.js';
import { clearChange, markChange, unmarkUnchanged } from './owed-handlers.js';
import type { PlannedStep, StepToPlan } from './planned-step.js';

/** The step cannot be planned on predicted facts: the steps queued before it must be applied first. */
export const NEEDS_FACTS = Symbol('needs facts');

/** What planning needs of the run: the host loop's options, as the planner reads them. */
export interface PlannerOptions {
  host: string;
  check: boolean;
  diff: boolean;
  verifyContent?: boolean;
  /** Where this run keeps replaced files on the node. */
  backupDir: string;
  timeLimitS?: number;
  /** Whether a handler is owed by an earlier run (its marker is on the node). */
  isOwed(step: StepToPlan): boolean;
}

/** What the apply queue tells the planner: whether changes are queued, and the facts of the steps still to come. */
export interface QueueState {
  waiting(): boolean;
  upcoming(): readonly Fact<unknown>[];
}

/**
 * Plans one task at a time on the host's facts (gathered, or predicted by the changes planned before
 * it, as --check does): ok, skipped, failed, or changed with the changes to make, handler markers
 * included. A task that cannot be planned on predictions alone says it needs facts (NEEDS_FACTS).
 */
export class StepPlanner {
  // A unit file written and not yet followed by a daemon-reload: systemd tasks plan a reload.
  private unitFilesChanged = false;

  constructor(
    private readonly cache: FactCache,
    private readonly opts: PlannerOptions,
  ) {}

  context(task: TaskInstance): PlanContext {
    const { check, diff, verifyContent, backupDir, timeLimitS } = this.opts;
    return { check, diff, verifyContent, backupDir, content: task.content, unitFilesChanged: this.unitFilesChanged, timeLimitS };
  }

  // A task's facts depend on nothing that changes during the run (unitFilesChanged only plans): made once per
  // task, not once per look-ahead (upcoming() asks for every task still to come).
  private readonly facts = new Map<TaskInstance, readonly Fact<unknown>[]>();

  factsOf(task: TaskInstance): readonly Fact<unknown>[] {
    const known = this.facts.get(task);
    if (known) return known;
    const facts = taskFacts(task, this.context(task));
    this.facts.set(task, facts);
    return facts;
  }

  async plan(step: StepToPlan, queue: QueueState): Promise<PlannedStep | typeof NEEDS_FACTS> {
    const { task } = step;
    const base = { host: this.opts.host, role: step.role.role, task: task.name, handler: step.handler, changes: [] as string[] };
    const facts = this.factsOf(task);
    if (queue.waiting() && !this.cache.has(facts)) return NEEDS_FACTS;
    try {
      const values = await this.cache.need(facts, () => queue.upcoming());
      if (task.ifExists && !task.ifExists.some((p) => values.get(existsFact(p).key))) {
        return { ...step, result: { ...base, status: 'skipped', reason: `none of ${task.ifExists.join(', ')} exists` } };
      }
      let planned: Plan;
      try {
        planned = TASK_TYPES[task.type]!.plan(task.args, values, this.context(task));
      } catch (e) {
        // Planned on predictions, a task may refuse what the real facts would allow: it waits for them.
        if (e instanceof PlanError && queue.waiting()) return NEEDS_FACTS;
        throw e;
      }
      if ('noop' in planned) return this.unchanged(step, base, planned.noop);
      return this.changed(step, base, planned);
    } catch (e) {
      // Lost while gathering: nothing of this task was applied; the host is unreachable.
      if (e instanceof ConnectionLostError) throw e;
      if (e instanceof ProvisionError) return { ...step, result: { ...base, status: 'failed', error: e.message } };
      throw e;
    }
  }

  private unchanged(step: StepToPlan, base: Omit<TaskResult, 'status'>, reason: string): PlannedStep {
    // A handler owed by an earlier run with nothing left to do is no longer owed.
    // Built field by field, in the spread's order: spreads here (every task, twice per host) cost more than the rest of a no-op's planning.
    const { host, role, task, handler, changes } = base;
    const result: TaskResult = { host, role, task, handler, changes, status: 'ok', reason };
    const planned: PlannedStep = { role: step.role, task: step.task, handler: step.handler, result };
    if (step.handler && !this.opts.check && this.opts.isOwed(step)) planned.changes = [clearChange(step.role.role, step.task.spec.name)];
    return planned;
  }

  private changed(step: StepToPlan, base: Omit<TaskResult, 'status'>, planned: Exclude<Plan, { noop: string }>): PlannedStep {
    const { task } = step;
    const diffs = planned.changes.flatMap((c) => (c.diff ? [c.diff as FileDiff] : []));
    const predictions = planned.changes.flatMap((c) => c.predict ?? []);
    for (const p of predictions) {
      if (p.kind === 'unit-file') this.unitFilesChanged = true;
      if (p.kind === 'daemon-reload') this.unitFilesChanged = false;
    }
    this.cache.predict(predictions);
    const result: TaskResult = {
      ...base,
      status: 'changed',
      changes: planned.changes.map((c) => c.what),
      ...(this.opts.diff && diffs.length ? { diffs } : {}),
    };
    if (this.opts.check) return { ...step, result };
    const decided = nodeDecision(planned.changes) !== undefined;
    const marked = step.handler
      ? [...planned.changes, clearChange(step.role.role, task.spec.name)]
      : task.notify.length
        ? [markChange(step.role.role, task.notify, decided), ...planned.changes, ...(decided ? [unmarkUnchanged()] : [])]
        : planned.changes;
    return { ...step, result, changes: marked };
  }
}
