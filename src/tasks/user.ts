import { type Change, changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { accountFact, accountPrediction } from '../facts/account.js';
import { q } from '../transport/shell.js';
import { defineTaskType } from './task-type.js';

const GROUP = 3;
const HOME = 5;
const SHELL = 6;

export const userTask = defineTaskType({
  name: 'user',
  doc: 'a local user',
  args: {
    name: { type: 'string', required: true, doc: 'user name' },
    state: { type: 'string', choices: ['present', 'absent'], doc: 'default present' },
    system: { type: 'boolean', doc: 'a system account' },
    group: { type: 'string', doc: 'primary group' },
    groups: { type: 'strings', doc: 'supplementary groups' },
    home: { type: 'string', doc: 'home directory' },
    shell: { type: 'string', doc: 'login shell' },
  },
  facts: (args) => [
    accountFact('passwd', String(args.name)),
    // Removing a user may remove the group of its name too (userdel with USERGROUPS_ENAB).
    ...((args.state ?? 'present') === 'absent' ? [accountFact('group', String(args.name))] : []),
    ...(args.group ? [accountFact('group', String(args.group))] : []),
  ],
  plan(args, facts) {
    const name = String(args.name);
    const state = factValue(facts, accountFact('passwd', name));
    if ((args.state ?? 'present') === 'absent') {
      if (!state.exists) return noop(`user ${name} does not exist`);
      const own = factValue(facts, accountFact('group', name));
      // Its own group (same name, its primary gid) goes with it where login.defs says USERGROUPS_ENAB yes,
      // Debian's and RHEL's default; whether it did is gathered again before a later task plans on it.
      const ownGroup = own.exists && own.fields[2] === state.fields[GROUP];
      return changes({
        what: `remove user ${name}`,
        script: `userdel ${q(name)}`,
        predict: [accountPrediction(false, 'passwd', name), ...(ownGroup ? [accountPrediction(false, 'group', name)] : [])],
        ...(ownGroup ? { uncertain: true } : {}),
      });
    }
    const groups = args.groups === undefined ? undefined : (Array.isArray(args.groups) ? args.groups : [args.groups]).map(String);
    if (!state.exists) {
      const flags = [
        args.system ? '-r' : '',
        args.group ? `-g ${q(String(args.group))}` : '',
        groups?.length ? `-G ${q(groups.join(','))}` : '',
        args.home ? `-d ${q(String(args.home))}` : '',
        args.shell ? `-s ${q(String(args.shell))}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      return changes({
        what: `create user ${name}`,
        script: `useradd ${flags} ${q(name)}`.replace(/ +/g, ' '),
        predict: [accountPrediction(true, 'passwd', name)],
      });
    }
    const out: Change[] = [];
    if (args.shell && state.fields[SHELL] !== args.shell)
      out.push({ what: `shell ${state.fields[SHELL]} -> ${args.shell}`, script: `usermod -s ${q(String(args.shell))} ${q(name)}` });
    if (args.home && state.fields[HOME] !== args.home)
      out.push({ what: `home ${state.fields[HOME]} -> ${args.home}`, script: `usermod -d ${q(String(args.home))} ${q(name)}` });
    if (args.group) {
      const gid = factValue(facts, accountFact('group', String(args.group))).fields[2];
      if (gid !== state.fields[GROUP]) out.push({ what: `primary group -> ${args.group}`, script: `usermod -g ${q(String(args.group))} ${q(name)}` });
    }
    const missing = (groups ?? []).filter((g) => !state.groups.includes(g));
    if (missing.length) out.push({ what: `add to groups ${missing.join(', ')}`, script: `usermod -a -G ${q(missing.join(','))} ${q(name)}` });
    return out.length ? changes(...out) : noop(`user ${name} is as wanted`);
  },
});
