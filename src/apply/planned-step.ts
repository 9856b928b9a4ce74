import type { Change } from '../core/change.js';
import type { TaskResult } from '../core/events.js';
import type { TaskInstance } from '../plan/expand-tasks.js';
import type { PreparedRole } from '../plan/model.js';

/**
 * A task or handler of a role, planned for one host: its result as planned, and the changes still to
 * make on the node (none when ok, skipped or failed). The step planner makes it, the apply queue
 * holds it until the apply script runs it, and the handler ledger reads what the node reported for it.
 */
export interface PlannedStep {
  role: PreparedRole;
  task: TaskInstance;
  handler: boolean;
  result: TaskResult;
  changes?: Change[];
}

/** A step before it is planned: which task of which role, as a task or as a handler. */
export type StepToPlan = Pick<PlannedStep, 'role' | 'task' | 'handler'>;
