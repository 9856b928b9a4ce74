import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { existsFact } from '../facts/exists.js';
import { q } from '../transport/shell.js';
import { defineTaskType } from './task-type.js';

/** A command: always a change, unless `creates` exists or `removes` does not. */
export const commandTask = defineTaskType({
  name: 'command',
  doc: 'a command; always reports changed unless its creates/removes guard says it has nothing to do',
  args: {
    cmd: { type: 'string', required: true, doc: 'run by /bin/sh on the node' },
    creates: { type: 'string', doc: 'skip when this path exists' },
    removes: { type: 'string', doc: 'run only when this path exists' },
    chdir: { type: 'string', doc: 'working directory' },
  },
  facts: (args) => [args.creates, args.removes].filter(Boolean).map((p) => existsFact(String(p))),
  plan(args, facts) {
    if (args.creates && factValue(facts, existsFact(String(args.creates)))) return noop(`${args.creates} exists`);
    if (args.removes && !factValue(facts, existsFact(String(args.removes)))) return noop(`${args.removes} does not exist`);
    const cd = args.chdir ? `cd ${q(String(args.chdir))} || exit 1\n` : '';
    return changes({ what: `run: ${args.cmd}`, script: `${cd}${args.cmd}` });
  },
});
