import { createHash } from 'node:crypto';
import { changes, noop } from '../core/plan.js';
import { factValue } from '../facts/fact.js';
import { pathFact } from '../facts/facts.js';
import { failWith, q, removeOnExit, writeFileScript } from '../transport/shell.js';
import { attributeChanges, backupScript, tempAttributes, writtenState } from './file-attributes.js';
import { PlanError, type Planner } from './planner.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const destFact = (args: Record<string, unknown>, diff: boolean) => pathFact(String(args.dest), { sha256: true, content: diff });

/**
 * template and copy: content compared by hash; a write goes to a temporary file beside the
 * target, is validated there (e.g. `containerd --config %s config dump`), and only then renamed
 * over the target, whose old version is kept in the run's backup directory. A failed validation
 * leaves the target as it was.
 */
export const contentTask: Planner = {
  facts: (args, ctx) => [destFact(args, ctx.diff)],
  plan(args, facts, ctx) {
    if (ctx.content === undefined) throw new PlanError('no rendered content');
    const dest = String(args.dest);
    const state = factValue(facts, destFact(args, ctx.diff));
    if (state.exists && state.type !== 'regular file' && state.type !== 'regular empty file') {
      throw new PlanError(`${dest} is a ${state.type}, not a regular file`);
    }
    if (state.exists && state.sha256 === sha256(ctx.content)) {
      const attrs = attributeChanges(dest, state, args);
      return attrs.length ? changes(...attrs) : noop(`${dest} has the wanted content (sha256 ${state.sha256.slice(0, 12)}) and attributes`);
    }
    const tmp = `${dest}.provision-tmp`;
    const validate = args.validate && !ctx.check ? validateScript(String(args.validate), tmp) : '';
    const script = [
      `[ -d ${q(dest.replace(/\/[^/]*$/, '') || '/')} ] || ${failWith(`the directory of ${dest} does not exist`)}`,
      removeOnExit(tmp),
      writeFileScript(tmp, ctx.content).trimEnd(),
      tempAttributes(tmp, dest, state, args),
      validate,
      state.exists ? backupScript(dest, ctx.backupDir) : '',
      `mv -f ${q(tmp)} ${q(dest)}`,
      'trap - EXIT',
    ].filter(Boolean).join('\n');
    const unit = /^\/(etc|lib|usr\/lib)\/systemd\/system\/([^/]+)$/.exec(dest)?.[2];
    return changes({
      what: state.exists ? `update ${dest} (content changed)` : `create ${dest}`,
      script,
      predict: [writtenState(dest, state, args, { sha256: sha256(ctx.content), content: ctx.content }), ...(unit ? [{ kind: 'unit-file' as const, name: unit }] : [])],
      diff: { path: dest, before: state.content ?? (state.exists ? '(content not shown)\n' : ''), after: ctx.content },
    });
  },
};

function validateScript(command: string, tmp: string): string {
  if (!command.includes('%s')) throw new PlanError(`validate must contain %s (the file to check), got "${command}"`);
  const cmd = command.split('%s').join(q(tmp));
  return `if ! out=$( { ${cmd} ; } 2>&1 >/dev/null ); then printf '%s\\n' ${q(`validation failed: ${command}`)} "$out" | head -n 21 >&2; exit 1; fi`;
}
