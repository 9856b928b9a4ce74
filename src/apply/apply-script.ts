import { randomBytes } from 'node:crypto';
import { type Change, nodeDecision } from '../core/change.js';
import { timeLimited } from '../transport/time-limit.js';
import { ApplyStream } from './apply-stream.js';

/** One task's changes in an apply script; a handler's failure does not stop the script (nor the host), a task's does. */
export interface ApplyScriptPart {
  changes: Change[];
  handler: boolean;
}

export interface ApplyScriptOptions {
  /** Per-task time limit: each part runs under timeout(1) (as timeLimited does), and exit 124 or 137 says it ran out of time. */
  timeLimitS?: number;
  /** Shell run once every part succeeded (the fact probes of the tasks still to plan). */
  gatherAfter?: string;
}

/**
 * A host's planned changes as one script, so the queued tasks cost one round trip. Each part runs
 * between markers carrying a random nonce (no task output can forge them), its changes each in
 * their own `set -e` subshell as when they ran one script per task, its stdin /dev/null (a command
 * reading stdin would otherwise eat the script). Every marker is printed after a newline of its own,
 * so it starts a line whatever the output before it (`printf done`); the parser takes that newline
 * back. A task's stderr is kept aside and printed only when
 * it fails; the first failing task ends the script. Before each part the script looks for a stop
 * file in its private directory, which the controller creates on Ctrl-C: no new task starts, the
 * running one finishes. A part whose outcome the node decides gets a file path in
 * $PROVISION_UNCHANGED that it touches when it found nothing to change; its end marker (printed by
 * this script, never by the task) then says `unchanged`.
 */
export function buildApplyScript(parts: ApplyScriptPart[], opts: ApplyScriptOptions = {}) {
  const nonce = randomBytes(6).toString('hex');
  const mark = `@@provision-${nonce}`;
  // On a line of its own: a newline first (taken back by the parser), then the marker.
  const marker = (text: string) => `printf '\\n%s\\n' "${mark}-${text}"`;
  const lines = [
    `d=$(mktemp -d) || exit 1`,
    `trap 'rm -rf "$d"' EXIT`,
    marker('dir $d'),
    ...parts.map((part, i) => {
      const body = part.changes.map((c) => `(\nset -e\n${c.script}\n) || exit $?`).join('\n');
      const run = opts.timeLimitS ? `${timeLimited(body, opts.timeLimitS, { stderrTo: '"$d/err"' })}rc=$?` : `(\n${body}\n) </dev/null 2>"$d/err"; rc=$?`;
      const onFail = part.handler ? '' : ` || { ${marker(`stderr ${i}`)}; cat "$d/err"; exit $rc; }`;
      // A part whose outcome the node decides: its end marker says when it found nothing to change.
      const decided = nodeDecision(part.changes) !== undefined;
      return [
        `[ ! -e "$d/stop" ] || exit 0`,
        decided ? `export PROVISION_UNCHANGED="$d/unchanged-${i}"` : '',
        marker(`begin ${i}`),
        run,
        // A handler's stderr goes with its end marker: the script goes on after it.
        part.handler ? `[ $rc -eq 0 ] || cat "$d/err"` : '',
        decided ? `u=; [ $rc -ne 0 ] || [ ! -e "$d/unchanged-${i}" ] || u=' unchanged'; unset PROVISION_UNCHANGED` : '',
        marker(`end ${i} $rc${decided ? '$u' : ''}`),
        `[ $rc -eq 0 ]${onFail}`,
      ]
        .filter(Boolean)
        .join('\n');
    }),
    opts.gatherAfter ? `${marker('gathered')}\n${opts.gatherAfter}` : '',
  ];
  return { script: `${lines.filter(Boolean).join('\n')}\n`, parser: () => new ApplyStream(mark, parts.length) };
}

export { type ApplyStreamEvent, ApplyStream } from './apply-stream.js';
