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
  /** Current content, gathered only for --diff of text files up to 256 KiB that others may read. */
  content?: string;
}

/** stat, and optionally the sha256 and content, of a path (not following a final symlink). */
export function pathFact(path: string, opts: { sha256?: boolean; content?: boolean } = {}): Fact<PathState> {
  const p = q(path);
  const probe = [
    `if [ -e ${p} ] || [ -L ${p} ]; then stat -c 'stat %F|%a|%U|%G|%s' -- ${p}`,
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
    predict(value, p) {
      if (p.kind !== 'path' || p.path !== path) return undefined;
      return p.state.exists === false ? { exists: false } : { ...value, ...p.state };
    },
  };
}
