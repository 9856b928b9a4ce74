import { createHash } from 'node:crypto';
import { changes, noop, type Plan } from '../core/change.js';
import { unitOfFile } from '../domain/systemd-paths.js';
import { factValue } from '../facts/fact.js';
import { pathFact } from '../facts/path.js';
import { atomicWriteScript, contentFill } from './atomic-write.js';
import { attributeChanges, writtenState } from './file-attributes.js';
import { PlanError } from '../core/errors.js';
import { type ArgSpec, type Args, type PlanContext, ownerArgs } from './task-type.js';

/** Arguments of the types that write a whole file (template, copy). */
export const contentArgs: Record<string, ArgSpec> = {
  dest: { type: 'string', required: true, doc: 'absolute path on the node' },
  ...ownerArgs,
  validate: { type: 'string', doc: 'command run on the new content before it replaces dest; %s is the temporary file' },
  backup: { type: 'boolean', doc: 'keep what was replaced (default true)' },
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const contentFacts = (args: Args, ctx: PlanContext) => [pathFact(String(args.dest), { sha256: true, content: ctx.diff })];

/** A file others may not read (wanted or current mode) shows in --diff and reports as a checksum change only. */
function privateContent(args: Args, state: { exists: boolean; mode?: string }): boolean {
  const othersRead = (mode: string) => (parseInt(mode, 8) & 0o004) !== 0;
  if (typeof args.mode === 'string' && !othersRead(args.mode)) return true;
  return state.exists && state.mode !== undefined && !othersRead(state.mode);
}

/**
 * Content compared by hash; a write is atomic and validated (e.g. `containerd --config %s config
 * dump`), the old version kept in the run's backup directory. A failed validation leaves the
 * target as it was.
 */
export function planContentWrite(args: Args, facts: Map<string, unknown>, ctx: PlanContext): Plan {
  if (ctx.content === undefined) throw new PlanError('no rendered content');
  const dest = String(args.dest);
  const state = factValue(facts, contentFacts(args, ctx)[0]!);
  if (state.exists && state.type !== 'regular file' && state.type !== 'regular empty file') {
    throw new PlanError(`${dest} is a ${state.type}, not a regular file`);
  }
  if (state.exists && state.sha256 === sha256(ctx.content)) {
    const attrs = attributeChanges(dest, state, args);
    return attrs.length ? changes(...attrs) : noop(`${dest} has the wanted content (sha256 ${state.sha256.slice(0, 12)}) and attributes`);
  }
  const script = atomicWriteScript({
    dest,
    state,
    args,
    backupDir: ctx.backupDir,
    fill: contentFill(ctx.content),
    ...(args.validate && !ctx.check ? { validate: String(args.validate) } : {}),
  });
  const unit = unitOfFile(dest);
  return changes({
    what: state.exists ? `update ${dest} (content changed)` : `create ${dest}`,
    script,
    predict: [
      writtenState(dest, state, args, { sha256: sha256(ctx.content), content: ctx.content }),
      ...(unit ? [{ kind: 'unit-file' as const, name: unit }] : []),
    ],
    diff: privateContent(args, state)
      ? {
          path: dest,
          before: state.exists ? `(sha256 ${state.sha256?.slice(0, 12)}; content not shown: others may not read it)\n` : '',
          after: `(sha256 ${sha256(ctx.content).slice(0, 12)}; content not shown: others may not read it)\n`,
        }
      : { path: dest, before: state.content ?? (state.exists ? '(content not shown)\n' : ''), after: ctx.content },
  });
}
