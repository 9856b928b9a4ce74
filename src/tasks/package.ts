import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { packagesFact } from '../facts/packages.js';
import { q } from '../transport/shell.js';
import { PlanError } from '../core/errors.js';
import { defineTaskType, listArg as list } from './task-type.js';

const fact = (args: Record<string, unknown>) => packagesFact([...list(args.name), ...list(args.keep)]);
const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confold';

/**
 * OS packages with apt or dnf. Removal never autoremoves, and the `keep` packages are marked as
 * manually installed in the same step, so removing Docker can never take containerd or runc
 * (kubespray issue 8431: docker.io pulled them in as dependencies).
 */
export const packageTask = defineTaskType({
  name: 'package',
  doc: 'OS packages (apt or dnf)',
  args: {
    name: { type: 'strings', required: true, doc: 'package name or list' },
    state: { type: 'string', choices: ['present', 'absent', 'purge'], doc: 'default present' },
    keep: { type: 'strings', doc: 'packages marked manually installed first, so removing others never autoremoves them' },
  },
  facts: (args) => [fact(args)],
  plan(args, facts) {
    const names = list(args.name);
    const state = factValue(facts, fact(args));
    const wanted = (args.state as string | undefined) ?? 'present';
    const keep = list(args.keep).filter((k) => state.installed.includes(k));
    if (wanted === 'present') {
      const missing = names.filter((n) => !state.installed.includes(n));
      if (!missing.length) return noop(`installed: ${names.join(', ')}`);
      return changes({
        what: `install ${missing.join(', ')}`,
        script: installScript(state.manager, missing),
        predict: [{ kind: 'fact', key: fact(args).key, value: { ...state, installed: [...state.installed, ...missing] } }],
      });
    }
    const targets = names.filter((n) => state.installed.includes(n) || (wanted === 'purge' && state.configOnly.includes(n)));
    if (!targets.length) return noop(`not installed: ${names.join(', ')}`);
    const what = `${wanted === 'purge' ? 'purge' : 'remove'} ${targets.join(', ')}${keep.length ? ` (keeping ${keep.join(', ')})` : ''}`;
    const after = {
      ...state,
      installed: state.installed.filter((n) => !targets.includes(n)),
      configOnly: wanted === 'purge' ? state.configOnly.filter((n) => !targets.includes(n)) : [...state.configOnly, ...targets],
    };
    return changes({
      what,
      script: removeScript(state.manager, targets, keep, wanted === 'purge'),
      predict: [{ kind: 'fact', key: fact(args).key, value: after }],
    });
  },
});

function installScript(manager: string, pkgs: string[]): string {
  const names = pkgs.map(q).join(' ');
  if (manager === 'apt') return `${APT} install --no-install-recommends ${names} || { apt-get update -q && ${APT} install --no-install-recommends ${names}; }`;
  if (manager === 'dnf') return `dnf install -y ${names}`;
  throw new PlanError('no supported package manager (apt or dnf) on the node');
}

function removeScript(manager: string, pkgs: string[], keep: string[], purge: boolean): string {
  const names = pkgs.map(q).join(' ');
  const kept = keep.map(q).join(' ');
  if (manager === 'apt') return `set -e\n${keep.length ? `apt-mark manual ${kept} >/dev/null\n` : ''}${APT} ${purge ? 'purge' : 'remove'} ${names}`;
  if (manager === 'dnf') return `set -e\n${keep.length ? `dnf mark install ${kept}\n` : ''}dnf remove -y --noautoremove ${names}`;
  throw new PlanError('no supported package manager (apt or dnf) on the node');
}
