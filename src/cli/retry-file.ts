import { writeFileSync } from 'node:fs';
import type { HostStats } from '../core/events.js';
import { err, out } from './terminal-text.js';

/**
 * `--retry-file FILE`: the failed and unreachable hosts, one a line, for `--limit @FILE`. A file that
 * cannot be written (read-only disk, missing directory) is a warning: the run already happened, and
 * its exit code is the run's, not the retry file's.
 */
export function writeRetryFile(file: string, stats: Record<string, HostStats>): void {
  const hosts = Object.entries(stats)
    .filter(([, s]) => s.failed || s.unreachable)
    .map(([h]) => h);
  if (!hosts.length) return;
  try {
    writeFileSync(file, `${hosts.join('\n')}\n`);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    err(`[WARNING]: cannot write the retry file ${file} (${reason}); the hosts to retry: --limit ${hosts.join(',')}\n`);
    return;
  }
  out(`to retry the failed and unreachable hosts: --limit @${file}\n`);
}
