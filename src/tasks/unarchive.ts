import { type Change, changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { type ArchiveState, STAT_DIFFERS, archiveFact } from '../facts/archive.js';
import { PlanError } from '../core/errors.js';
import { receiptOnlyScript, stagedExtractScript } from './extract-staged.js';
import { defineTaskType, listArg as toList, ownerArgs } from './task-type.js';

const fact = (args: Record<string, unknown>, deep = false) =>
  archiveFact(String(args.src), String(args.dest), Number(args.strip_components ?? 0), toList(args.include), deep);

/**
 * A tar archive on the node, extracted into dest. Idempotent: the receipt of the last extraction
 * (see archiveFact) or, without one, GNU tar's --compare says whether any member is missing or
 * differs in dest, so a converged node costs no extraction. The extraction reads the archive once
 * (stagedExtractScript) and replaces only the members that differ, backed up first. Where the plan
 * cannot know (the archive comes from a download of this run, or a member's stat changed but maybe
 * not its content), apply leaves the outcome to the node (Change.decidedOnNode): it may report ok.
 */
export const unarchiveTask = defineTaskType({
  name: 'unarchive',
  doc: 'a tar archive on the node extracted into dest; skipped when the extracted files already match',
  args: {
    src: { type: 'string', required: true, doc: 'archive path on the node' },
    dest: { type: 'string', required: true, doc: 'directory to extract into' },
    strip_components: { type: 'integer', doc: 'leading path components to drop' },
    include: { type: 'strings', doc: 'only these members (after stripping)' },
    ...ownerArgs,
  },
  facts: (args, ctx) => [fact(args, ctx.verifyContent)],
  plan(args, facts, ctx) {
    const src = String(args.src);
    const dest = String(args.dest);
    const archive = fact(args, ctx.verifyContent);
    const key = archive.key;
    const state = factValue(facts, archive);
    const owner = args.owner || args.group ? `${args.owner ?? 'root'}:${args.group ?? 'root'}` : undefined;
    const x = { src, dest, strip: Number(args.strip_components ?? 0), include: toList(args.include), owner, backupDir: `${ctx.backupDir}${dest}` };
    // After the extraction dest matches the archive, whatever the node found: later tasks plan on that.
    const matched: ArchiveState = { archiveExists: true, differences: [], owners: owner ? [owner] : state.owners, quick: false };
    const extract = (why: string, decided: boolean): Change => ({
      what: `extract ${src} into ${dest} (${why})`,
      script: stagedExtractScript(x),
      predict: [{ kind: 'fact', key, value: matched }],
      ...(decided && !ctx.check ? { decidedOnNode: { unchanged: `files from ${src} in ${dest} already matched the archive` } } : {}),
    });
    if (!state.archiveExists) {
      if (ctx.check) return changes({ what: `extract ${src} into ${dest} (the archive comes from an earlier task)`, script: 'true' });
      throw new PlanError(`archive ${src} does not exist`);
    }
    // Written by an earlier task of this run: extracted once, compared on the node (no listing before).
    if (state.replaced) return changes(extract('the archive comes from an earlier task', true));
    const wrongOwner = owner ? state.owners.filter((o) => o !== owner) : [];
    if (state.differences.length === 0 && wrongOwner.length === 0) {
      const reason = `files from ${src} in ${dest} match the archive${state.quick ? ' (quick check against the receipt)' : ''}`;
      // Matching files and no receipt (installed by an older run, or by hand): the receipt makes the next run quick.
      if (ctx.check || ctx.verifyContent || state.quick || !state.members) return noop(reason);
      return changes({
        what: `record ${dest} in a receipt (its files match ${src})`,
        script: receiptOnlyScript(x, state.members),
        predict: [{ kind: 'fact', key, value: { ...state, quick: true } }],
        decidedOnNode: { unchanged: `${reason} (receipt written)` },
      });
    }
    const missing = state.differences.filter((d) => d.startsWith('missing: ')).length;
    const differing = state.differences.filter((d) => !d.startsWith('missing: '));
    const why = [
      missing ? `${missing} missing` : '',
      differing.length ? `${differing.slice(0, 3).join('; ')}${differing.length > 3 ? `; +${differing.length - 3} more` : ''}` : '',
      wrongOwner.length ? `owners ${wrongOwner.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    // Only stat changes since the receipt (a touched member keeps the archive's content): the node decides.
    const onlyStat = !missing && !wrongOwner.length && differing.every((d) => d.endsWith(`: ${STAT_DIFFERS}`));
    return changes(extract(why, onlyStat));
  },
});
