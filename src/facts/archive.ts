import { createHash } from 'node:crypto';
import { RECEIPT_ROOT } from '../core/constants.js';
import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

export interface ArchiveState {
  archiveExists: boolean;
  /** tar --compare's findings: members missing or differing in the destination. */
  differences: string[];
  /** owner:group of each member already in the destination. */
  owners: string[];
  /** Decided by the receipt's quick check (stat only), not by reading content. */
  quick: boolean;
}

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
 * receipt written by the last extraction exists and the archive's size and mtime are those it
 * records, each member is only stat'ed (type, size, mtime, mode) against the receipt; content is
 * read (GNU tar --compare) only when there is no receipt, the archive changed, or `deep` is asked
 * (--verify-content). A member edited, deleted or replaced by a directory changes its stat line.
 */
export function archiveFact(src: string, dest: string, strip: number, include: string[], deep = false): Fact<ArchiveState> {
  const included = include.map(q).join(' ');
  const stripArg = strip ? ` --strip-components=${strip}` : '';
  const receipt = q(archiveReceiptPath(src, dest, strip, include));
  const tarCompare = `tar -d -f ${q(src)} -C ${q(dest)}${stripArg} ${included} 2>&1 | grep -v -e 'Uid differs' -e 'Gid differs' | sed 's/^/diff /'`;
  // Receipt: line 1 "archive <size> <mtime>", then "<size> <mtime> <mode> <sha256> <path>" per member.
  // One stat for every member (a converged node spends a few processes, not two per member), then awk
  // sets each member's stat beside its receipt line: "S|type|size mtime mode|owner|path" lines, "--", the receipt.
  const quick = [
    `IFS=' ' read -r tag asize amtime; [ "$tag $asize $amtime" = "archive $(stat -c '%s %Y' -- ${q(src)})" ] || { echo stale; exit 0; }`,
    `members=$(cat)`,
    `{ printf '%s\\n' "$members" | cut -d' ' -f5- | (cd ${q(dest)} && xargs -r -d '\\n' stat -c 'S|%F|%s %Y %a|%U:%G|%n' -- 2>/dev/null); echo --; printf '%s\\n' "$members"; } | awk '`,
    `  $0 == "--" { receipt = 1; next }`,
    `  !receipt { l = substr($0, 3); i = index(l, "|"); t = substr(l, 1, i - 1); l = substr(l, i + 1); i = index(l, "|"); s = substr(l, 1, i - 1)`,
    `    l = substr(l, i + 1); i = index(l, "|"); type[substr(l, i + 1)] = t; st[substr(l, i + 1)] = s; own[substr(l, i + 1)] = substr(l, 1, i - 1); next }`,
    `  $0 != "" { n = $0; for (k = 0; k < 4; k++) n = substr(n, index(n, " ") + 1)`,
    `    if (!(n in type)) print "diff missing: " n; else if (type[n] != "regular file") print "diff " n ": not a regular file"`,
    `    else { if (st[n] != $1 " " $2 " " $3) print "diff " n ": size, mtime or mode differ from the receipt"; print "owner " own[n] } }'`,
  ].join('\n');
  // The archive is listed once; a destination holding none of its members (a first install) needs no compare.
  const members = [
    `list=$(${archiveMembers(src, strip, include)})`,
    `present=$(printf '%s\n' "$list" | while IFS= read -r m; do [ -n "$m" ] && { [ -e ${q(dest)}/"$m" ] || [ -L ${q(dest)}/"$m" ]; } && printf '%s\n' "$m"; done)`,
    `if [ -z "$present" ]; then printf '%s\n' "$list" | sed -e '/^$/d' -e 's/^/diff missing: /'; exit 0; fi`,
  ].join('\n');
  const owners = `printf '%s\n' "$present" | while IFS= read -r m; do stat -c 'owner %U:%G' -- ${q(dest)}/"$m"; done; true`;
  return {
    key: `archive:${src}:${dest}:${strip}:${include.join(',')}${deep ? ':deep' : ''}`,
    probe: [
      `if [ ! -f ${q(src)} ]; then echo nosrc; exit 0; fi`,
      `[ -d ${q(dest)} ] || { echo 'diff destination directory is missing'; exit 0; }`,
      deep ? '' : `if [ -f ${receipt} ]; then out=$( (\n${quick}\n) < ${receipt}); [ "$out" = stale ] || { echo quick; printf '%s\\n' "$out"; exit 0; }; fi`,
      members,
      tarCompare,
      owners,
    ]
      .filter(Boolean)
      .join('\n'),
    parse(out) {
      if (out.startsWith('nosrc')) return { archiveExists: false, differences: [], owners: [], quick: false };
      const lines = out.split('\n');
      return {
        archiveExists: true,
        differences: lines
          .filter((l) => l.startsWith('diff '))
          .map((l) => describeTarDifference(l.slice(5)))
          .filter((l): l is string => !!l),
        owners: [...new Set(lines.filter((l) => l.startsWith('owner ')).map((l) => l.slice(6)))],
        quick: lines[0] === 'quick',
      };
    },
  };
}

/**
 * Shell that writes the receipt of an extraction just made: the archive's size and mtime, then each
 * member's size, mtime, mode and sha256 (read once, here, so later runs need not read content).
 * Written to a temporary file and renamed, so a half-written receipt is never trusted. `listFile` (a
 * shell word) holds the member list when the extraction already made one: the archive is not read again.
 */
export function writeArchiveReceipt(src: string, dest: string, strip: number, include: string[], listFile?: string): string {
  const receipt = archiveReceiptPath(src, dest, strip, include);
  const tmp = q(`${receipt}.tmp`);
  return [
    `mkdir -p ${q(RECEIPT_ROOT)}`,
    `{ echo "archive $(stat -c '%s %Y' -- ${q(src)})"; ${listFile ? `cat ${listFile}` : archiveMembers(src, strip, include)} | while IFS= read -r m; do`,
    `  printf '%s %s %s\\n' "$(stat -c '%s %Y %a' -- ${q(dest)}/"$m")" "$(sha256sum < ${q(dest)}/"$m" | cut -d' ' -f1)" "$m"; done; } > ${tmp}`,
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
