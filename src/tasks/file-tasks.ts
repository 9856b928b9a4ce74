import { changes, noop } from '../core/plan.js';
import { factValue } from '../facts/fact.js';
import { type PathState, pathFact } from '../facts/facts.js';
import { q } from '../transport/shell.js';
import { attributeChanges, backupScript } from './file-attributes.js';
import { PlanError, type Planner } from './planner.js';

/** Removals keep a backup of files, links and /etc directories (not of data directories such as /var/lib/docker). */
function worthBackingUp(path: string, state: PathState): boolean {
  return state.type !== 'directory' || path.startsWith('/etc/');
}

export const fileTask: Planner = {
  facts: (args) => [pathFact(String(args.path))],
  plan(args, facts, ctx) {
    const path = String(args.path);
    const state = factValue(facts, pathFact(path));
    const wanted = (args.state as string | undefined) ?? 'present';
    if (wanted === 'absent') {
      if (!state.exists) return noop(`${path} is already absent`);
      const backup = worthBackingUp(path, state) ? `${backupScript(path, ctx.backupDir)}\n` : '';
      return changes({ what: `remove ${state.type} ${path}`, script: `${backup}rm -rf -- ${q(path)}`, predict: [{ kind: 'path', path, state: { exists: false } }] });
    }
    if (!state.exists) {
      if (wanted === 'touch') {
        const created: PathState = { exists: true, type: 'regular empty file', owner: 'root', group: 'root', mode: '0644' };
        return changes({ what: `create empty file ${path}`, script: `touch -- ${q(path)}`, predict: [{ kind: 'path', path, state: { ...created } }] }, ...attributeChanges(path, created, args));
      }
      throw new PlanError(`${path} does not exist (state present only sets attributes; use touch, copy or template to create it)`);
    }
    const attrs = attributeChanges(path, state, args);
    return attrs.length ? changes(...attrs) : noop(`${path} has the wanted attributes`);
  },
};

export const directoryTask: Planner = {
  facts: (args) => [pathFact(String(args.path))],
  plan(args, facts) {
    const path = String(args.path);
    const state = factValue(facts, pathFact(path));
    if (state.exists && state.type !== 'directory') throw new PlanError(`${path} exists and is a ${state.type}, not a directory`);
    if (!state.exists) {
      const created: PathState = { exists: true, type: 'directory', owner: 'root', group: 'root', mode: '0755' };
      return changes({ what: `create directory ${path}`, script: `mkdir -p -- ${q(path)}`, predict: [{ kind: 'path', path, state: { ...created } }] }, ...attributeChanges(path, created, args));
    }
    const attrs = attributeChanges(path, state, args);
    return attrs.length ? changes(...attrs) : noop(`directory ${path} exists with the wanted attributes`);
  },
};

export const linkTask: Planner = {
  facts: (args) => [pathFact(String(args.path))],
  plan(args, facts, ctx) {
    const path = String(args.path);
    const target = String(args.target);
    const state = factValue(facts, pathFact(path));
    if ((args.state ?? 'present') === 'absent') {
      if (!state.exists) return noop(`${path} is already absent`);
      if (state.type !== 'symbolic link') throw new PlanError(`${path} is a ${state.type}, not a link: not removing it`);
      return changes({ what: `remove link ${path}`, script: `${backupScript(path, ctx.backupDir)}\nrm -f -- ${q(path)}`, predict: [{ kind: 'path', path, state: { exists: false } }] });
    }
    if (state.type === 'symbolic link' && state.linkTarget === target) return noop(`${path} already points to ${target}`);
    if (state.exists && state.type === 'directory') throw new PlanError(`${path} is a directory: not replacing it with a link`);
    const what = state.exists ? `link ${path}: ${state.linkTarget ?? state.type} -> ${target}` : `link ${path} -> ${target}`;
    const backup = state.exists ? `${backupScript(path, ctx.backupDir)}\n` : '';
    return changes({ what, script: `${backup}ln -sfn -- ${q(target)} ${q(path)}`, predict: [{ kind: 'path', path, state: { exists: true, type: 'symbolic link', linkTarget: target } }] });
  },
};
