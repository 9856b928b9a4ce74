import type { TaskResult } from '../../core/events.js';
import { formatDiff } from './format-diff.js';
import { formatGroup, groupByMessage } from './group-by-message.js';
import { hostRanges } from './host-ranges.js';

/** The last lines of a command's error output: where the cause usually is. */
const STDERR_TAIL = 6;

export interface UnreachableHost {
  host: string;
  error: string;
}

/** The results formatOutcome reads (failures, unknown outcomes, changes, the rollout's notes): all a run need keep for it. */
export const shownInOutcome = (t: TaskResult): boolean =>
  t.status === 'failed' || t.status === 'unknown' || t.status === 'changed' || (t.role === 'rollout' && t.task === 'notes' && !!t.reason);

/**
 * What matters after a run, after the recap: failed tasks (identical failures once, with their
 * hosts), unreachable hosts grouped by error, and changes grouped by hosts whose change sets are
 * identical. Longer than `rows` lines, it ends with a pointer to the full report.
 */
export function formatOutcome(
  results: Iterable<TaskResult>,
  unreachable: UnreachableHost[],
  opts: { rows?: number; report?: string; diff?: boolean } = {},
): string {
  // One pass: the results may be made one by one from the report's columns (hundreds of thousands after a first apply).
  const tasks: TaskResult[] = [];
  const changed = new ChangeSets(!!opts.diff);
  for (const t of results) {
    if (t.status === 'changed') changed.add(t);
    else if (t.status === 'failed' || t.status === 'unknown' || (t.role === 'rollout' && t.task === 'notes' && t.reason)) tasks.push(t);
  }
  const lines: string[] = [];
  const failed = tasks.filter((t) => t.status === 'failed');
  if (failed.length) {
    lines.push('FAILED TASKS');
    for (const g of groupByMessage(failed.map((t) => ({ host: t.host, message: `${t.role} > ${t.task}: ${tail(t.error ?? '')}` })))) {
      lines.push(...indentRest(formatGroup(g)));
    }
  }
  const unknown = tasks.filter((t) => t.status === 'unknown');
  if (unknown.length) {
    lines.push('OUTCOME UNKNOWN (the connection was lost while applying; the next run finds out and finishes)');
    for (const g of groupByMessage(unknown.map((t) => ({ host: t.host, message: `${t.role} > ${t.task}: ${t.changes.join('; ')}` })))) {
      lines.push(...indentRest(formatGroup(g)));
    }
  }
  if (unreachable.length) {
    lines.push('UNREACHABLE');
    for (const g of groupByMessage(unreachable.map((u) => ({ host: u.host, message: u.error })))) lines.push(...indentRest(formatGroup(g)));
  }
  const notes = tasks.filter((t) => t.role === 'rollout' && t.task === 'notes' && t.reason);
  if (notes.length) {
    lines.push('NOTES');
    const each = notes.flatMap((t) => t.reason!.split('\n').map((message) => ({ host: t.host, message })));
    for (const g of groupByMessage(each)) lines.push(...indentRest(formatGroup(g)));
  }
  const sets = changed.sets();
  if (sets.length) lines.push('CHANGES');
  for (const { hosts, changes } of sets) {
    lines.push(`${changes.length} change${changes.length === 1 ? '' : 's'}, the same on ${hosts.length === 1 ? hosts[0] : `${hostRanges(hosts)}`}:`);
    lines.push(...changes.flatMap((c) => c.split('\n')).map((c) => `  ${c}`));
  }
  const rows = opts.rows ?? Infinity;
  if (lines.length <= rows) return lines.length ? `${lines.join('\n')}\n` : '';
  const keep = Math.max(1, rows - 1);
  const where = opts.report ? `the full report is in ${opts.report}` : 'write it all with --report FILE (or see it with -v)';
  return `${lines.slice(0, keep).join('\n')}\n... ${lines.length - keep} more lines: ${where}\n`;
}

function tail(error: string): string {
  const all = error.trim().split('\n');
  return all.length <= STDERR_TAIL ? all.join('\n') : ['...', ...all.slice(-STDERR_TAIL)].join('\n');
}

const indentRest = (text: string) => text.split('\n').map((l, i) => (i ? `    ${l}` : l));

/**
 * Hosts with the very same changes share one entry, in first-seen order. Each distinct line is kept once:
 * 10,000 hosts of a first apply make the very same thirty lines each.
 */
class ChangeSets {
  private readonly perHost = new Map<string, string[]>();
  private readonly lines = new Map<string, string>();

  constructor(private readonly withDiffs: boolean) {}

  add(t: TaskResult): void {
    const list = this.perHost.get(t.host) ?? [];
    this.perHost.set(t.host, list);
    for (const c of t.changes) list.push(this.line(`${t.role} > ${t.task}: ${c}`));
    if (this.withDiffs) for (const d of t.diffs ?? []) list.push(formatDiff(d).replace(/^/gm, '    '));
  }

  sets(): { hosts: string[]; changes: string[] }[] {
    const sets = new Map<string, { hosts: string[]; changes: string[] }>();
    for (const [host, changes] of this.perHost) {
      const key = changes.join('\n');
      const set = sets.get(key) ?? { hosts: [], changes };
      set.hosts.push(host);
      sets.set(key, set);
    }
    return [...sets.values()].map((s) => ({ ...s, hosts: s.hosts.sort() }));
  }

  private line(text: string): string {
    const known = this.lines.get(text);
    if (known !== undefined) return known;
    this.lines.set(text, text);
    return text;
  }
}
