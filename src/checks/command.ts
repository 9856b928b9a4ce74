import { parseAnsibleBoolean } from '../core/ansible-boolean.js';
import { factValue } from '../facts/fact.js';
import { listArg } from '../tasks/task-type.js';
import { q } from '../transport/shell.js';
import { commandFact, defineCheckType } from './check-type.js';

/** The argv is quoted word by word: a role's values never become shell. */
const fact = (argv: unknown) => commandFact('command', `${listArg(argv).map(q).join(' ')} 2>&1`);

export const commandCheck = defineCheckType({
  name: 'command',
  doc: 'a program run on the node (argv, no shell) exits with `exit` (default 0) and, with stdout, prints a line matching that regular expression',
  args: {
    argv: { type: 'strings', required: true, doc: 'the program and its arguments, one word each' },
    exit: { type: 'integer', doc: 'the exit code expected (default 0)' },
    stdout: { type: 'string', doc: 'a regular expression (multiline) its output must match' },
    what: { type: 'string', doc: 'what a failure means, for the report (default: the command line)' },
    read_only: {
      type: 'boolean',
      doc: 'the command changes nothing on the node (a version query), so it may run with the first gather; default false: it runs only after the roles',
    },
  },
  facts: (args) => [fact(args.argv)],
  readOnly: (args) => parseAnsibleBoolean(args.read_only) === true,
  judge(args, facts) {
    const r = factValue(facts, fact(args.argv));
    const what = String(args.what ?? listArg(args.argv).join(' '));
    const last = r.out.trim().split('\n').pop() ?? '';
    const expected = args.exit === undefined ? 0 : Number(args.exit);
    if (r.code !== expected) return { failures: [`${what}: exit ${r.code}${expected ? ` (expected ${expected})` : ''}${last ? `: ${last}` : ''}`] };
    if (args.stdout && !new RegExp(String(args.stdout), 'm').test(r.out)) return { failures: [`${what}: output does not match /${args.stdout}/: ${last}`] };
    return { failures: [] };
  },
});
