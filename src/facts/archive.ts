import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

export interface ArchiveState {
  archiveExists: boolean;
  /** tar --compare's findings: members missing or differing in the destination. */
  differences: string[];
  /** owner:group of each member already in the destination. */
  owners: string[];
}

/** Whether extracting `src` into `dest` would change anything (GNU tar --compare). */
export function archiveFact(src: string, dest: string, strip: number, include: string[]): Fact<ArchiveState> {
  const members = include.map(q).join(' ');
  const stripArg = strip ? ` --strip-components=${strip}` : '';
  return {
    key: `archive:${src}:${dest}:${strip}:${include.join(',')}`,
    probe: [
      `if [ ! -f ${q(src)} ]; then echo nosrc; exit 0; fi`,
      `[ -d ${q(dest)} ] || { echo 'diff destination directory is missing'; exit 0; }`,
      `tar -d -f ${q(src)} -C ${q(dest)}${stripArg} ${members} 2>&1 | grep -v -e 'Uid differs' -e 'Gid differs' | sed 's/^/diff /'`,
      `${archiveMembers(src, strip, include)} | while IFS= read -r m; do [ -e ${q(dest)}/"$m" ] && stat -c 'owner %U:%G' -- ${q(dest)}/"$m"; done; true`,
    ].join('\n'),
    parse(out) {
      if (out.startsWith('nosrc')) return { archiveExists: false, differences: [], owners: [] };
      const lines = out.split('\n');
      return {
        archiveExists: true,
        differences: lines.filter((l) => l.startsWith('diff ')).map((l) => describeTarDifference(l.slice(5))).filter((l): l is string => !!l),
        owners: [...new Set(lines.filter((l) => l.startsWith('owner ')).map((l) => l.slice(6)))],
      };
    },
  };
}

/** The regular-file members of an archive, as paths relative to where they are extracted. */
export function archiveMembers(src: string, strip: number, include: string[]): string {
  const cut = strip ? ` | cut -s -d/ -f${strip + 1}-` : '';
  return `tar -t -f ${q(src)} ${include.map(q).join(' ')} 2>/dev/null${cut} | grep -v -e '/$' -e '^$' -e '^\\.$'`;
}

/** tar --compare's lines as "missing: x" / "x: Contents differ"; its summary line is dropped. */
function describeTarDifference(line: string): string | undefined {
  // A stripped directory entry has an empty name: it is no difference.
  if (/^tar: Exiting with failure status/.test(line) || /^tar: : /.test(line) || line.trim() === '') return undefined;
  const missing = /^tar: (.+): Warning: Cannot stat: No such file or directory$/.exec(line);
  if (missing) return `missing: ${missing[1]!.replace(/^\.\//, '')}`;
  return line.replace(/^\.\//, '');
}
