import { q } from '../transport/shell.js';
import { factOnce, memoKey } from './fact-memo.js';
import type { Fact, ProbeGroup } from './fact.js';

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
  /** Current content, gathered only for --diff of text files up to 256 KiB that others may read. */
  content?: string;
}

/** The `stat -c` format of a path's state line, which `parse` reads: type, mode, owner, group, size. */
export const PATH_STAT_FORMAT = 'stat %F|%a|%U|%G|%s';

/**
 * Every path's stat in one `stat`, its name last (a `|` in it stays in the name); link targets by
 * index; with `sha256`, one `sha256sum` for every regular file. Each path then reads as its own probe's lines.
 */
function pathGroup(sha256: boolean): ProbeGroup {
  return {
    id: sha256 ? 'path-sha256' : 'path',
    probe: (items) =>
      [
        `set -- ${items.map(q).join(' ')}`,
        `stat -c '${PATH_STAT_FORMAT}|%n' -- "$@" 2>/dev/null`,
        `i=0; for p do i=$((i + 1)); [ -L "$p" ] && printf 'link %s %s\\n' "$i" "$(readlink -- "$p")"; done`,
        sha256 ? `for p do [ -f "$p" ] && [ ! -L "$p" ] && printf '%s\\0' "$p"; done | xargs -0 -r sha256sum -- 2>/dev/null` : '',
        'true',
      ]
        .filter(Boolean)
        .join('\n'),
    split(out, items) {
      const index = new Map(items.map((p, i) => [p, i]));
      const each = items.map(() => ({ stat: '', link: '', sha: '' }));
      for (const line of out.split('\n')) {
        if (line.startsWith('stat ')) {
          const parts = line.slice(5).split('|');
          const i = index.get(parts.slice(5).join('|'));
          if (i !== undefined) each[i]!.stat = `stat ${parts.slice(0, 5).join('|')}\n`;
        } else if (line.startsWith('link ')) {
          const m = /^link (\d+) (.*)$/.exec(line);
          if (m) each[Number(m[1]) - 1]!.link = `link ${m[2]}\n`;
        } else {
          // sha256sum escapes a name holding a backslash or a newline, and says so with a leading backslash.
          const m = /^(\\?)([0-9a-f]{64}) [ *](.*)$/.exec(line);
          const name = m && (m[1] ? m[3]!.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c)) : m[3]!);
          const i = name === null ? undefined : index.get(name);
          if (i !== undefined) each[i]!.sha = `sha ${m![2]}\n`;
        }
      }
      return each.map((e) => (e.stat ? e.stat + e.link + e.sha : 'missing'));
    },
  };
}
const PATHS = pathGroup(false);
const PATHS_SHA256 = pathGroup(true);

/** stat, and optionally the sha256 and content, of a path (not following a final symlink). */
export function pathFact(path: string, opts: { sha256?: boolean; content?: boolean } = {}): Fact<PathState> {
  const sha256 = !!opts.sha256;
  const content = !!opts.content;
  return factOnce(memoKey('path', path, sha256, content), () => makePathFact(path, { sha256, content }));
}

function makePathFact(path: string, opts: { sha256: boolean; content: boolean }): Fact<PathState> {
  const p = q(path);
  const probe = [
    `if [ -e ${p} ] || [ -L ${p} ]; then stat -c '${PATH_STAT_FORMAT}' -- ${p}`,
    `  [ -L ${p} ] && printf 'link %s\\n' "$(readlink -- ${p})"`,
    opts.sha256 ? `  [ -f ${p} ] && [ ! -L ${p} ] && printf 'sha %s\\n' "$(sha256sum < ${p} | cut -d' ' -f1)"` : '',
    // Content others may not read is never fetched: it would end up in --diff and reports.
    opts.content
      ? `  [ -f ${p} ] && [ "$(stat -c %s -- ${p})" -le 262144 ] && [ -n "$(find ${p} -maxdepth 0 -perm -o=r)" ] && { echo content; base64 < ${p}; }`
      : '',
    'else echo missing; fi; true',
  ]
    .filter(Boolean)
    .join('\n');
  // Content is fetched path by path (--diff only); a name with a line break would break the group's lines.
  const group = opts.content || path.includes('\n') ? {} : { group: { by: opts.sha256 ? PATHS_SHA256 : PATHS, item: path } };
  return {
    key: `path:${opts.sha256 ? 's' : ''}${opts.content ? 'c' : ''}:${path}`,
    probe,
    ...group,
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
    predict(value, p) {
      if (p.kind !== 'path' || p.path !== path) return undefined;
      return p.state.exists === false ? { exists: false } : { ...value, ...p.state };
    },
  };
}
