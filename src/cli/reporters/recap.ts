import type { HostStats } from '../../core/events.js';

/** Ansible's PLAY RECAP lines: `host : ok=N changed=N unreachable=N failed=N skipped=N`. */
export function formatRecap(stats: Record<string, HostStats>, notStarted: string[] = []): string {
  const hosts = Object.keys(stats).sort();
  const width = Math.max(0, ...hosts.map((h) => h.length), ...notStarted.map((h) => h.length));
  const lines = hosts.map((h) => {
    const s = stats[h]!;
    return `${h.padEnd(width)} : ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failed} skipped=${s.skipped}`;
  });
  for (const h of notStarted) lines.push(`${h.padEnd(width)} : not started`);
  return `RECAP ${'*'.repeat(60)}\n${lines.join('\n')}\n`;
}
