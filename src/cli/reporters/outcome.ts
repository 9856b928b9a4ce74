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
export function formatOutcome(tasks: TaskResult[], unreachable: UnreachableHost[], opts: { rows?: number; report?: string; diff?: boolean } = {}): string {
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
  const sets = changeSets(tasks, !!opts.diff);
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

/** Hosts with the very same changes share one entry, in first-seen order. */
function changeSets(tasks: TaskResult[], withDiffs: boolean): { hosts: string[]; changes: string[] }[] {
  const perHost = new Map<string, string[]>();
  for (const t of tasks) {
    if (t.status !== 'changed') continue;
    const list = perHost.get(t.host) ?? [];
    for (const c of t.changes) list.push(`${t.role} > ${t.task}: ${c}`);
    if (withDiffs) for (const d of t.diffs ?? []) list.push(formatDiff(d).replace(/^/gm, '    '));
    perHost.set(t.host, list);
  }
  const sets = new Map<string, { hosts: string[]; changes: string[] }>();
  for (const [host, changes] of perHost) {
    const key = changes.join('\n');
    const set = sets.get(key) ?? { hosts: [], changes };
    set.hosts.push(host);
    sets.set(key, set);
  }
  return [...sets.values()].map((s) => ({ ...s, hosts: s.hosts.sort() }));
}
