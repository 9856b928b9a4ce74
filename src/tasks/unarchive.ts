import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { archiveFact, archiveMembers, memberFilter, writeArchiveReceipt } from '../facts/archive.js';
import { q } from '../transport/shell.js';
import { PlanError } from '../core/errors.js';
import { defineTaskType, listArg as toList, ownerArgs } from './task-type.js';

const fact = (args: Record<string, unknown>, deep = false) =>
  archiveFact(String(args.src), String(args.dest), Number(args.strip_components ?? 0), toList(args.include), deep);

/**
 * A tar archive on the node, extracted into dest. Idempotent: the receipt of the last extraction
 * (see archiveFact) or, without one, GNU tar's --compare says whether any member is missing or
 * differs in dest, so a converged node costs no extraction. Members it replaces are backed up first.
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
    const state = factValue(facts, fact(args, ctx.verifyContent));
    const owner = args.owner || args.group ? `${args.owner ?? 'root'}:${args.group ?? 'root'}` : undefined;
    if (!state.archiveExists) {
      if (ctx.check) return changes({ what: `extract ${src} into ${dest} (the archive comes from an earlier task)`, script: 'true' });
      throw new PlanError(`archive ${src} does not exist`);
    }
    const wrongOwner = owner ? state.owners.filter((o) => o !== owner) : [];
    if (state.differences.length === 0 && wrongOwner.length === 0)
      return noop(`files from ${src} in ${dest} match the archive${state.quick ? ' (quick check against the receipt)' : ''}`);
    const strip = Number(args.strip_components ?? 0);
    const stripArg = strip ? ` --strip-components=${strip}` : '';
    const members = toList(args.include).map(q).join(' ');
    // The archive is read once: the extraction's verbose output is the member list for the owners and the
    // receipt. It is listed before only when members already there must be backed up (none on a first install).
    const eachMember = (body: string) => `while IFS= read -r m; do ${body}; done < "$list"`;
    const backupDir = `${ctx.backupDir}${dest}`;
    const script = [
      'set -e',
      `mkdir -p ${q(dest)}`,
      `list=$(mktemp)`,
      `trap 'rm -f "$list" "$list.x"' EXIT`,
      state.owners.length
        ? [
            `${archiveMembers(src, strip, toList(args.include))} > "$list" || true`,
            eachMember(`if [ -f ${q(dest)}/"$m" ]; then mkdir -p ${q(backupDir)}/"$(dirname "$m")"; cp -a ${q(dest)}/"$m" ${q(backupDir)}/"$m"; fi`),
          ].join('\n')
        : '',
      `tar -x -v -f ${q(src)} -C ${q(dest)}${stripArg} --no-same-owner ${members} > "$list.x"`,
      `{ ${memberFilter(strip)}; } < "$list.x" > "$list" || true`,
      owner ? eachMember(`chown ${q(owner)} ${q(dest)}/"$m"`) : '',
      writeArchiveReceipt(src, dest, strip, toList(args.include), '"$list"'),
    ]
      .filter(Boolean)
      .join('\n');
    const missing = state.differences.filter((d) => d.startsWith('missing: ')).length;
    const differing = state.differences.filter((d) => !d.startsWith('missing: '));
    const why = [
      missing ? `${missing} missing` : '',
      differing.length ? `${differing.slice(0, 3).join('; ')}${differing.length > 3 ? `; +${differing.length - 3} more` : ''}` : '',
      wrongOwner.length ? `owners ${wrongOwner.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return changes({
      what: `extract ${src} into ${dest} (${why})`,
      script,
      predict: [{ kind: 'fact', key: fact(args, ctx.verifyContent).key, value: { ...state, differences: [], owners: owner ? [owner] : state.owners } }],
    });
  },
});
