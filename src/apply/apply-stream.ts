import { NodeAnswerError } from '../core/errors.js';
import { ANSWER_MAX, CappedText, OUTPUT_TAIL, TailText } from '../transport/bounded-output.js';

/** What the node said about each part, as the output streams in. */
export type ApplyStreamEvent = { kind: 'begin'; part: number } | { kind: 'end'; part: number; code: number; output: string; unchanged?: true };

/** Where the lines between markers go. */
type Sink = TailText | CappedText;

/**
 * Reads an apply script's stdout as it streams in and calls back at each marker, so progress and the
 * report stay task by task and live; at the end, the failed task's stderr and what followed `gatherAfter`.
 * Linear in its input and bounded in memory whatever the node prints: a line is looked at only
 * while it could still be a marker (its first characters), then streamed into where it belongs,
 * of which a task's output and stderr keep their tail, the gather up to ANSWER_MAX.
 * A marker that does not follow the script's order (a part out of range or out of turn, an end
 * without its begin, an unknown kind) stops the reading: `problem` says what, and the host fails.
 */
export class ApplyStream {
  /** The current line while it may still be a marker. */
  private head = '';
  /** The current line is known not to be a marker and goes straight to `sink`. */
  private streaming = false;
  private sink: Sink;
  /** Output outside any part (the script's own complaints). */
  private readonly outside = new TailText(OUTPUT_TAIL);
  private current?: { part: number; output: TailText };
  private readonly stderrOf = new Map<number, TailText>();
  private gatheredOutput?: CappedText;
  private next = 0;
  private lastEnded?: number;
  /** The node's private directory of this apply script (for the stop file). */
  dir?: string;
  /** Why the stream could not be read (no marker is read after it). */
  problem?: NodeAnswerError;

  constructor(
    private readonly mark: string,
    private readonly parts: number,
  ) {
    this.sink = this.outside;
  }

  feed(chunk: string, on: (e: ApplyStreamEvent) => void): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf('\n', pos);
      this.take(nl < 0 ? chunk.slice(pos) : chunk.slice(pos, nl));
      if (nl < 0) return;
      this.endLine(on);
      pos = nl + 1;
    }
  }

  /** The stream ended: its last line (what followed the last newline, maybe nothing) is output too. */
  end(): void {
    if (!this.streaming) this.sink.line(this.head);
    this.head = '';
    this.streaming = false;
  }

  /** What the failed task wrote to stderr (its tail). */
  stderr(part: number): string {
    return this.shown(chompOne(this.stderrOf.get(part)?.text ?? ''));
  }

  /** What the script printed outside any task (its tail). */
  get other(): string {
    return this.shown(this.outside.text);
  }

  /**
   * Output as it may be shown: a task can print the marker (its script holds the nonce) glued to other text,
   * where it is no marker but output; the nonce in it is never shown.
   */
  private shown(text: string): string {
    return text.includes(this.mark) ? text.split(this.mark).join('@@provision-<nonce>') : text;
  }

  /** Everything after the `gatherAfter` marker (undefined when the script never got there or it was too large). */
  get gathered(): string | undefined {
    return this.gatheredOutput && !this.gatheredOutput.overflow ? this.gatheredOutput.text : undefined;
  }

  /** The gather's answer went past ANSWER_MAX. */
  get gatheredTooLarge(): boolean {
    return !!this.gatheredOutput?.overflow;
  }

  private couldBeMarker(h: string): boolean {
    if (this.gatheredOutput || this.problem) return false;
    return h.length <= this.mark.length ? this.mark.startsWith(h) : h.startsWith(this.mark) && h.length <= this.mark.length + 64;
  }

  private take(piece: string): void {
    if (this.streaming) {
      this.sink.add(piece);
      return;
    }
    this.head += piece;
    if (this.couldBeMarker(this.head)) return;
    this.sink.line(this.head);
    this.head = '';
    this.streaming = true;
  }

  private endLine(on: (e: ApplyStreamEvent) => void): void {
    if (this.streaming) this.streaming = false;
    else if (this.head.startsWith(`${this.mark}-`)) this.marker(this.head.slice(this.mark.length + 1), on);
    else this.sink.line(this.head);
    this.head = '';
  }

  /**
   * A marker line. The newline the script printed before it ended the line before (output seen as
   * lines joined by newlines): so a task's output keeps exactly what it printed.
   */
  private marker(text: string, on: (e: ApplyStreamEvent) => void): void {
    const [what, a, b, c, ...more] = text.split(' ');
    const n = Number(a);
    const fits = (ok: boolean) => {
      // The nonce is never shown: the marker is named by what follows it.
      if (!ok) this.problem = new NodeAnswerError(`the apply script's stream: marker "${text.slice(0, 40)}" does not follow the script's order`);
      return ok;
    };
    if (what === 'dir' && fits(this.dir === undefined && this.next === 0 && !!a)) this.dir = a;
    else if (what === 'begin' && fits(!this.current && n === this.next && n < this.parts && b === undefined)) {
      this.next++;
      this.current = { part: n, output: new TailText(OUTPUT_TAIL) };
      this.sink = this.current.output;
      on({ kind: 'begin', part: n });
    } else if (what === 'end' && fits(this.current?.part === n && /^\d+$/.test(b ?? '') && (c === undefined || c === 'unchanged') && !more.length)) {
      const output = this.shown(chompOne(this.current!.output.text));
      this.current = undefined;
      this.lastEnded = n;
      this.sink = this.outside;
      on({ kind: 'end', part: n, code: Number(b), output, ...(c === 'unchanged' ? { unchanged: true as const } : {}) });
    } else if (what === 'stderr' && fits(!this.current && n === this.lastEnded && !this.stderrOf.has(n))) {
      this.stderrOf.set(n, new TailText(OUTPUT_TAIL));
      this.sink = this.stderrOf.get(n)!;
    } else if (what === 'gathered' && fits(!this.current)) {
      this.gatheredOutput = new CappedText(ANSWER_MAX);
      this.sink = this.gatheredOutput;
    } else if (!['dir', 'begin', 'end', 'stderr', 'gathered'].includes(what ?? '')) fits(false);
    // Once the stream cannot be read, the rest is kept as output only.
    if (this.problem) this.sink = this.outside;
  }
}

/** A task's output ends with the newline its last line had (or not: the marker's newline is taken back). */
const chompOne = (s: string) => (s.endsWith('\n') ? s.slice(0, -1) : s);
