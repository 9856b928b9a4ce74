import type { Change } from '../core/change.js';
import { ProvisionError } from '../core/errors.js';
import type { TaskResult } from '../core/events.js';
import { q } from '../transport/shell.js';
import type { RunResult, Transport } from '../transport/transport.js';
import { batchApplyScript } from './apply-batch.js';

/** A task or handler planned: its result as planned, and the changes still to make on the node (none when ok, skipped or failed). */
export interface Entry {
  handler: boolean;
  result: TaskResult;
  changes?: Change[];
}

export interface BatchRun {
  transport: Transport;
  /** A task starts on the node. */
  start(e: Entry): void;
  /** A task is done: as planned, or with the result given. */
  report(e: Entry, result?: TaskResult): void;
  interrupted(): boolean;
  /** Probes to run at the end of the batch once every task succeeded, and how to take their output in. */
  gather?: { script: string; absorb(stdout: string, code: number, stderr: string): void };
}

const lastLines = (s: string) => s.trim().split('\n').slice(-20).join('\n');

/**
 * Applies entries as one batch script (see batchApplyScript) and reports each as the node reports it,
 * in order: an entry with nothing to change is reported when the node gets past it. Returns the task
 * entry that failed, which stops the host (a handler's failure does not). On Ctrl-C the node is told,
 * through a stop file, to start no new task; the entries after the running one are not reported.
 */
export async function runBatch(entries: Entry[], run: BatchRun): Promise<Entry | undefined> {
  const parts = entries.filter((e) => e.changes);
  let done = 0;
  const reportUpTo = (index: number) => {
    for (; done < index; done++) if (!entries[done]!.changes) run.report(entries[done]!);
  };
  if (parts.length === 0) {
    reportUpTo(entries.length);
    return entries.find((e) => e.result.status === 'failed' && !e.handler);
  }
  const batch = batchApplyScript(
    parts.map((e) => ({ changes: e.changes!, handler: e.handler })),
    run.gather ? { gatherAfter: run.gather.script } : {},
  );
  const stream = batch.parser();
  let failed: { entry: Entry; code: number; output: string } | undefined;
  let running: Entry | undefined;
  const stopper = setInterval(() => {
    if (!run.interrupted() || !stream.dir) return;
    clearInterval(stopper);
    run.transport.run(`[ -d ${q(stream.dir)} ] && : > ${q(`${stream.dir}/stop`)}; true`).catch(() => {});
  }, 100);
  let r: RunResult | undefined;
  let lost: ProvisionError | undefined;
  try {
    r = await run.transport.run(batch.script, {
      onStdout: (chunk) =>
        stream.feed(chunk, (ev) => {
          const entry = parts[ev.part]!;
          if (ev.kind === 'begin') {
            reportUpTo(entries.indexOf(entry));
            running = entry;
            run.start(entry);
            return;
          }
          running = undefined;
          done = entries.indexOf(entry) + 1;
          if (ev.code === 0) run.report(entry);
          else if (entry.handler) run.report(entry, { ...entry.result, status: 'failed', error: `exit ${ev.code}: ${lastLines(ev.output)}` });
          else failed = { entry, code: ev.code, output: ev.output };
        }),
    });
  } catch (e) {
    if (!(e instanceof ProvisionError)) throw e;
    lost = e;
  } finally {
    clearInterval(stopper);
  }
  const f = failed as { entry: Entry; code: number; output: string } | undefined;
  if (f) {
    const stderr = stream.stderr(parts.indexOf(f.entry));
    run.report(f.entry, { ...f.entry.result, status: 'failed', error: `exit ${f.code}: ${lastLines(stderr || f.output)}` });
    return f.entry;
  }
  // The script ended inside a task or between two (connection lost, killed): the next task failed.
  const cut = running ?? ((lost || r!.code !== 0) && !run.interrupted() ? parts.find((e) => entries.indexOf(e) >= done) : undefined);
  if (cut) {
    reportUpTo(entries.indexOf(cut));
    run.report(cut, { ...cut.result, status: 'failed', error: lost ? lost.message : `exit ${r!.code}: ${lastLines(r!.stderr || r!.stdout)}` });
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
