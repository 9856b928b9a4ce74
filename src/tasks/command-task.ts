import { changes, noop } from '../core/plan.js';
import { factValue } from '../facts/fact.js';
import { existsFact } from '../facts/facts.js';
import { q } from '../transport/shell.js';
import type { Planner } from './planner.js';

/** A command: always a change, unless `creates` exists or `removes` does not. */
export const commandTask: Planner = {
  facts: (args) => [args.creates, args.removes].filter(Boolean).map((p) => existsFact(String(p))),
  plan(args, facts) {
    if (args.creates && factValue(facts, existsFact(String(args.creates)))) return noop(`${args.creates} exists`);
    if (args.removes && !factValue(facts, existsFact(String(args.removes)))) return noop(`${args.removes} does not exist`);
    const cd = args.chdir ? `cd ${q(String(args.chdir))} || exit 1\n` : '';
    return changes({ what: `run: ${args.cmd}`, script: `${cd}${args.cmd}` });
  },
};
