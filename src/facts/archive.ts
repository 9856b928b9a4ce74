import { createHash } from 'node:crypto';
import { factOnce, memoKey } from './fact-memo.js';
import { QUICK_CHECK_STAT, RECEIPT_ROOT } from '../core/constants.js';
import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

export interface ArchiveState {
  archiveExists: boolean;
  /** Members missing or differing in the destination (tar --compare's findings, or the receipt's quick check's). */
  differences: string[];
  /** owner:group of each member already in the destination. */
  owners: string[];
  /** Decided by the receipt's quick check (stat only), not by reading content. */
  quick: boolean;
  /** The archive's members as the destination holds them, when they were listed (no receipt: one is written from these). */
  members?: string[];
  /** The archive is (re)written by an earlier task of this run: what it holds is known only on the node, once it is there. */
  replaced?: boolean;
}

/** The quick check's finding for a member whose stat differs from the receipt's: its content may still be the archive's. */
export const STAT_DIFFERS = 'size, mtime, mode or inode differ from the receipt';

/** Receipt format tag: a receipt of another format (an older provision's) is stale, neither trusted nor an error. */
const RECEIPT_TAG = 'archive-v2';
/** The stat the receipt records for the archive: size, mtime to the nanosecond, inode (as the download receipt). */
const ARCHIVE_STAT = `stat -c '${QUICK_CHECK_STAT}' --`;
/** And for each member: size, mtime to the nanosecond, mode, inode, then its path. */
const MEMBER_STAT = `stat -c '%s %.9Y %a %i %n' --`;

/**
 * Where the receipt of one extraction lives on the node: one file per (archive, destination, strip,
 * members), named by a hash of those so two tasks never share one.
 */
export function archiveReceiptPath(src: string, dest: string, strip: number, include: string[]): string {
  const id = createHash('sha256')
    .update(JSON.stringify([src, dest, strip, include]))
    .digest('hex')
    .slice(0, 32);
  return `${RECEIPT_ROOT}/archive-${id}`;
}

/**
 * Whether extracting `src` into `dest` would change anything. Quick check first, as rsync's: when a
 * receipt written by the last extraction exists and the archive's size, mtime and inode are those it
 * records, each member is only stat'ed (type, size, mtime, mode, inode) against the receipt; content
 * is read (GNU tar --compare) only when there is no receipt, the archive changed, or `deep` is asked
 * (--verify-content). A member edited, deleted or replaced by a directory changes its stat line.
 * An archive a download of this run writes is predicted `replaced`: the extraction then decides on the
 * node, so a first install reads no archive before extracting it.
 */
export function archiveFact(src: string, dest: string, strip: number, include: string[], deep = false): Fact<ArchiveState> {
  return factOnce(memoKey('archive', src, dest, strip, include, deep), () => makeArchiveFact(src, dest, strip, [...include], deep));
}

function makeArchiveFact(src: string, dest: string, strip: number, include: string[], deep: boolean): Fact<ArchiveState> {
  const included = include.map(q).join(' ');
  const stripArg = strip ? ` --strip-components=${strip}` : '';
  const receipt = q(archiveReceiptPath(src, dest, strip, include));
  // Owners and mtimes are not compared: owners are the task's `owner`/`group` (checked below), and a
  // member whose content and mode are the archive's matches it whenever it was installed (as the extraction decides).
  const tarCompare = `tar -d -f ${q(src)} -C ${q(dest)}${stripArg} ${included} 2>&1 | grep -v -e 'Uid differs' -e 'Gid differs' -e 'Mod time differs' | sed 's/^/diff /'`;
  const quick = quickReceiptCheck(src, dest, receipt);
  // The archive is listed once; a destination holding none of its members (a first install) needs no compare.
  const members = [
    `list=$(${archiveMembers(src, strip, include)})`,
    `present=$(printf '%s\n' "$list" | while IFS= read -r m; do [ -n "$m" ] && { [ -e ${q(dest)}/"$m" ] || [ -L ${q(dest)}/"$m" ]; } && printf '%s\n' "$m"; done)`,
    `if [ -z "$present" ]; then printf '%s\n' "$list" | sed -e '/^$/d' -e 's/^/diff missing: /'; exit 0; fi`,
    `printf '%s\n' "$list" | sed -e '/^$/d' -e 's/^/member /'`,
  ].join('\n');
  const owners = `printf '%s\n' "$present" | while IFS= read -r m; do stat -c 'owner %U:%G' -- ${q(dest)}/"$m"; done; true`;
  return {
    key: `archive:${src}:${dest}:${strip}:${include.join(',')}${deep ? ':deep' : ''}`,
    probe: [
      `if [ ! -f ${q(src)} ]; then echo nosrc; exit 0; fi`,
      `[ -d ${q(dest)} ] || { echo 'diff destination directory is missing'; exit 0; }`,
      deep ? '' : quick,
      members,
      tarCompare,
      owners,
    ]
      .filter(Boolean)
      .join('\n'),
    parse(out) {
      if (out.startsWith('nosrc')) return { archiveExists: false, differences: [], owners: [], quick: false };
      const lines = out.split('\n');
      const members = lines.filter((l) => l.startsWith('member ')).map((l) => l.slice(7));
      return {
        archiveExists: true,
        differences: lines
          .filter((l) => l.startsWith('diff '))
          .map((l) => describeTarDifference(l.slice(5)))
          .filter((l): l is string => !!l),
        owners: [...new Set(lines.filter((l) => l.startsWith('owner ')).map((l) => l.slice(6)))],
        quick: lines[0] === 'quick',
        ...(members.length ? { members } : {}),
      };
    },
    predict(value, p) {
      // A download (or any write) of the archive itself: its content is the node's to read, after it.
      if (p.kind !== 'path' || p.path !== src) return undefined;
      if (p.state.exists === false) return { archiveExists: false, differences: [], owners: [], quick: false };
      if (p.state.type === undefined && p.state.sha256 === undefined) return undefined;
      return { archiveExists: true, differences: [], owners: value.owners, quick: false, replaced: true };
    },
  };
}

/** The probe's quick check against the receipt (shell; `receipt` a shell word): "quick", then each differing member. */
function quickReceiptCheck(src: string, dest: string, receipt: string): string {
  // Receipt: line 1 "archive-v2 <size> <mtime> <inode>", then "<size> <mtime> <mode> <inode> <path>" per member.
  // A converged node spends a few processes on it, not two per member.
  // The header is read by the shell itself; then awk names the members, one stat answers for all of them,
  // and a second awk sets each stat beside its receipt line (stat lines on stdin, then the receipt).
  return [
    `if [ -f ${receipt} ] && IFS=' ' read -r tag asize amtime ainode < ${receipt} && [ "$tag $asize $amtime $ainode" = "${RECEIPT_TAG} $(${ARCHIVE_STAT} ${q(src)})" ]; then`,
    `  echo quick; cd ${q(dest)} || exit 0`,
    `  awk 'NR > 1 && $0 != "" { n = $0; for (k = 0; k < 4; k++) n = substr(n, index(n, " ") + 1); print n }' ${receipt} | xargs -r -d '\n' stat -c 'S|%F|%s %.9Y %a %i|%U:%G|%n' -- 2>/dev/null | awk '`,
    `  FNR == NR { l = substr($0, 3); i = index(l, "|"); t = substr(l, 1, i - 1); l = substr(l, i + 1); i = index(l, "|"); s = substr(l, 1, i - 1)`,
    `    l = substr(l, i + 1); i = index(l, "|"); type[substr(l, i + 1)] = t; st[substr(l, i + 1)] = s; own[substr(l, i + 1)] = substr(l, 1, i - 1); next }`,
    `  FNR > 1 && $0 != "" { n = $0; for (k = 0; k < 4; k++) n = substr(n, index(n, " ") + 1)`,
    `    if (!(n in type)) print "diff missing: " n; else if (type[n] != "regular file") print "diff " n ": not a regular file"`,
    `    else { if (st[n] != $1 " " $2 " " $3 " " $4) print "diff " n ": ${STAT_DIFFERS}"; print "owner " own[n] } }' - ${receipt}`,
    '  exit 0',
    'fi',
  ].join('\n');
}

/**
 * Shell that writes the receipt of the files now in dest, read from the member list in `listFile` (a
 * shell word, relative paths one a line): the archive's stat, then each member's (one stat process
 * for all). No member's checksum: the deep check (--verify-content) compares with the archive itself,
 * whose sha256 its download verified, so a member's hash would never be read. Written to a temporary
 * file and renamed, so a half-written receipt is never trusted.
 */
export function writeArchiveReceipt(src: string, dest: string, strip: number, include: string[], listFile: string): string {
  const receipt = archiveReceiptPath(src, dest, strip, include);
  const tmp = q(`${receipt}.tmp`);
  return [
    `mkdir -p ${q(RECEIPT_ROOT)}`,
    `{ echo "${RECEIPT_TAG} $(${ARCHIVE_STAT} ${q(src)})"; (cd ${q(dest)} && xargs -r -d '\\n' ${MEMBER_STAT} < ${listFile}); } > ${tmp}`,
    `mv -f ${tmp} ${q(receipt)}`,
  ].join('\n');
}

/** The regular-file members of an archive, as paths relative to where they are extracted. */
export function archiveMembers(src: string, strip: number, include: string[]): string {
  return `tar -t -f ${q(src)} ${include.map(q).join(' ')} 2>/dev/null | ${memberFilter(strip)}`;
}

/** Archive member names (as `tar -t` or `tar -xv` print them) made paths under the destination; directories dropped. */
export function memberFilter(strip: number): string {
  return `${strip ? `cut -s -d/ -f${strip + 1}- | ` : ''}grep -v -e '/$' -e '^$' -e '^\\.$'`;
}

/** tar --compare's lines as "missing: x" / "x: Contents differ"; its summary line is dropped. */
function describeTarDifference(line: string): string | undefined {
  // A stripped directory entry has an empty name: it is no difference.
  if (/^tar: Exiting with failure status/.test(line) || /^tar: : /.test(line) || line.trim() === '') return undefined;
  const missing = /^tar: (.+): Warning: Cannot stat: No such file or directory$/.exec(line);
  if (missing) return `missing: ${missing[1]!.replace(/^\.\//, '')}`;
  return line.replace(/^\.\//, '');
}
