import { BACKUP_ROOT } from '../../core/constants.js';
import { UsageError } from '../../core/errors.js';
import type { Listener } from '../../core/events.js';
import { cliInterrupts } from '../interrupt.js';
import { prepareRun } from '../../plan/prepare.js';
import { applyRun, type RunSummary } from '../../rollout/rollout.js';
import { parseExtraVars } from '../../inventory/extra-vars.js';
import { connectionDefaults } from '../../config/cli-settings.js';
import { connector } from '../connect.js';
import { htmlReport } from '../reporters/html-report.js';
import { writeReportFile } from '../reporters/report-file.js';
import { writeRetryFile } from '../retry-file.js';
import { formatHostList, formatTaskList, splitTags, startAtTask } from './plan-options.js';
import { formatRecap } from '../reporters/recap.js';
import { reporting } from '../reporters/reporting.js';
import { err, out } from '../terminal-text.js';
import { rolloutLines } from '../reporters/rollout-lines.js';
import { pausePrompt } from '../pause-prompt.js';
import { openJournal } from './apply-journal.js';

export interface ApplyOptions {
  inventory: string[];
  limit?: string;
  role?: string[];
  extraVars?: string[];
  check?: boolean;
  diff?: boolean;
  verifyContent?: boolean;
  forks?: string;
  report?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
  askBecomePass?: boolean;
  connectTimeout?: string;
  verbose?: boolean;
  progress?: 'auto' | 'listr' | 'plain';
  serial?: string;
  maxFailPercentage?: string;
  retryFile?: string;
  reportHtml?: string;
  user?: string;
  privateKey?: string;
  become?: boolean;
  becomeUser?: string;
  timeout?: string;
  tags?: string[];
  skipTags?: string[];
  listHosts?: boolean;
  listTasks?: boolean;
  startAtTask?: string;
  taskTimeout?: string;
  step?: boolean;
  yes?: boolean;
  resume?: string | boolean;
  retryFailed?: boolean;
  disableEviction?: boolean;
}

/** --forks, --serial, --max-fail-percentage and --task-timeout, checked before anything else. */
function rolloutNumbers(opts: ApplyOptions) {
  const forks = opts.forks === undefined ? 20 : Number(opts.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new UsageError(`--forks must be a positive integer, got "${opts.forks}"`);
  const serial = opts.serial === undefined ? undefined : opts.serial.split(',').map((s) => s.trim());
  const maxFailPercentage = opts.maxFailPercentage === undefined ? undefined : Number(opts.maxFailPercentage);
  if (maxFailPercentage !== undefined && !(maxFailPercentage >= 0 && maxFailPercentage <= 100)) {
    throw new UsageError(`--max-fail-percentage must be a number from 0 to 100, got "${opts.maxFailPercentage}"`);
  }

  const timeLimitS = opts.taskTimeout === undefined ? undefined : Number(opts.taskTimeout);
  if (timeLimitS !== undefined && !(Number.isInteger(timeLimitS) && timeLimitS >= 0)) {
    throw new UsageError(`--task-timeout must be a whole number of seconds (0: no limit), got "${opts.taskTimeout}"`);
  }
  return { forks, serial, maxFailPercentage, timeLimitS };
}

/** `provision -i INV [--limit P] [--role R]`: gather, plan and apply; returns the exit code. */
export async function applyCommand(opts: ApplyOptions): Promise<number> {
  const { forks, serial, maxFailPercentage, timeLimitS } = rolloutNumbers(opts);

  // Everything is checked before the first connection.
  const selected = prepareRun({
    inventory: opts.inventory,
    limit: opts.limit,
    roles: [...(opts.role ?? []), ...splitTags(opts.tags)],
    skipRoles: splitTags(opts.skipTags),
    extraVars: parseExtraVars(opts.extraVars ?? []),
    connectionDefaults: connectionDefaults(opts),
  });
  for (const w of selected.warnings) err(`[WARNING]: ${w}\n`);
  if (opts.startAtTask !== undefined) startAtTask(selected, opts.startAtTask);
  if (opts.listHosts || opts.listTasks) {
    out(opts.listHosts ? formatHostList(selected) : formatTaskList(selected));
    return 0;
  }
  const { runId, prepared, journal, resumeDrained, note } = openJournal(opts, selected, String(selected.hosts[0]?.vars.provision_strategy ?? 'waves'));
  if (note) out(note);
  const connect = await connector(opts);

  // A pause asks on the terminal: the live view would draw over the question, so progress is plain lines.
  const pauses = opts.step || String(prepared.hosts[0]?.vars.provision_pause_after ?? '') !== '';
  const progress = await reporting(
    prepared.hosts.map((h) => h.host),
    pauses && !opts.yes && (opts.progress ?? 'auto') === 'auto' ? { ...opts, progress: 'plain' } : opts,
  );
  const { report, finish, outcome } = progress;
  const interrupts = cliInterrupts(finish);
  // The journal first: a state is on disk before anything else hears of it.
  const listener = inOrder([journal?.listener, interrupts.listener, progress.listener]);
  process.on('SIGINT', interrupts.onSignal);

  try {
    const summary = await applyRun(prepared, {
      check: opts.check,
      diff: opts.diff,
      verifyContent: opts.verifyContent,
      forks,
      connect,
      listener,
      interrupted: interrupts.interrupted,
      timeLimitS,
      serial,
      maxFailPercentage,
      step: opts.step,
      disableEviction: opts.disableEviction,
      runId,
      ...(resumeDrained ? { resumeDrained } : {}),
      pause: pausePrompt({ yes: opts.yes }),
    });
    await finish();
    writeOutcome(opts, summary, report, outcome);
    return summary.exitCode;
  } finally {
    process.off('SIGINT', interrupts.onSignal);
    journal?.close();
  }
}

/** After the run: the recap, where backups are, the rollout's lines, and the --report, --report-html and --retry-file files. */
function writeOutcome(opts: ApplyOptions, summary: RunSummary, report: Awaited<ReturnType<typeof reporting>>['report'], outcome: () => string): void {
  out(`\n${formatRecap(summary.stats, summary.notStarted)}${outcome()}`);
  if (opts.check) out('check mode: nothing was changed\n');
  out(`run ${summary.runId}: replaced files are kept on each node under ${BACKUP_ROOT}/${summary.runId}/\n`);
  out(rolloutLines(summary));
  const extra = {
    runId: summary.runId,
    check: !!opts.check,
    notStarted: summary.notStarted,
    maxFailPercentage: summary.budget.maxFailPercentage,
    maxFail: summary.budget.maxFail,
    strategy: summary.strategy,
    notDrained: summary.notDrained,
    ...(summary.stopped ? { stopped: summary.stopped } : {}),
  };
  if (opts.report) report.write(opts.report, summary.stats, extra);
  if (opts.reportHtml) writeReportFile(opts.reportHtml, htmlReport(report.body(summary.stats, extra)));
  if (opts.retryFile) writeRetryFile(opts.retryFile, summary.stats);
}

/** One listener that hands each event to the given ones, in their order. */
function inOrder(listeners: (Listener | undefined)[]): Listener {
  return (e) => {
    for (const l of listeners) l?.(e);
  };
}
