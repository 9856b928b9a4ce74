import { type HostStats, type Listener, emptyStats, reportResult } from '../core/events.js';
import type { Fact } from '../facts/fact.js';
import type { PreparedHost } from '../plan/model.js';
import type { Transport } from '../transport/transport.js';
import { ApplyQueue } from './apply-queue.js';
import { FactCache } from './fact-cache.js';
import { HandlerLedger } from './handler-ledger.js';
import { owedHandlerFacts } from './owed-handlers.js';
import type { PlannedStep, StepToPlan } from './planned-step.js';
import { NEEDS_FACTS, StepPlanner } from './step-planner.js';
import { type FactsContext, taskFacts } from './task-facts.js';

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
   * The after-facts: what the caller reads once the roles are done (the verification's), so they are
   * in `cache` afterwards at no round trip of their own: `readOnlyFacts` ride on every apply script's
   * gather, the others of `facts` (probes that may change the node) only on the last one's.
   */
  afterFacts?: { facts: Fact<unknown>[]; readOnlyFacts: Fact<unknown>[] };
}

/**
 * Runs one host's roles: gather -> plan -> apply. Its parts: the step planner plans each task on the
 * gathered facts and, after a planned change, on what that change predicts (as --check does); the
 * apply queue sends the planned changes to the node as one apply script, one round trip, with
 * per-task markers streamed back (progress, the report and --diff stay task by task and live); the
 * handler ledger says which handlers are notified, owed by an earlier run or decided on the node.
 * An apply script ends early where a plan needs facts only the node can tell after the changes
 * before it (a change that predicts nothing, or only guesses); the facts for the rest are then
 * gathered at the end of that same script. A failed task stops the host (after the handlers its
 * role had notified have run: they are never lost); other hosts go on. A lost connection stops it at
 * once with a ConnectionLostError (the task that was applying reported "unknown"): no handler is
 * tried on a dead connection.
 */
export async function runHost(plan: PreparedHost, transport: Transport, opts: HostRunOptions): Promise<HostStats> {
  const run = new HostRun(plan, transport, opts);
  await run.roles();
  return run.stats;
}

/** One host's run: the role loop over the planner, the queue and the ledger. */
class HostRun {
  readonly stats: HostStats;
  private readonly cache: FactCache;
  private readonly ledger = new HandlerLedger();
  private readonly planner: StepPlanner;
  private readonly queue: ApplyQueue;
  private readonly mains: StepToPlan[];
  // The next task of `mains` to plan: the facts of those from here on ride on each gather.
  private position = 0;
  private readonly handlerFacts: Fact<unknown>[];
  private readonly owedFacts: Fact<unknown>[];

  constructor(
    private readonly plan: PreparedHost,
    transport: Transport,
    private readonly opts: HostRunOptions,
  ) {
    this.stats = opts.stats ?? emptyStats();
    const limit = opts.timeLimitS && opts.timeLimitS > 0 ? opts.timeLimitS : undefined;
    const cache = opts.cache ?? new FactCache(transport);
    this.cache = cache;
    this.planner = new StepPlanner(cache, {
      host: plan.host,
      check: opts.check,
      diff: opts.diff,
      verifyContent: opts.verifyContent,
      backupDir: `${opts.backupRoot}/${opts.runId}`,
      timeLimitS: limit,
      isOwed: (step) => this.ledger.isOwed(step),
    });
    this.mains = plan.roles.flatMap((role) => role.tasks.map((task) => ({ role, task, handler: false })));
    // Handlers' facts too: a notified handler is then planned on them, in the same apply script; and which are still owed.
    this.owedFacts = owedHandlerFacts(plan);
    this.handlerFacts = [...plan.roles.flatMap((r) => r.handlers.flatMap((h) => this.planner.factsOf(h))), ...this.owedFacts];
    this.queue = new ApplyQueue({
      transport,
      interrupted: opts.interrupted,
      timeLimitS: limit,
      start: (s) => opts.listener({ type: 'task-start', host: plan.host, role: s.result.role, task: s.result.task, handler: s.handler }),
      report: (s, result) => {
        this.ledger.record(s, result);
        reportResult(this.stats, opts.listener, result);
      },
      gather: (last) =>
        this.position < this.mains.length || opts.afterFacts
          ? cache.gather(last ? [...this.upcoming(), ...(opts.afterFacts?.facts ?? [])] : this.upcoming(), { fresh: true, record: !opts.check })
          : undefined,
      invalidateFacts: () => cache.invalidate(),
    });
  }

  /** The facts of every step still to plan: they are gathered with the next need, in the same round trip. */
  private upcoming(): Fact<unknown>[] {
    const rest = this.mains.slice(this.position).flatMap((s) => this.planner.factsOf(s.task));
    return [...rest, ...this.handlerFacts, ...(this.opts.afterFacts?.readOnlyFacts ?? [])];
  }

  async roles(): Promise<void> {
    const { opts, plan } = this;
    // Handlers an earlier run notified and never ran (its connection lost, its host failed) are notified again.
    this.ledger.takeOwed(plan, await this.cache.need(this.owedFacts, () => this.upcoming()));
    let failed: PlannedStep | undefined;
    roles: for (const role of plan.roles) {
      const handlers = this.ledger.forRole(role);
      for (const _ of role.tasks) {
        if (opts.interrupted()) break roles;
        const r = await this.enqueue(this.mains[this.position]!);
        this.position++;
        failed = r.failed;
        if (failed) break roles;
        if (r.step?.result.status === 'changed') handlers.changed(r.step);
      }
      // What is queued is applied before the handlers are decided only when one of them depends on a node's decision alone.
      if (handlers.needsApplyFirst()) {
        if (opts.interrupted()) break;
        failed = await this.queue.flush({ gatherAfter: true });
        if (failed) break;
      }
      // Handlers run once, in definition order, only when notified, at the end of their role.
      for (const handler of handlers.toRun()) {
        if (opts.interrupted()) continue;
        failed = (await this.enqueue(handler)).failed;
        if (failed) break roles;
      }
    }
    if (!failed && !opts.interrupted()) failed = await this.queue.flush({ gatherAfter: true, last: true });
    // After a failed task or Ctrl-C, the handlers that tasks done had notified and that have not run yet
    // still run (planned afresh: what was queued never started).
    if ((failed && !failed.handler) || opts.interrupted()) {
      this.queue.clear();
      for (const handler of this.ledger.stillToRun(plan)) await this.enqueue(handler);
      await this.queue.flush({ evenInterrupted: true });
    }
  }

  /** Plans a step and queues it, applying what is queued first when the step needs facts. Returns the task that stops the host, if any. */
  private async enqueue(s: StepToPlan): Promise<{ step?: PlannedStep; failed?: PlannedStep }> {
    const state = { waiting: () => this.queue.waiting(), upcoming: () => this.upcoming() };
    let step = await this.planner.plan(s, state);
    if (step === NEEDS_FACTS) {
      const failed = await this.queue.flush({ gatherAfter: true });
      if (failed) return { failed };
      step = (await this.planner.plan(s, state)) as PlannedStep;
    }
    // A change that does not say what it does to the node runs in an apply script of its own: what came
    // before is settled first, and a failure or a lost connection there belongs to it alone.
    // Check mode queues nothing (no step has changes to make): each step is reported as planned, as a flush of it
    // alone would report it, without the queue's flush and apply-script machinery for every task of every host.
    if (this.opts.check && !step.changes && !this.queue.waiting()) return this.reportPlanned(step);
    const alone = !this.opts.check && step.changes?.some((c) => c.predict === undefined || c.uncertain);
    if (alone && this.queue.waiting()) {
      const failed = await this.queue.flush();
      if (failed) return { failed };
    }
    this.queue.add(step);
    // Check mode reports each task as planned. A failed plan stops the host once what came before is applied.
    // A change that does not say (or only guesses) what it does to the node's facts ends the script: later tasks plan on real facts.
    if (this.opts.check || alone || step.result.status === 'failed') return { step, failed: await this.queue.flush({ gatherAfter: true }) };
    return { step };
  }

  /** A step with nothing to apply reported as runApplyScript reports one (started, then its planned result); a failed task stops the host. */
  private reportPlanned(step: PlannedStep): { step: PlannedStep; failed?: PlannedStep } {
    this.opts.listener({ type: 'task-start', host: this.plan.host, role: step.result.role, task: step.result.task, handler: step.handler });
    this.ledger.record(step, step.result);
    reportResult(this.stats, this.opts.listener, step.result);
    return step.result.status === 'failed' && !step.handler ? { step, failed: step } : { step };
  }
}

/** Every fact of a host's tasks and handlers, for one gather before anything is planned. */
export function planFacts(plan: PreparedHost, ctx: FactsContext): Fact<unknown>[] {
  return [...plan.roles.flatMap((r) => [...r.tasks, ...r.handlers].flatMap((t) => taskFacts(t, ctx))), ...owedHandlerFacts(plan)];
}
