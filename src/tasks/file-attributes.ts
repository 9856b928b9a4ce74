import type { Change, Prediction } from '../core/change.js';
import type { PathState } from '../facts/path.js';
import { q } from '../transport/shell.js';

export const normalizeMode = (mode: string) => mode.replace(/^0*(?=[0-7]{3,4}$)/, '').padStart(4, '0');

/** Changes that bring an existing path's owner, group and mode to what the task asks. */
export function attributeChanges(path: string, state: PathState, args: Record<string, unknown>): Change[] {
  const out: Change[] = [];
  const owner = args.owner as string | undefined;
  const group = args.group as string | undefined;
  if ((owner && owner !== state.owner) || (group && group !== state.group)) {
    const to = `${owner ?? state.owner}:${group ?? state.group}`;
    out.push({
      what: `owner ${state.owner}:${state.group} -> ${to}`,
      script: `chown -h ${q(to)} ${q(path)}`,
      predict: [{ kind: 'path', path, state: { owner: owner ?? state.owner, group: group ?? state.group } }],
    });
  }
  const mode = args.mode as string | undefined;
  if (mode && state.type !== 'symbolic link' && normalizeMode(mode) !== normalizeMode(state.mode ?? '')) {
    out.push({
      what: `mode ${state.mode} -> ${normalizeMode(mode)}`,
      script: `chmod ${q(mode)} ${q(path)}`,
      predict: [{ kind: 'path', path, state: { mode: normalizeMode(mode) } }],
    });
  }
  return out;
}

/** Keeps a copy of `path` under the run's backup directory before it is replaced or removed. */
export function backupScript(path: string, backupDir: string): string {
  const target = `${backupDir}${path}`;
  return `if [ -e ${q(path)} ] || [ -L ${q(path)} ]; then mkdir -p ${q(target.replace(/\/[^/]*$/, '') || '/')} && cp -a ${q(path)} ${q(target)}; fi`;
}

/** The state a path will have once written with the task's attributes (for check mode). */
export function writtenState(path: string, state: PathState, args: Record<string, unknown>, extra: Record<string, unknown>): Prediction {
  return {
    kind: 'path',
    path,
    state: {
      exists: true,
      type: 'regular file',
      mode: args.mode ? normalizeMode(String(args.mode)) : (state.mode ?? '0644'),
      owner: args.owner ?? state.owner ?? 'root',
      group: args.group ?? state.group ?? 'root',
      ...extra,
    },
  };
}
