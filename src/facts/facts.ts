import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

export interface PathState {
  exists: boolean;
  /** "regular file", "directory", "symbolic link", ... (stat %F) */
  type?: string;
  mode?: string;
  owner?: string;
  group?: string;
  size?: number;
  linkTarget?: string;
  sha256?: string;
  /** Current content, gathered only for --diff of text files up to 256 KiB. */
  content?: string;
}

/** stat, and optionally the sha256 and content, of a path (not following a final symlink). */
export function pathFact(path: string, opts: { sha256?: boolean; content?: boolean } = {}): Fact<PathState> {
  const p = q(path);
  const probe = [
    `if [ -e ${p} ] || [ -L ${p} ]; then stat -c 'stat %F|%a|%U|%G|%s' -- ${p}`,
    `  [ -L ${p} ] && printf 'link %s\\n' "$(readlink -- ${p})"`,
    opts.sha256 ? `  [ -f ${p} ] && [ ! -L ${p} ] && printf 'sha %s\\n' "$(sha256sum < ${p} | cut -d' ' -f1)"` : '',
    opts.content ? `  [ -f ${p} ] && [ "$(stat -c %s -- ${p})" -le 262144 ] && { echo content; base64 < ${p}; }` : '',
    'else echo missing; fi; true',
  ].filter(Boolean).join('\n');
  return {
    key: `path:${opts.sha256 ? 's' : ''}${opts.content ? 'c' : ''}:${path}`,
    probe,
    parse(out) {
      if (out.startsWith('missing')) return { exists: false };
      const state: PathState = { exists: true };
      const lines = out.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.startsWith('stat ')) {
          const [type, mode, owner, group, size] = line.slice(5).split('|');
          Object.assign(state, { type, mode: mode!.padStart(4, '0'), owner, group, size: Number(size) });
        } else if (line.startsWith('link ')) state.linkTarget = line.slice(5);
        else if (line.startsWith('sha ')) state.sha256 = line.slice(4);
        else if (line === 'content') {
          state.content = Buffer.from(lines.slice(i + 1).join(''), 'base64').toString('utf8');
          break;
        }
      }
      return state;
    },
  };
}

/** A small text file fetched by URL on the node (checksum files published beside artifacts). */
export function urlTextFact(url: string): Fact<{ ok: boolean; text: string }> {
  return {
    key: `url:${url}`,
    probe: `if command -v curl >/dev/null; then curl -fsSL --max-time 60 ${q(url)}; else wget -q -T 60 -O - ${q(url)}; fi`,
    parse: (out, code) => ({ ok: code === 0, text: out }),
  };
}

export interface UnitState {
  loadState: string;
  activeState: string;
  unitFileState: string;
  needDaemonReload: boolean;
}

export function unitFact(name: string): Fact<UnitState> {
  return {
    key: `unit:${name}`,
    probe: `systemctl show ${q(name)} -p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload`,
    parse(out) {
      const v: Record<string, string> = {};
      for (const line of out.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) v[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return {
        loadState: v.LoadState ?? 'not-found',
        activeState: v.ActiveState ?? 'inactive',
        unitFileState: v.UnitFileState ?? '',
        needDaemonReload: v.NeedDaemonReload === 'yes',
      };
    },
  };
}

export interface PackageState {
  manager: 'apt' | 'dnf' | 'none';
  /** Installed packages among those asked about. */
  installed: string[];
  /** Removed packages whose config files remain (apt "rc"), which purge would clear. */
  configOnly: string[];
}

export function packagesFact(names: string[]): Fact<PackageState> {
  const list = names.map(q).join(' ');
  return {
    key: `packages:${names.join(',')}`,
    probe: [
      `if command -v dpkg-query >/dev/null; then echo manager apt; dpkg-query -W -f='pkg ${'${Package}'} ${'${db:Status-Abbrev}'}\\n' ${list} 2>/dev/null`,
      `elif command -v rpm >/dev/null; then echo manager dnf; rpm -q --qf 'pkg %{NAME} ii\\n' ${list} 2>/dev/null | grep '^pkg '`,
      'else echo manager none; fi; true',
    ].join('\n'),
    parse(out) {
      const state: PackageState = { manager: 'none', installed: [], configOnly: [] };
      for (const line of out.split('\n')) {
        const [kind, a, b] = line.split(/\s+/);
        if (kind === 'manager') state.manager = a as PackageState['manager'];
        if (kind === 'pkg' && a) {
          if (b?.startsWith('ii') || b?.startsWith('hi')) state.installed.push(a);
          else if (b?.startsWith('rc')) state.configOnly.push(a);
        }
      }
      return state;
    },
  };
}

export interface AccountState {
  exists: boolean;
  fields: string[];
  /** For users: supplementary groups. */
  groups: string[];
}

export function accountFact(kind: 'passwd' | 'group', name: string): Fact<AccountState> {
  return {
    key: `${kind}:${name}`,
    probe: `getent ${kind} ${q(name)} && ${kind === 'passwd' ? `echo "groups $(id -nG ${q(name)})"` : 'true'}`,
    parse(out, code) {
      if (code !== 0 || !out.trim()) return { exists: false, fields: [], groups: [] };
      const [entry, groupsLine] = out.trim().split('\n');
      return { exists: true, fields: entry!.split(':'), groups: groupsLine?.replace(/^groups /, '').split(' ').filter(Boolean) ?? [] };
    },
  };
}

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

export function existsFact(path: string): Fact<boolean> {
  return { key: `exists:${path}`, probe: `[ -e ${q(path)} ] || [ -L ${q(path)} ] && echo yes || echo no`, parse: (out) => out.trim() === 'yes' };
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
