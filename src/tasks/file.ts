import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { type PathState, pathFact } from '../facts/path.js';
import { q } from '../transport/shell.js';
import { attributeChanges, backupScript } from './file-attributes.js';
import { PlanError } from '../core/errors.js';
import { defineTaskType, ownerArgs } from './task-type.js';

/** Removals keep a backup of files, links and /etc directories (not of data directories such as /var/lib/docker). */
function worthBackingUp(path: string, state: PathState): boolean {
  return state.type !== 'directory' || path.startsWith('/etc/');
}

export const fileTask = defineTaskType({
  name: 'file',
  doc: 'a regular file: attributes of an existing file, touched, or absent (absent also removes directories)',
  args: {
    path: { type: 'string', required: true, doc: 'absolute path' },
    state: { type: 'string', choices: ['present', 'touch', 'absent'], doc: 'default present' },
    ...ownerArgs,
  },
  facts: (args) => [pathFact(String(args.path))],
  plan(args, facts, ctx) {
    const path = String(args.path);
    const state = factValue(facts, pathFact(path));
    const wanted = (args.state as string | undefined) ?? 'present';
    if (wanted === 'absent') {
      if (!state.exists) return noop(`${path} is already absent`);
      const backup = worthBackingUp(path, state) ? `${backupScript(path, ctx.backupDir)}\n` : '';
      return changes({
        what: `remove ${state.type} ${path}`,
        script: `${backup}rm -rf -- ${q(path)}`,
        predict: [{ kind: 'path', path, state: { exists: false } }],
      });
    }
    if (!state.exists) {
      if (wanted === 'touch') {
        const created: PathState = { exists: true, type: 'regular empty file', owner: 'root', group: 'root', mode: '0644' };
        return changes(
          { what: `create empty file ${path}`, script: `touch -- ${q(path)}`, predict: [{ kind: 'path', path, state: { ...created } }] },
          ...attributeChanges(path, created, args),
        );
      }
      throw new PlanError(`${path} does not exist (state present only sets attributes; use touch, copy or template to create it)`);
    }
    const attrs = attributeChanges(path, state, args);
    return attrs.length ? changes(...attrs) : noop(`${path} has the wanted attributes`);
  },
});
