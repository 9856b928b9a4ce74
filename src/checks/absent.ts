import { q } from '../transport/shell.js';
import { factValue } from '../facts/fact.js';
import { listArg } from '../tasks/task-type.js';
import { commandFact, defineCheckType } from './check-type.js';

const fact = (args: Record<string, unknown>) =>
  commandFact(
    'absent',
    [
      ...listArg(args.paths).map((p) => `{ [ -e ${q(p)} ] || [ -L ${q(p)} ]; } && printf '%s\\n' ${q(p)}`),
      ...listArg(args.commands).map((c) => `command -v ${q(c)}`),
      'true',
    ].join('\n'),
  );

export const absentCheck = defineCheckType({
  name: 'absent',
  doc: 'none of these paths exists and none of these commands is on the PATH',
  args: {
    paths: { type: 'strings', doc: 'absolute paths' },
    commands: { type: 'strings', doc: 'command names' },
    what: { type: 'string', doc: 'what is still there, for the report (default "still present")' },
  },
  facts: (args) => [fact(args)],
  judge(args, facts) {
    const found = [...new Set(factValue(facts, fact(args)).out.split('\n').filter(Boolean))];
    return { failures: found.length ? [`${String(args.what ?? 'still present')}: ${found.join(', ')}`] : [] };
  },
});
