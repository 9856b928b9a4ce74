import { nodeDecision } from '../core/change.js';
import { ConnectionLostError, ProvisionError } from '../core/errors.js';
import type { TaskResult } from '../core/events.js';
import { q } from '../transport/shell.js';
import { ANSWER_GRACE_S, KILL_AFTER_S, timedOut } from '../transport/time-limit.js';
import type { RunResult, Transport } from '../transport/transport.js';
import { batchApplyScript } from './apply-script.js';
import type { PlannedStep } from './planned-step.js';

export interface BatchRun {
  transport: Transport;
  /** A task starts on the node. */
  start(e: PlannedStep): void;
  /** A task is done: as planned, or with the result given. */
  report(e: PlannedStep, result?: TaskResult): void;
  interrupted(): boolean;
  /** Each task's time limit on the node, in seconds. */
  timeLimitS?: number;
  /** Probes to run at the end of the batch once every task succeeded, and how to take their output in. */
  gather?: { script: string; absorb(stdout: string, code: number, stderr: string): void };
}

const lastLines = (s: string) => s.trim().split('\n').slice(-20).join('\n');

/**
 * Applies entries as one batch script (see batchApplyScript) and reports each as the node reports it,
 * in order: an entry with nothing to change is reported when the node gets past it, and one whose
 * outcome the node decides (Change.decidedOnNode) as ok when the node says it found nothing to change. Returns the task
 * entry that failed, which stops the host (a handler's failure does not). On Ctrl-C the node is told,
 * through a stop file, to start no new task; the entries after the running one are not reported.
 */
// long-function: one streamed script's state (done, running, failed, lost) is written by the marker callback and judged
// after the script in one order of precedence; split, the parts would pass those four through a shared object.
export async function runBatch(entries: PlannedStep[], run: BatchRun): Promise<PlannedStep | undefined> {
  const parts = entries.filter((e) => e.changes);
  let done = 0;
  const began = new Map<PlannedStep, number>();
  // 124/137 before the limit is the script's own exit code, not the limit's.
  const failure = (entry: PlannedStep, code: number, output: string) =>
    run.timeLimitS && timedOut(code) && Date.now() - (began.get(entry) ?? 0) >= run.timeLimitS * 1000 - 500
      ? `timed out after ${run.timeLimitS} s (its processes on the node were ended)${output.trim() ? `:\n${lastLines(output)}` : ''}`
      : `exit ${code}: ${lastLines(output)}`;
  const reportUpTo = (index: number) => {
    for (; done < index; done++) if (!entries[done]!.changes) run.report(entries[done]!);
  };
  if (parts.length === 0) {
    reportUpTo(entries.length);
    return entries.find((e) => e.result.status === 'failed' && !e.handler);
  }
  const batch = batchApplyScript(
    parts.map((e) => ({ changes: e.changes!, handler: e.handler })),
    { ...(run.gather ? { gatherAfter: run.gather.script } : {}), ...(run.timeLimitS ? { timeLimitS: run.timeLimitS } : {}) },
  );
  const limit = run.timeLimitS;
  const stream = batch.parser();
  let failed: { entry: PlannedStep; code: number; output: string } | undefined;
  let running: PlannedStep | undefined;
  const stopper = setInterval(() => {
    if (!run.interrupted() || !stream.dir) return;
    clearInterval(stopper);
    run.transport.run(`[ -d ${q(stream.dir)} ] && : > ${q(`${stream.dir}/stop`)}; true`).catch(() => {});
  }, 100);
  let r: RunResult | undefined;
  let lost: ProvisionError | undefined;
  try {
    r = await run.transport.run(batch.script, {
      ...(limit ? { timeoutMs: ((limit + KILL_AFTER_S) * parts.length + ANSWER_GRACE_S) * 1000 } : {}),
      onStdout: (chunk) =>
        stream.feed(chunk, (ev) => {
          const entry = parts[ev.part]!;
          if (ev.kind === 'begin') {
            reportUpTo(entries.indexOf(entry));
            running = entry;
            began.set(entry, Date.now());
            run.start(entry);
            return;
          }
          running = undefined;
          done = entries.indexOf(entry) + 1;
          const unchanged = ev.unchanged && nodeDecision(entry.changes);
          if (ev.code === 0)
            run.report(entry, unchanged ? { ...entry.result, status: 'ok', changes: [], reason: unchanged.unchanged, diffs: undefined } : undefined);
          else if (entry.handler) run.report(entry, { ...entry.result, status: 'failed', error: failure(entry, ev.code, ev.output) });
          else failed = { entry, code: ev.code, output: ev.output };
        }),
    });
  } catch (e) {
    if (!(e instanceof ProvisionError)) throw e;
    lost = e;
  } finally {
    clearInterval(stopper);
  }
  stream.end();
  const f = failed as { entry: PlannedStep; code: number; output: string } | undefined;
  // A stream that does not follow the script (a forged or out-of-range marker): the task it was in fails, and the host with it.
  if (stream.problem && !f && !(lost instanceof ConnectionLostError)) {
    const entry = running ?? parts.find((e) => entries.indexOf(e) >= done) ?? parts.at(-1)!;
    reportUpTo(entries.indexOf(entry));
    run.report(entry, { ...entry.result, status: 'failed', error: stream.problem.message });
    return entry;
  }
  if (f) {
    run.report(f.entry, { ...f.entry.result, status: 'failed', error: failure(f.entry, f.code, stream.stderr(parts.indexOf(f.entry)) || f.output) });
    return f.entry;
  }
  // Lost while a task applied (or before the next began): its outcome is unknown, and the host stops at once.
  if (lost instanceof ConnectionLostError) {
    const entry = running ?? parts.find((e) => entries.indexOf(e) >= done);
    if (entry) {
      reportUpTo(entries.indexOf(entry));
      run.report(entry, { ...entry.result, status: 'unknown', error: `${lost.message}: whether these changes were made is unknown; the next run finds out` });
    }
    throw lost;
  }
  // The script ended inside a task or between two (connection lost, killed): the next task failed.
  const cut = running ?? ((lost || r!.code !== 0) && !run.interrupted() ? parts.find((e) => entries.indexOf(e) >= done) : undefined);
  if (cut) {
    reportUpTo(entries.indexOf(cut));
    run.report(cut, { ...cut.result, status: 'failed', error: lost ? lost.message : `exit ${r!.code}: ${lastLines(r!.stderr || stream.other)}` });
    return cut;
  }
  // Lost after the last task: the next task's gather reports it.
  if (lost) return undefined;
  if (run.interrupted() && entries.slice(done).some((e) => e.changes)) return undefined;
  reportUpTo(entries.length);
  const gathered = stream.gathered;
  if (run.gather && gathered !== undefined) {
    try {
      run.gather.absorb(gathered, r!.code, r!.stderr);
    } catch {
      // gathered again when next needed
    }
  }
  return entries.find((e) => e.result.status === 'failed' && !e.handler);
}
