import { writeArchiveReceipt, memberFilter } from '../facts/archive.js';
import { failWith, q } from '../transport/shell.js';

export interface StagedExtraction {
  src: string;
  dest: string;
  strip: number;
  include: string[];
  /** owner:group every member gets; undefined: owners are left as extracted and not compared. */
  owner?: string;
  /** Where members replaced are kept: <backup dir of the run><dest>. */
  backupDir: string;
}

/**
 * Shell that extracts an archive ONCE, into a staging directory beside dest (the same filesystem, so
 * each member then goes into place by rename: a binary is never half-written), and moves into dest
 * only the members that differ from what is there: missing, another type, another size, mode or
 * (with `owner`) owner, or other content (cmp). Each member it replaces is backed up first; a member
 * replaced by an (empty) directory is put back. Then the receipt of what dest now holds is written,
 * and when nothing differed "$PROVISION_UNCHANGED" is touched: the node decided that the task changed
 * nothing (see Change.decidedOnNode). mtimes are not compared: a member with the archive's content and
 * mode matches whenever it was installed. The staging directory goes on exit, also on TERM/INT.
 */
export function stagedExtractScript(x: StagedExtraction): string {
  const dest = q(x.dest);
  const stripArg = x.strip ? ` --strip-components=${x.strip}` : '';
  const members = x.include.map(q).join(' ');
  // type|size|mode[|owner] per member, one stat process per tree.
  const statFormat = q(`%n|%F|%s|%a${x.owner ? '|%U:%G' : ''}`);
  const stat = (dir: string, out: string) => `(cd ${dir} && xargs -r -d '\\n' stat -c ${statFormat} -- < "$s/m" > ${out} 2>/dev/null) || true`;
  return [
    `[ -f ${q(x.src)} ] || ${failWith(`archive ${x.src} does not exist on the node (no earlier task brought it)`)}`,
    `mkdir -p ${dest}`,
    `s=$(mktemp -d ${q(`${x.dest}/.provision-unarchive.`)}XXXXXX)`,
    `trap 'rm -rf "$s"' EXIT`,
    `trap 'exit 143' TERM; trap 'exit 130' INT; trap 'exit 129' HUP`,
    `mkdir "$s/x"`,
    `tar -x -v -f ${q(x.src)} -C "$s/x"${stripArg} --no-same-owner ${members} > "$s/v"`,
    `{ ${memberFilter(x.strip)}; } < "$s/v" > "$s/m" || true`,
    x.owner ? `chown -R ${q(x.owner)} "$s/x"` : '',
    stat('"$s/x"', '"$s/a"'),
    stat(dest, '"$s/b"'),
    // Members whose stat lines differ go to "$s/d"; those alike are compared by content.
    `awk -v d="$s/d" -v c="$s/c" 'FILENAME == ARGV[1] { i = index($0, "|"); have[substr($0, 1, i - 1)] = $0; next }`,
    `  { i = index($0, "|"); n = substr($0, 1, i - 1); print n > (have[n] == $0 ? c : d) }' "$s/b" "$s/a"`,
    `: >> "$s/d"; : >> "$s/c"`,
    `while IFS= read -r m; do cmp -s "$s/x/$m" ${dest}/"$m" || printf '%s\\n' "$m" >> "$s/d"; done < "$s/c"`,
    `if [ -s "$s/d" ]; then`,
    `  while IFS= read -r m; do if [ -f ${dest}/"$m" ] || [ -L ${dest}/"$m" ]; then printf '%s\\n' "$m"; fi; done < "$s/d" > "$s/old"`,
    `  if [ -s "$s/old" ]; then mkdir -p ${q(x.backupDir)}; (cd ${dest} && xargs -r -d '\\n' cp -a --parents -t ${q(x.backupDir)} -- < "$s/old"); fi`,
    // rename(2) per member; a directory where a member goes is removed first (only when empty: nothing is lost).
    `  while IFS= read -r m; do`,
    `    t=${dest}/"$m"`,
    `    if [ -d "$t" ] && [ ! -L "$t" ]; then rmdir -- "$t" || ${failWith('cannot put a member in place of a directory that is not empty: ', '"$t"')}; fi`,
    `    case "$m" in */*) mkdir -p -- "\${t%/*}" ;; esac`,
    `    mv -f -T -- "$s/x/$m" "$t"`,
    `  done < "$s/d"`,
    `fi`,
    writeArchiveReceipt(x.src, x.dest, x.strip, x.include, '"$s/m"'),
    `[ -s "$s/d" ] || [ -z "\${PROVISION_UNCHANGED:-}" ] || : > "$PROVISION_UNCHANGED"`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Shell that writes the receipt of members already matching the archive (listed by the fact's probe), and says it changed nothing. */
export function receiptOnlyScript(x: StagedExtraction, members: string[]): string {
  return [
    `m=$(mktemp)`,
    `trap 'rm -f "$m"' EXIT`,
    `printf '%s\\n' ${members.map(q).join(' ')} > "$m"`,
    writeArchiveReceipt(x.src, x.dest, x.strip, x.include, '"$m"'),
    `[ -z "\${PROVISION_UNCHANGED:-}" ] || : > "$PROVISION_UNCHANGED"`,
  ].join('\n');
}
