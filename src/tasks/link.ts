import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { pathFact } from '../facts/path.js';
import { q } from '../transport/shell.js';
import { backupScript } from './file-attributes.js';
import { PlanError } from '../core/errors.js';
import { defineTaskType } from './task-type.js';

export const linkTask = defineTaskType({
  name: 'link',
  doc: 'a symbolic link',
  args: {
    path: { type: 'string', required: true, doc: 'the link' },
    target: { type: 'string', required: true, doc: 'what it points to' },
    state: { type: 'string', choices: ['present', 'absent'], doc: 'default present' },
  },
  facts: (args) => [pathFact(String(args.path))],
  plan(args, facts, ctx) {
    const path = String(args.path);
    const target = String(args.target);
    const state = factValue(facts, pathFact(path));
    if ((args.state ?? 'present') === 'absent') {
      if (!state.exists) return noop(`${path} is already absent`);
      if (state.type !== 'symbolic link') throw new PlanError(`${path} is a ${state.type}, not a link: not removing it`);
      return changes({
        what: `remove link ${path}`,
        script: `${backupScript(path, ctx.backupDir)}\nrm -f -- ${q(path)}`,
        predict: [{ kind: 'path', path, state: { exists: false } }],
      });
    }
    if (state.type === 'symbolic link' && state.linkTarget === target) return noop(`${path} already points to ${target}`);
    if (state.exists && state.type === 'directory') throw new PlanError(`${path} is a directory: not replacing it with a link`);
    const what = state.exists ? `link ${path}: ${state.linkTarget ?? state.type} -> ${target}` : `link ${path} -> ${target}`;
    const backup = state.exists ? `${backupScript(path, ctx.backupDir)}\n` : '';
    return changes({
      what,
      script: `${backup}ln -sfn -- ${q(target)} ${q(path)}`,
      predict: [{ kind: 'path', path, state: { exists: true, type: 'symbolic link', linkTarget: target } }],
    });
  },
});
