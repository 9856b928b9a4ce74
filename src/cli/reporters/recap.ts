import type { HostStats } from '../../core/events.js';
import { hostRanges } from './host-ranges.js';

/** Past this many hosts, hosts with identical counts share one recap line. */
const GROUP_PAST = 20;

// unknown= only when a task's outcome is unknown: the usual lines stay Ansible's, for the tools that read them.
const counts = (s: HostStats) =>
  `ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failed} skipped=${s.skipped}${s.unknown ? ` unknown=${s.unknown}` : ''}`;

/** Ansible's PLAY RECAP lines: `host : ok=N changed=N unreachable=N failed=N skipped=N`. */
export function formatRecap(stats: Record<string, HostStats>, notStarted: string[] = []): string {
  const hosts = Object.keys(stats).sort();
  let rows: [string, string][];
  if (hosts.length + notStarted.length > GROUP_PAST) {
    const groups = new Map<string, string[]>();
    for (const h of hosts) {
      const key = counts(stats[h]!);
      groups.set(key, [...(groups.get(key) ?? []), h]);
    }
    rows = [...groups].map(([key, hs]) => [hs.length > 1 ? `${hostRanges(hs, 3)} (${hs.length} hosts)` : hs[0]!, key]);
    if (notStarted.length) rows.push([`${hostRanges(notStarted, 3)} (${notStarted.length} hosts)`, 'not started']);
  } else {
    rows = hosts.map((h) => [h, counts(stats[h]!)]);
    for (const h of notStarted) rows.push([h, 'not started']);
  }
  const width = Math.max(0, ...rows.map(([h]) => h.length));
  return `PLAY RECAP ${'*'.repeat(60)}\n${rows.map(([h, c]) => `${h.padEnd(width)} : ${c}`).join('\n')}\n`;
}
