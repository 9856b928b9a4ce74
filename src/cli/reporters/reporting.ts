import type { Listener, TaskResult } from '../../core/events.js';
import { maskSecrets } from '../../core/secrets.js';
import { JsonReport } from './json-report.js';
import { formatOutcome, shownInOutcome, type UnreachableHost } from './outcome.js';
import { plainReporter } from './plain-reporter.js';
import { out } from '../terminal-text.js';

export interface ReportingOptions {
  progress?: 'auto' | 'listr' | 'plain';
  verbose?: boolean;
  diff?: boolean;
  report?: string;
}

/**
 * The subscribers of a run: JSON report, the live view (listr2 on a terminal, else plain lines), the
 * outcome. listr2 is loaded only when it draws: plain runs (CI, pipes, the benchmark) do without it.
 */
export async function reporting(hosts: string[], opts: ReportingOptions) {
  const report = new JsonReport();
  const useListr = opts.progress === 'listr' || (opts.progress !== 'plain' && process.stdout.isTTY && !process.env.CI);
  const write = (text: string) => out(text);
  const progress: { listener: Listener; finish?: () => void; done?: Promise<void> } = useListr
    ? (await import('./listr-reporter.js')).listrReporter(hosts)
    : { listener: plainReporter(write, { verbose: opts.verbose, total: hosts.length }) };
  // What the outcome shows (-v on the live view: every task) is the report's tasks at these indices: the
  // report keeps each text once for all hosts, and a first apply of 10,000 hosts is some 300,000 changed
  // results that a copy of their own would keep for the whole run.
  const keepAll = !!opts.verbose && useListr;
  const shown = new IndexList();
  const unreachable: UnreachableHost[] = [];
  const listener: Listener = (event) => {
    // Secrets (URL credentials, passwords) never reach a report, a terminal or a log.
    const e = maskSecrets(event);
    if (e.type === 'task-result' && (keepAll || shownInOutcome(e))) shown.push(report.taskCount);
    report.listener(e);
    progress.listener(e);
    if (e.type === 'host-unreachable') unreachable.push({ host: e.host, error: e.error });
  };
  return {
    report,
    listener,
    /** Closes the live view. */
    async finish(): Promise<void> {
      progress.finish?.();
      await progress.done;
    },
    /** After the recap: failures, unreachable hosts and changes, grouped; every task with -v. */
    outcome(): string {
      const results = () => shown.each((i) => report.result(i));
      const all = opts.verbose && useListr ? Array.from(results(), taskLine).join('') : '';
      const rows = opts.verbose ? Infinity : Math.max(10, (process.stdout.rows || 40) - 12);
      return all + formatOutcome(results(), unreachable, { rows, report: opts.report, diff: opts.diff });
    },
  };
}

/** A growing list of indices, four bytes each. */
class IndexList {
  private items = new Int32Array(1024);
  private length = 0;

  push(i: number): void {
    if (this.length === this.items.length) {
      const more = new Int32Array(this.items.length * 2);
      more.set(this.items);
      this.items = more;
    }
    this.items[this.length++] = i;
  }

  /** Each index made into what `fn` makes of it, one at a time. */
  *each<T>(fn: (i: number) => T): Generator<T> {
    for (let k = 0; k < this.length; k++) yield fn(this.items[k]!);
  }
}

const taskLine = (t: TaskResult) =>
  `${t.status.padEnd(8)} ${t.host} | ${t.role}${t.handler ? ' (handler)' : ''} | ${t.task}${t.reason ? ` (${t.reason})` : ''}\n`;
