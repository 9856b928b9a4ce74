import type { Listener, RunEvent } from '../../core/events.js';
import { formatDiff } from './format-diff.js';
import { LiveView } from './live-view.js';
import { hostRanges } from './host-ranges.js';

/**
 * Plain lines for pipes and CI logs (no TTY, or CI set): a header with the counts at each wave,
 * changes and failures as they happen, one line per finished host. `-v` adds every task.
 */
export function plainReporter(write: (line: string) => void, opts: { verbose?: boolean; total?: number } = {}): Listener {
  const view = new LiveView(opts.total ?? 0);
  return (e) => {
    view.update(e);
    switch (e.type) {
      case 'task-result':
        taskResult(write, e, opts.verbose);
        break;
      case 'wave-start':
        write(`WAVE ${e.index}/${e.of}: ${e.hosts.join(', ')}\n`);
        if (opts.total) write(`  ${view.header()}\n`);
        break;
      case 'gate':
        write(`GATE ${e.name} ${e.passed ? 'passed' : 'FAILED'} after ${hostRanges(e.after, 6)} (${Math.round(e.waitedMs / 1000)} s): ${e.answer}\n`);
        break;
      case 'pause':
        write(`PAUSE after ${e.after}: ${e.goOn ? 'going on' : 'stopping'} (${e.reason})\n`);
        break;
      case 'host-unreachable':
        write(`UNREACHABLE: ${e.host}: ${e.error}\n`);
        break;
      case 'host-end': {
        if (e.notStarted) break;
        const s = e.stats;
        const state = s.unreachable ? 'unreachable' : s.failed ? 'failed' : 'done';
        write(
          `${state}: ${e.host} ok=${s.ok} changed=${s.changed} failed=${s.failed} skipped=${s.skipped}${s.unknown ? ` unknown=${s.unknown}` : ''}${opts.total ? ` (${view.header()})` : ''}\n`,
        );
        break;
      }
      default:
        break;
    }
  };
}

/** A task's outcome: a change with its changes and diffs, a failure or unknown outcome with its error; with -v, every task. */
function taskResult(write: (line: string) => void, e: Extract<RunEvent, { type: 'task-result' }>, verbose?: boolean): void {
  const label = `${e.host} | ${e.role}${e.handler ? ' (handler)' : ''} | ${e.task}`;
  if (e.status === 'changed') {
    write(`changed: ${label}\n${e.changes.map((c) => `    - ${c}\n`).join('')}`);
    for (const d of e.diffs ?? []) write(`${formatDiff(d).replace(/^/gm, '    ')}\n`);
  } else if (e.status === 'failed') write(`FAILED:  ${label}\n    ${e.error?.replace(/\n/g, '\n    ')}\n`);
  else if (e.status === 'unknown') write(`UNKNOWN: ${label}\n    ${e.error?.replace(/\n/g, '\n    ')}\n`);
  else if (verbose) write(`${e.status}: ${label}${e.reason ? ` (${e.reason})` : ''}\n`);
}
