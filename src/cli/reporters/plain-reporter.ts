import type { Listener } from '../../core/events.js';
import { formatDiff } from './format-diff.js';

/** One line per result, for pipes and CI logs (no TTY, or CI set). */
export function plainReporter(write: (line: string) => void, opts: { verbose?: boolean } = {}): Listener {
  return (e) => {
    switch (e.type) {
      case 'task-result': {
        const label = `${e.host} | ${e.role}${e.handler ? ' (handler)' : ''} | ${e.task}`;
        if (e.status === 'changed') {
          write(`changed: ${label}\n${e.changes.map((c) => `    - ${c}\n`).join('')}`);
          for (const d of e.diffs ?? []) write(formatDiff(d).replace(/^/gm, '    ') + '\n');
        } else if (e.status === 'failed') write(`FAILED:  ${label}\n    ${e.error?.replace(/\n/g, '\n    ')}\n`);
        else if (opts.verbose || e.status === 'skipped') write(`${e.status}: ${label}${e.reason ? ` (${e.reason})` : ''}\n`);
        else write(`ok:      ${label}\n`);
        break;
      }
      case 'batch-start':
        write(`BATCH ${e.index}/${e.of}: ${e.hosts.join(', ')}\n`);
        break;
      case 'host-unreachable':
        write(`UNREACHABLE: ${e.host}: ${e.error}\n`);
        break;
      default:
        break;
    }
  };
}

/**
 * With listr2 drawing progress, the details of changes, skips and failures are held back and
 * printed once it has finished, so they do not fight over the screen.
 */
export function deferredDetails(): { listener: Listener; flush(write: (text: string) => void): void } {
  const lines: string[] = [];
  const plain = plainReporter((line) => lines.push(line));
  return {
    listener: (e) => {
      if ((e.type === 'task-result' && e.status !== 'ok') || e.type === 'host-unreachable') plain(e);
    },
    flush: (write) => write(lines.join('')),
  };
}
