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
  // Only what the outcome shows is kept (-v on the live view lists every task after it): a no-op of
  // 10,000 hosts is half a million ok results that would otherwise stay for the whole run.
  const keepAll = !!opts.verbose && useListr;
  const results: TaskResult[] = [];
  const shared = sharedTexts();
  const unreachable: UnreachableHost[] = [];
  const listener: Listener = (event) => {
    // Secrets (URL credentials, passwords) never reach a report, a terminal or a log.
    const e = maskSecrets(event);
    report.listener(e);
    progress.listener(e);
    if (e.type === 'task-result' && (keepAll || shownInOutcome(e))) results.push(kept(e, !!opts.diff, shared));
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
      const all = opts.verbose && useListr ? results.map(taskLine).join('') : '';
      const rows = opts.verbose ? Infinity : Math.max(10, (process.stdout.rows || 40) - 12);
      return all + formatOutcome(results, unreachable, { rows, report: opts.report, diff: opts.diff });
    },
  };
}

/**
 * A result as the outcome keeps it: only the fields it reads (diffs only with --diff), its texts shared with
 * every other host's same text. A first apply of 10,000 hosts keeps some 300,000 changed results, mostly
 * the same lines on every host; as they came, each with its own strings, they were hundreds of MiB.
 */
function kept(e: TaskResult, diff: boolean, shared: (text: string) => string): TaskResult {
  const t: TaskResult = { host: e.host, role: shared(e.role), task: shared(e.task), handler: e.handler, status: e.status, changes: e.changes.map(shared) };
  if (e.reason !== undefined) t.reason = shared(e.reason);
  if (e.error !== undefined) t.error = e.error;
  if (diff && e.diffs) t.diffs = e.diffs;
  return t;
}

/** One instance per distinct text of a run: bounded, as a run's distinct texts are (past the bound a text is kept as it came). */
function sharedTexts(max = 100_000): (text: string) => string {
  const texts = new Map<string, string>();
  return (text) => {
    const known = texts.get(text);
    if (known !== undefined) return known;
    if (texts.size < max) texts.set(text, text);
    return text;
  };
}

const taskLine = (t: TaskResult) =>
  `${t.status.padEnd(8)} ${t.host} | ${t.role}${t.handler ? ' (handler)' : ''} | ${t.task}${t.reason ? ` (${t.reason})` : ''}\n`;
