import { createHash } from 'node:crypto';
import { changes, noop, type Plan } from '../core/change.js';
import { PlanError } from '../core/errors.js';
import { factValue } from '../facts/fact.js';
import { pathFact } from '../facts/path.js';
import { atomicWriteScript, contentFill } from './atomic-write.js';
import { writtenState } from './file-attributes.js';
import type { Args, PlanContext } from './task-type.js';

/** An edit reads the whole current file, so its content is always gathered. */
export const editedFileFact = (path: string) => pathFact(path, { sha256: true, content: true });

/**
 * Plans an in-place edit of an existing text file: `edit` maps the current content to the wanted
 * one (throwing PlanError when it cannot); the write is atomic, attributes kept, the old file
 * backed up.
 */
export function planTextEdit(path: string, facts: Map<string, unknown>, ctx: PlanContext, edit: (before: string) => { after: string; what: string[] }): Plan {
  const state = factValue(facts, editedFileFact(path));
  if (!state.exists) throw new PlanError(`${path} does not exist: nothing to edit`);
  if (state.type !== 'regular file' && state.type !== 'regular empty file') throw new PlanError(`${path} is a ${state.type}, not a regular file`);
  if (state.content === undefined) throw new PlanError(`${path} is larger than 256 KiB: not edited`);
  const { after, what } = edit(state.content);
  if (after === state.content) return noop(`${path} already as wanted`);
  const sha256 = createHash('sha256').update(after).digest('hex');
  const args: Args = {};
  return changes({
    what: `edit ${path}: ${what.join(', ')}`,
    script: atomicWriteScript({ dest: path, state, args, backupDir: ctx.backupDir, fill: contentFill(after) }),
    predict: [writtenState(path, state, args, { sha256, content: after })],
    diff: { path, before: state.content, after },
  });
}

/** Plans writing a file that does not exist yet (root-owned, 0644), as an edit whose before is empty. */
export function planNewFile(path: string, facts: Map<string, unknown>, ctx: PlanContext, content: string): Plan {
  const state = factValue(facts, editedFileFact(path));
  const sha256 = createHash('sha256').update(content).digest('hex');
  const args: Args = { owner: 'root', group: 'root', mode: '0644' };
  return changes({
    what: `create ${path}`,
    script: atomicWriteScript({ dest: path, state, args, backupDir: ctx.backupDir, fill: contentFill(content) }),
    predict: [writtenState(path, state, args, { sha256, content })],
    diff: { path, before: '', after: content },
  });
}
