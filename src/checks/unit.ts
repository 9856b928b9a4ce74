import { factValue } from '../facts/fact.js';
import { unitFact } from '../facts/unit-state.js';
import { defineCheckType } from './check-type.js';

export const unitCheck = defineCheckType({
  name: 'unit',
  doc: 'a systemd unit is active (or, with active: false, is not running)',
  args: {
    name: { type: 'string', required: true, doc: 'unit name' },
    active: { type: 'boolean', doc: 'default true' },
  },
  facts: (args) => [unitFact(String(args.name))],
  judge(args, facts) {
    const unit = factValue(facts, unitFact(String(args.name)));
    const running = unit.activeState === 'active' || unit.activeState === 'activating' || unit.activeState === 'reloading';
    if (args.active === false) return { failures: running ? [`${args.name} is still ${unit.activeState}`] : [] };
    return { failures: unit.activeState === 'active' ? [] : [`${args.name} is ${unit.activeState}`] };
  },
});
