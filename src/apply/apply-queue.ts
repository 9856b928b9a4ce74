import type { TaskResult } from '../core/events.js';
import type { PlannedStep } from './planned-step.js';
import { type ApplyScriptRun, runApplyScript } from './run-apply-script.js';

/** How a flush runs the steps queued. */
export interface FlushOptions {
  /** Gather the facts of the steps still to come at the end of the apply script (no round trip of their own). */
  gatherAfter?: boolean;
  /** Run even after Ctrl-C: the handlers still owed after a failure or an interruption. */
  evenInterrupted?: boolean;
  /** The host's last flush: also gather what the caller reads once the roles are done. */
  last?: boolean;
}

/** What the queue needs of the run to apply its steps. */
export interface QueueRun extends Pick<ApplyScriptRun, 'transport' | 'interrupted' | 'timeLimitS'> {
  /** A step starts on the node. */
  start(step: PlannedStep): void;
  /** A step is done: as planned, or as the node decided. */
  report(step: PlannedStep, result: TaskResult): void;
  /** The probes to ride on the apply script's end, when the flush gathers. */
  gather(last: boolean): ApplyScriptRun['gather'];
  /** Applying changes makes the node's facts stale. */
  invalidateFacts(): void;
}

/**
 * The planned steps of a host waiting to go to the node as one apply script (one round trip). A
 * flush applies them, in order; a failed task among them is returned (it stops the host).
 */
export class ApplyQueue {
  private pending: PlannedStep[] = [];

  constructor(private readonly run: QueueRun) {}

  add(step: PlannedStep): void {
    this.pending.push(step);
  }

  /** Whether changes are queued: a step planned now plans on their predictions. */
  waiting(): boolean {
    return this.pending.some((s) => s.changes);
  }

  /** Drops what is queued (it never started). */
  clear(): void {
    this.pending = [];
  }

  /** Applies what is queued; afterwards the node's facts are stale. Returns the task that failed, if any. */
  async flush(opts: FlushOptions = {}): Promise<PlannedStep | undefined> {
    const steps = this.pending;
    this.pending = [];
    if (!steps.some((s) => s.changes)) return await runApplyScript(steps, this.scriptRun(false, false));
    const run = { ...this.scriptRun(!!opts.gatherAfter, !!opts.last), ...(opts.evenInterrupted ? { interrupted: () => false } : {}) };
    this.run.invalidateFacts();
    return await runApplyScript(steps, run);
  }

  private scriptRun(gather: boolean, last: boolean): ApplyScriptRun {
    const q = this.run;
    const probes = gather ? q.gather(last) : undefined;
    return {
      transport: q.transport,
      start: (e) => q.start(e),
      report(e, result = e.result) {
        if (!e.changes) this.start(e);
        q.report(e, result);
      },
      interrupted: q.interrupted,
      timeLimitS: q.timeLimitS,
      ...(probes ? { gather: probes } : {}),
    };
  }
}
