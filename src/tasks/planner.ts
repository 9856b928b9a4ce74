import type { Plan } from '../core/plan.js';
import type { Fact, FactValues } from '../facts/fact.js';

export interface PlanContext {
  check: boolean;
  diff: boolean;
  /** Where replaced files are kept on the node: /var/backups/provision/<run-id>. */
  backupDir: string;
  /** Rendered content for template and copy tasks. */
  content?: string;
  /**
   * A unit file was written on this host since the last daemon-reload. systemd's own
   * NeedDaemonReload misses a new file in /etc/systemd/system that overrides a unit in /lib.
   */
  unitFilesChanged?: boolean;
}

/** A task type's two halves without I/O: which facts it needs, and what it would change. */
export interface Planner {
  facts(args: Record<string, unknown>, ctx: PlanContext): Fact<unknown>[];
  plan(args: Record<string, unknown>, facts: FactValues, ctx: PlanContext): Plan;
}

/** A planner's complaint about its input or the node's state: the task fails with this message. */
export class PlanError extends Error {}
