import { nodeDecision } from '../core/change.js';
import { ConnectionLostError, ProvisionError } from '../core/errors.js';
import type { TaskResult } from '../core/events.js';
import { q } from '../transport/shell.js';
import { ANSWER_GRACE_S, KILL_AFTER_S, timedOut } from '../transport/time-limit.js';
import type { RunResult, Transport } from '../transport/transport.js';
import { type ApplyStreamEvent, type ApplyStream, buildApplyScript } from './apply-script.js';
import type { PlannedStep } from './planned-step.js';

export interface ApplyScriptRun {
  transport: Transport;
  /** A task starts on the node. */
  start(e: PlannedStep): void;
  /** A task is done: as planned, or with the result given. */
  report(e: PlannedStep, result?: TaskResult): void;
  interrupted(): boolean;
  /** Each task's time limit on the node, in seconds. */
  timeLimitS?: number;
  /** Probes to run at the end of the apply script once every task succeeded, and how to take their output in. */
  gather?: { script: string; absorb(stdout: string, code: number, stderr: string): void };
}

const lastLines = (s: string) => s.trim().split('\n').slice(-20).join('\n');

/**
 * Applies planned steps as one apply script (see buildApplyScript) and reports each as the node reports it,
 * in order: a step with nothing to change is reported when the node gets past it, and one whose
 * outcome the node decides (Change.decidedOnNode) as ok when the node says it found nothing to change. Returns the task
 * step that failed, which stops the host (a handler's failure does not). On Ctrl-C the node is told,
 * through a stop file, to start no new task; the steps after the running one are not reported.
 */
export async function runApplyScript(steps: PlannedStep[], run: ApplyScriptRun): Promise<PlannedStep | undefined> {
  const parts = steps.filter((e) => e.changes);
  if (parts.length === 0) {
    // Nothing goes to the node: every step is reported as planned.
    for (const e of steps) run.report(e);
    return firstFailedTask(steps);
  }
  const script = new StreamedScript(steps, parts, run);
  await script.send();
  return script.judge();
}

/** The task (not handler) that failed, which stops the host. */
const firstFailedTask = (steps: PlannedStep[]) => steps.find((e) => e.result.status === 'failed' && !e.handler);

/** A task that failed on the node: judged once the script has ended (its stderr follows its end marker). */
interface TaskFailure {
  step: PlannedStep;
  code: number;
  output: string;
}

/**
 * One apply script on its way: what the node reported so far (written as its markers stream in), judged
 * once the script has ended in one order of precedence (see `judge`).
 */
class StreamedScript {
  /** The steps before this index are reported, or passed by the node. */
  private reportedUpTo = 0;
  /** The step the node is applying now (between its begin and end markers). */
  private running?: PlannedStep;
  /** The task that failed on the node (a handler's failure is reported at once and goes on). */
  private failed?: TaskFailure;
  /** Why the transport gave up on the script (the connection lost, the time limit). */
  private lost?: ProvisionError;
  /** The script's exit code and output, when it ended. */
  private answer?: RunResult;
  /** When each step began on the node, for its time limit. */
  private readonly began = new Map<PlannedStep, number>();
  private readonly script: string;
  private readonly stream: ApplyStream;

  constructor(
    private readonly steps: PlannedStep[],
    /** The steps with changes: the script's parts, in order. */
    private readonly parts: PlannedStep[],
    private readonly run: ApplyScriptRun,
  ) {
    const built = buildApplyScript(
      parts.map((e) => ({ changes: e.changes!, handler: e.handler })),
      { ...(run.gather ? { gatherAfter: run.gather.script } : {}), ...(run.timeLimitS ? { timeLimitS: run.timeLimitS } : {}) },
    );
    this.script = built.script;
    this.stream = built.parser();
  }

  /** Runs the script, taking in its markers as they stream; a ProvisionError from the transport is kept as `lost`. */
  async send(): Promise<void> {
    const limit = this.run.timeLimitS;
    const stopper = setInterval(() => this.stopIfInterrupted(stopper), 100);
    try {
      this.answer = await this.run.transport.run(this.script, {
        ...(limit ? { timeoutMs: ((limit + KILL_AFTER_S) * this.parts.length + ANSWER_GRACE_S) * 1000 } : {}),
        onStdout: (chunk) => this.stream.feed(chunk, (ev) => this.take(ev)),
      });
    } catch (e) {
      if (!(e instanceof ProvisionError)) throw e;
      this.lost = e;
    } finally {
      clearInterval(stopper);
    }
    this.stream.end();
  }

  /**
   * The script's outcome, in this order of precedence: a stream that does not follow the script, a failed task,
   * a lost connection, a script cut inside a task or between two, an interruption; else every step is reported.
   * Returns the task that failed (it stops the host); a lost connection is thrown.
   */
  judge(): PlannedStep | undefined {
    const { stream, failed, lost } = this;
    // A stream that does not follow the script (a forged or out-of-range marker): the task it was in fails, and the host with it.
    if (stream.problem && !failed && !(lost instanceof ConnectionLostError))
      return this.fail(this.running ?? this.nextPart() ?? this.parts.at(-1)!, stream.problem.message);
    if (failed) return this.fail(failed.step, this.failure(failed.step, failed.code, stream.stderr(this.parts.indexOf(failed.step)) || failed.output));
    if (lost instanceof ConnectionLostError) this.throwLost(lost);
    // The script ended inside a task or between two (connection lost, killed): the next task failed.
    const cut = this.running ?? ((lost || this.answer!.code !== 0) && !this.run.interrupted() ? this.nextPart() : undefined);
    if (cut) return this.fail(cut, lost ? lost.message : `exit ${this.answer!.code}: ${lastLines(this.answer!.stderr || stream.other)}`);
    // Lost after the last task: the next task's gather reports it.
    if (lost) return undefined;
    if (this.run.interrupted() && this.steps.slice(this.reportedUpTo).some((e) => e.changes)) return undefined;
    this.reportUpTo(this.steps.length);
    this.absorbGathered(this.answer!);
    return firstFailedTask(this.steps);
  }

  /** A marker: a step began, or ended with its exit code. */
  private take(ev: ApplyStreamEvent): void {
    const step = this.parts[ev.part]!;
    if (ev.kind === 'begin') {
      this.reportUpTo(this.steps.indexOf(step));
      this.running = step;
      this.began.set(step, Date.now());
      this.run.start(step);
      return;
    }
    this.running = undefined;
    this.reportedUpTo = this.steps.indexOf(step) + 1;
    const unchanged = ev.unchanged && nodeDecision(step.changes);
    if (ev.code === 0)
      this.run.report(step, unchanged ? { ...step.result, status: 'ok', changes: [], reason: unchanged.unchanged, diffs: undefined } : undefined);
    else if (step.handler) this.run.report(step, { ...step.result, status: 'failed', error: this.failure(step, ev.code, ev.output) });
    else this.failed = { step, code: ev.code, output: ev.output };
  }

  /** On Ctrl-C, once the node named its private directory: a stop file there, so no new task starts. */
  private stopIfInterrupted(stopper: ReturnType<typeof setInterval>): void {
    if (!this.run.interrupted() || !this.stream.dir) return;
    clearInterval(stopper);
    this.run.transport.run(`[ -d ${q(this.stream.dir)} ] && : > ${q(`${this.stream.dir}/stop`)}; true`).catch(() => {});
  }

  /** Reports the steps without changes the node has got past (those before `index`). */
  private reportUpTo(index: number): void {
    for (; this.reportedUpTo < index; this.reportedUpTo++) if (!this.steps[this.reportedUpTo]!.changes) this.run.report(this.steps[this.reportedUpTo]!);
  }

  /** The first part the node has not got past. */
  private nextPart(): PlannedStep | undefined {
    return this.parts.find((e) => this.steps.indexOf(e) >= this.reportedUpTo);
  }

  /** Reports `step` failed (and the steps without changes before it as passed); it stops the host. */
  private fail(step: PlannedStep, error: string): PlannedStep {
    this.reportUpTo(this.steps.indexOf(step));
    this.run.report(step, { ...step.result, status: 'failed', error });
    return step;
  }

  /** Lost while a task applied (or before the next began): its outcome is unknown, and the host stops at once. */
  private throwLost(lost: ConnectionLostError): never {
    const step = this.running ?? this.nextPart();
    if (step) {
      this.reportUpTo(this.steps.indexOf(step));
      this.run.report(step, {
        ...step.result,
        status: 'unknown',
        error: `${lost.message}: whether these changes were made is unknown; the next run finds out`,
      });
    }
    throw lost;
  }

  /** A failed step's error: its time limit when it ran out of time, else its exit code and output's tail. */
  private failure(step: PlannedStep, code: number, output: string): string {
    const limit = this.run.timeLimitS;
    // 124/137 before the limit is the script's own exit code, not the limit's.
    return limit && timedOut(code) && Date.now() - (this.began.get(step) ?? 0) >= limit * 1000 - 500
      ? `timed out after ${limit} s (its processes on the node were ended)${output.trim() ? `:\n${lastLines(output)}` : ''}`
      : `exit ${code}: ${lastLines(output)}`;
  }

  /** The probes' output that rode on the script's end, taken in (a probe that cannot be read is gathered again when next needed). */
  private absorbGathered(answer: RunResult): void {
    const gathered = this.stream.gathered;
    if (!this.run.gather || gathered === undefined) return;
    try {
      this.run.gather.absorb(gathered, answer.code, answer.stderr);
    } catch {
      // gathered again when next needed
    }
  }
}
