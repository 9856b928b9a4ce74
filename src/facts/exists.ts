import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

/** Whether anything (even a dangling link) is at `path`. */
export function existsFact(path: string): Fact<boolean> {
  return {
    key: `exists:${path}`,
    probe: `[ -e ${q(path)} ] || [ -L ${q(path)} ] && echo yes || echo no`,
    parse: (out) => out.trim() === 'yes',
    predict: (_value, p) => (p.kind === 'path' && p.path === path ? p.state.exists !== false : undefined),
  };
}
