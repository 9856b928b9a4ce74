import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { accountFact, accountPrediction } from '../facts/account.js';
import { q } from '../transport/shell.js';
import { defineTaskType } from './task-type.js';

export const groupTask = defineTaskType({
  name: 'group',
  doc: 'a local group',
  args: {
    name: { type: 'string', required: true, doc: 'group name' },
    state: { type: 'string', choices: ['present', 'absent'], doc: 'default present' },
    system: { type: 'boolean', doc: 'a system group' },
  },
  facts: (args) => [accountFact('group', String(args.name))],
  plan(args, facts) {
    const name = String(args.name);
    const state = factValue(facts, accountFact('group', name));
    if ((args.state ?? 'present') === 'absent') {
      return state.exists
        ? changes({ what: `remove group ${name}`, script: `groupdel ${q(name)}`, predict: [accountPrediction(false, 'group', name)] })
        : noop(`group ${name} does not exist`);
    }
    return state.exists
      ? noop(`group ${name} exists`)
      : changes({ what: `create group ${name}`, script: `groupadd ${args.system ? '-r ' : ''}${q(name)}`, predict: [accountPrediction(true, 'group', name)] });
  },
});
