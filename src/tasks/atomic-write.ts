import { TEMP_SUFFIX } from '../core/constants.js';
import type { PathState } from '../facts/path.js';
import { failWith, q } from '../transport/shell.js';
import { backupScript } from './file-attributes.js';
import { PlanError } from '../core/errors.js';
import type { Args } from './task-type.js';

/**
 * The one way a file is written on a node: into a new private temporary file beside the target
 * (mktemp under umask 077; same file system, so the rename is atomic), given its attributes,
 * validated, the old file backed up, then renamed over the target. `fill` is shell that writes "$tmp"; a failure anywhere leaves the target
 * as it was and no temporary file behind.
 */
export function atomicWriteScript(w: { dest: string; state: PathState; args: Args; backupDir: string; fill: string; validate?: string }): string {
  const dir = w.dest.replace(/\/[^/]*$/, '') || '/';
  const base = w.dest.slice(w.dest.lastIndexOf('/') + 1);
  return [
    `[ -d ${q(dir)} ] || ${failWith(`the directory of ${w.dest} does not exist`)}`,
    // A fixed temp name beside the target could be a symlink planted by another user of that
    // directory; mktemp makes a new file (O_EXCL), and umask 077 keeps it private until chmod.
    `tmp=$(umask 077 && mktemp --suffix=${q(TEMP_SUFFIX)} ${q(`${dir === '/' ? '' : dir}/.${base}.`)}XXXXXX) || ${failWith(`cannot make a temporary file beside ${w.dest}`)}`,
    `trap 'rm -f -- "$tmp"' EXIT`,
    w.fill,
    tempAttributes(w.dest, w.state, w.args),
    w.validate ? validateScript(w.validate) : '',
    w.state.exists ? backupScript(w.dest, w.backupDir) : '',
    `mv -f "$tmp" ${q(w.dest)}`,
    'trap - EXIT',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Writes `content` (any bytes) to "$tmp" through a base64 heredoc, so no byte is special to the shell. */
export function contentFill(content: string | Buffer): string {
  const b64 = Buffer.from(content)
    .toString('base64')
    .replace(/.{1,76}/g, '$&\n');
  const tag = `PROVISION_EOF_${Math.random().toString(36).slice(2, 10)}`;
  return `base64 -d > "$tmp" <<'${tag}'\n${b64}${tag}`;
}

/** The task's attributes, else those of the file it replaces. */
function tempAttributes(dest: string, state: PathState, args: Args): string {
  const lines: string[] = [];
  if (args.mode) lines.push(`chmod ${q(String(args.mode))} "$tmp"`);
  else if (state.exists) lines.push(`chmod --reference=${q(dest)} "$tmp"`);
  else lines.push('chmod 0644 "$tmp"');
  if (args.owner || args.group) lines.push(`chown ${q(`${args.owner ?? ''}${args.group ? `:${args.group}` : ''}`)} "$tmp"`);
  else if (state.exists) lines.push(`chown --reference=${q(dest)} "$tmp"`);
  return lines.join('\n');
}

/** A validate command runs on the temporary file (its %s); its output is shown when it fails. */
function validateScript(command: string): string {
  if (!command.includes('%s')) throw new PlanError(`validate must contain %s (the file to check), got "${command}"`);
  const cmd = command.split('%s').join('"$tmp"');
  return `if ! out=$( { ${cmd} ; } 2>&1 >/dev/null ); then printf '%s\\n' ${q(`validation failed: ${command}`)} "$out" | head -n 21 >&2; exit 1; fi`;
}
