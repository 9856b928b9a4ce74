import { randomBytes } from 'node:crypto';

/** Seconds timeout(1) waits after TERM before it sends KILL. */
export const KILL_AFTER_S = 10;

/** How long the controller waits beyond a script's time limit before it gives up on the node's answer. */
export const ANSWER_GRACE_S = 30;

/**
 * `script` under timeout(1) on the node: after `limitS` seconds its whole process group gets TERM
 * (KILL_AFTER_S later, KILL), and it ends with 124 (or 137). The script reaches its shell on file
 * descriptor 3 from a heredoc, never in argv (where a URL with credentials would show in ps), and
 * its stdin is /dev/null (a command that reads stdin must not eat the script).
 */
export function timeLimited(script: string, limitS: number, opts: { stderrTo?: string } = {}): string {
  const tag = `PROVISION_LIMITED_${randomBytes(6).toString('hex')}`;
  const stderr = opts.stderrTo ? ` 2>${opts.stderrTo}` : '';
  return `timeout -k ${KILL_AFTER_S} ${limitS} sh /dev/fd/3 3<<'${tag}' </dev/null${stderr}\n${script}\n${tag}\n`;
}

/** timeout(1)'s own exit codes: 124 when TERM ended the script, 137 when it took KILL. */
export const timedOut = (code: number): boolean => code === 124 || code === 137;
