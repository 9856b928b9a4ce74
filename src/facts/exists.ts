import { q } from '../transport/shell.js';
import { factOnce, memoKey } from './fact-memo.js';
import type { Fact, ProbeGroup } from './fact.js';

/** Every path tested by the shell's own `[`: no process at all. */
const PATHS: ProbeGroup = {
  id: 'exists',
  probe: (items) => `for p in ${items.map(q).join(' ')}; do if [ -e "$p" ] || [ -L "$p" ]; then echo yes; else echo no; fi; done`,
  split: (out) => out.split('\n').filter((l) => l === 'yes' || l === 'no'),
};

/** Whether anything (even a dangling link) is at `path`. */
export function existsFact(path: string): Fact<boolean> {
  return factOnce(memoKey('exists', path), () => makeExistsFact(path));
}

function makeExistsFact(path: string): Fact<boolean> {
  return {
    key: `exists:${path}`,
    probe: `[ -e ${q(path)} ] || [ -L ${q(path)} ] && echo yes || echo no`,
    group: { by: PATHS, item: path },
    parse: (out) => out.trim() === 'yes',
    predict: (_value, p) => (p.kind === 'path' && p.path === path ? p.state.exists !== false : undefined),
  };
}
