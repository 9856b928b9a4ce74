import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { type PathState, pathFact } from '../facts/path.js';
import { q } from '../transport/shell.js';
import { attributeChanges } from './file-attributes.js';
import { PlanError } from '../core/errors.js';
import { defineTaskType, ownerArgs } from './task-type.js';

export const directoryTask = defineTaskType({
  name: 'directory',
  doc: 'a directory with owner, group and mode',
  args: { path: { type: 'string', required: true, doc: 'absolute path' }, ...ownerArgs },
  facts: (args) => [pathFact(String(args.path))],
  plan(args, facts) {
    const path = String(args.path);
    const state = factValue(facts, pathFact(path));
    if (state.exists && state.type !== 'directory') throw new PlanError(`${path} exists and is a ${state.type}, not a directory`);
    if (!state.exists) {
      const created: PathState = { exists: true, type: 'directory', owner: 'root', group: 'root', mode: '0755' };
      return changes(
        { what: `create directory ${path}`, script: `mkdir -p -- ${q(path)}`, predict: [{ kind: 'path', path, state: { ...created } }] },
        ...attributeChanges(path, created, args),
      );
    }
    const attrs = attributeChanges(path, state, args);
    return attrs.length ? changes(...attrs) : noop(`directory ${path} exists with the wanted attributes`);
  },
});
