import type { FileDiff } from '../../core/events.js';
import { lazyRequire } from '../../core/lazy-require.js';

// Loaded on the first diff: most runs show none.
const diffLib = lazyRequire<typeof import('diff')>('diff');

/** A unified diff of one file's content, as `--diff` shows it. */
export function formatDiff(d: FileDiff): string {
  return diffLib()
    .createTwoFilesPatch(`${d.path} (before)`, `${d.path} (after)`, d.before, d.after, undefined, undefined, { context: 3 })
    .split('\n')
    .slice(1)
    .join('\n');
}
