import { nodeDecision } from '../core/change.js';
import type { TaskResult } from '../core/events.js';
import type { FactValues } from '../facts/fact.js';
import type { TaskInstance } from '../plan/expand-tasks.js';
import type { PreparedHost, PreparedRole } from '../plan/model.js';
import { owedHandlers } from './owed-handlers.js';
import type { PlannedStep, StepToPlan } from './planned-step.js';

/**
 * Which handlers a host's run owes, and why: notified by a task that changed something, owed by an
 * earlier run that was cut short (its marker on the node), or decided on the node (a task whose
 * outcome the node decides notifies only when the node reports it changed something). It also keeps
 * what the node reported for each step applied, and which handlers ran, so that after a failed task
 * or Ctrl-C the handlers that finished tasks notified still run.
 */
export class HandlerLedger {
  // Per role, the handlers notified by tasks that really changed something (and the owed ones).
  private readonly notifiedDone = new Map<PreparedRole, Set<string>>();
  private readonly ran = new Set<TaskInstance>();
  // What the node reported for each step applied: a change it decides (Change.decidedOnNode) may be ok.
  private readonly reported = new Map<PlannedStep, TaskResult>();
  private owed = new Map<PreparedRole, string[]>();

  /** Takes in the owed-handler markers gathered on the node: those handlers are notified again. */
  takeOwed(plan: PreparedHost, values: FactValues): void {
    this.owed = new Map(plan.roles.map((r) => [r, owedHandlers(r, values)]));
    for (const [role, names] of this.owed) if (names.length) this.notifiedDone.set(role, new Set(names));
  }

  /** Whether an earlier run owes this handler. */
  isOwed(step: StepToPlan): boolean {
    return !!this.owed.get(step.role)?.includes(step.task.spec.name);
  }

  /** What the node reported for a step (as planned, or what it decided). */
  record(step: PlannedStep, result: TaskResult): void {
    this.reported.set(step, result);
    if (step.handler) this.ran.add(step.task);
    if (result.status === 'changed' && !step.handler) {
      const set = this.notifiedDone.get(step.role) ?? new Set<string>();
      for (const n of step.task.notify) set.add(n);
      this.notifiedDone.set(step.role, set);
    }
  }

  /** One role's handlers, decided as its tasks are planned and applied. */
  forRole(role: PreparedRole): RoleHandlers {
    return new RoleHandlers(role, this.owed.get(role) ?? [], (step) => this.reported.get(step));
  }

  /** The handlers that tasks done had notified and that have not run yet, in role and definition order. */
  stillToRun(plan: PreparedHost): StepToPlan[] {
    return plan.roles.flatMap((role) =>
      role.handlers.filter((h) => this.notifiedDone.get(role)?.has(h.spec.name) && !this.ran.has(h)).map((task) => ({ role, task, handler: true })),
    );
  }
}

/** A role's notified handlers: those of its tasks' planned changes, and those whose outcome the node decides. */
export class RoleHandlers {
  private readonly notified: Set<string>;
  // Changes whose outcome the node decides: their handlers are decided on what the node reported.
  private readonly decidedOnNode: PlannedStep[] = [];

  constructor(
    readonly role: PreparedRole,
    owed: string[],
    private readonly reported: (step: PlannedStep) => TaskResult | undefined,
  ) {
    this.notified = new Set(owed);
  }

  /** A task of the role was planned "changed". */
  changed(step: PlannedStep): void {
    if (nodeDecision(step.changes)) this.decidedOnNode.push(step);
    else for (const n of step.task.notify) this.notified.add(n);
  }

  /** The steps queued must be applied before the handlers are decided: only when one of them depends on a node's decision alone. */
  needsApplyFirst(): boolean {
    const alone = this.decidedOnNode.some((s) => s.task.notify.some((n) => !this.notified.has(n)));
    return alone && this.decidedOnNode.some((s) => !this.reported(s));
  }

  /** The role's handlers to run, in definition order, once what the node decided is known. */
  toRun(): StepToPlan[] {
    for (const s of this.decidedOnNode) if (this.reported(s)?.status === 'changed') for (const n of s.task.notify) this.notified.add(n);
    return this.role.handlers.filter((h) => this.notified.has(h.spec.name)).map((task) => ({ role: this.role, task, handler: true }));
  }
}
