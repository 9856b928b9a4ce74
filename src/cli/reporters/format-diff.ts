import { createTwoFilesPatch } from 'diff';
import type { FileDiff } from '../../core/events.js';

/** A unified diff of one file's content, as `--diff` shows it. */
export function formatDiff(d: FileDiff): string {
  return createTwoFilesPatch(`${d.path} (before)`, `${d.path} (after)`, d.before, d.after, undefined, undefined, { context: 3 })
    .split('\n')
    .slice(1)
    .join('\n');
}
