import type { RunSummary } from '../../rollout/rollout.js';
import { hostRanges } from './host-ranges.js';

/** After the recap: what the rollout did besides the hosts' tasks (hosts not drained, why it stopped). */
export function rolloutLines(summary: Pick<RunSummary, 'notDrained' | 'notStarted' | 'stopped'>): string {
  const lines: string[] = [];
  if (summary.notDrained.length) {
    lines.push(`not drained, nothing to change: ${hostRanges([...summary.notDrained].sort(), 10)}`);
  }
  if (summary.stopped) {
    const never = summary.notStarted.length ? `; never started: ${hostRanges(summary.notStarted, 10)}` : '';
    lines.push(`rollout stopped: ${summary.stopped}${never}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}
