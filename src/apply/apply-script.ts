import { randomBytes } from 'node:crypto';
import { type Change, nodeDecision } from '../core/change.js';
import { timeLimited } from '../transport/time-limit.js';

/** One task's changes in a batch; a handler's failure does not stop the batch (nor the host), a task's does. */
export interface BatchPart {
  changes: Change[];
  handler: boolean;
}

export interface BatchOptions {
  /** Per-task time limit: each part runs under timeout(1) (as timeLimited does), and exit 124 or 137 says it ran out of time. */
  timeLimitS?: number;
  /** Shell run once every part succeeded (the fact probes of the tasks still to plan). */
  gatherAfter?: string;
}

/** What the node said about each part, as the output streams in. */
export type BatchEvent = { kind: 'begin'; part: number } | { kind: 'end'; part: number; code: number; output: string; unchanged?: true };

/**
 * A host's planned changes as one script, so a batch of tasks costs one round trip. Each part runs
 * between markers carrying a random nonce (no task output can forge them), its changes each in
 * their own `set -e` subshell as when they ran one script per task, its stdin /dev/null (a command
 * reading stdin would otherwise eat the script). A task's stderr is kept aside and printed only when
 * it fails; the first failing task ends the script. Before each part the script looks for a stop
 * file in its private directory, which the controller creates on Ctrl-C: no new task starts, the
 * running one finishes. A part whose outcome the node decides gets a file path in
 * $PROVISION_UNCHANGED that it touches when it found nothing to change; its end marker (printed by
 * this script, never by the task) then says `unchanged`.
 */
export function batchApplyScript(parts: BatchPart[], opts: BatchOptions = {}) {
  const nonce = randomBytes(6).toString('hex');
  const mark = `@@provision-${nonce}`;
  const lines = [
    `d=$(mktemp -d) || exit 1`,
    `trap 'rm -rf "$d"' EXIT`,
    `echo "${mark}-dir $d"`,
    ...parts.map((part, i) => {
      const body = part.changes.map((c) => `(\nset -e\n${c.script}\n) || exit $?`).join('\n');
      const run = opts.timeLimitS ? `${timeLimited(body, opts.timeLimitS, { stderrTo: '"$d/err"' })}rc=$?` : `(\n${body}\n) </dev/null 2>"$d/err"; rc=$?`;
      const onFail = part.handler ? '' : ` || { echo "${mark}-stderr ${i}"; cat "$d/err"; exit $rc; }`;
      // A part whose outcome the node decides: its end marker says when it found nothing to change.
      const decided = nodeDecision(part.changes) !== undefined;
      return [
        `[ ! -e "$d/stop" ] || exit 0`,
        decided ? `export PROVISION_UNCHANGED="$d/unchanged-${i}"` : '',
        `echo '${mark}-begin ${i}'`,
        run,
        // A handler's stderr goes with its end marker: the batch goes on after it.
        part.handler ? `[ $rc -eq 0 ] || cat "$d/err"` : '',
        decided ? `u=; [ $rc -ne 0 ] || [ ! -e "$d/unchanged-${i}" ] || u=' unchanged'; unset PROVISION_UNCHANGED` : '',
        `echo "${mark}-end ${i} $rc${decided ? '$u' : ''}"`,
        `[ $rc -eq 0 ]${onFail}`,
      ]
        .filter(Boolean)
        .join('\n');
    }),
    opts.gatherAfter ? `echo '${mark}-gathered'\n${opts.gatherAfter}` : '',
  ];
  return { script: `${lines.filter(Boolean).join('\n')}\n`, parser: () => new BatchStream(mark) };
}

/**
 * Reads a batch's stdout as it streams in and calls back at each marker, so progress and the
 * report stay task by task and live; at the end, the failed task's stderr and what followed `gatherAfter`.
 */
export class BatchStream {
  private buffer = '';
  private current?: { part: number; output: string[] };
  private readonly stderrOf = new Map<number, string[]>();
  private inStderr?: number;
  private gatheredOutput?: string[];
  /** The node's private directory of this batch (for the stop file). */
  dir?: string;

  constructor(private readonly mark: string) {}

  feed(chunk: string, on: (e: BatchEvent) => void): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      this.line(this.buffer.slice(0, nl), on);
      this.buffer = this.buffer.slice(nl + 1);
    }
  }

  /** What the failed task wrote to stderr. */
  stderr(part: number): string {
    return (this.stderrOf.get(part) ?? []).join('\n');
  }

  /** Everything after the `gatherAfter` marker (undefined when the script never got there). */
  get gathered(): string | undefined {
    return this.gatheredOutput && `${[...this.gatheredOutput, this.buffer].join('\n')}`;
  }

  private line(l: string, on: (e: BatchEvent) => void): void {
    if (this.gatheredOutput) {
      this.gatheredOutput.push(l);
      return;
    }
    if (l.startsWith(`${this.mark}-`)) {
      const [what, a, b, c] = l.slice(this.mark.length + 1).split(' ');
      if (what === 'dir') this.dir = a;
      else if (what === 'begin') {
        this.current = { part: Number(a), output: [] };
        on({ kind: 'begin', part: Number(a) });
      } else if (what === 'end' && this.current) {
        on({
          kind: 'end',
          part: Number(a),
          code: Number(b),
          output: this.current.output.join('\n'),
          ...(c === 'unchanged' ? { unchanged: true as const } : {}),
        });
        this.current = undefined;
      } else if (what === 'stderr') {
        this.inStderr = Number(a);
        this.stderrOf.set(this.inStderr, []);
      } else if (what === 'gathered') this.gatheredOutput = [];
      return;
    }
    if (this.inStderr !== undefined) this.stderrOf.get(this.inStderr)!.push(l);
    else this.current?.output.push(l);
  }
}
