import { StringDecoder } from 'node:string_decoder';
import { NodeAnswerError } from '../core/errors.js';
import type { RunResult } from './transport.js';

/**
 * What the controller keeps of a node's output, bounded whatever the node prints: a task's output
 * and any stderr keep their tail (the lines that say what went wrong), an answer provision must read
 * whole (a gather) is kept up to a size past which it is no answer provision reads.
 */

/** A task's kept output, a failed task's stderr, a script's stderr: the tail. */
export const OUTPUT_TAIL = 64 * 1024;
/** An answer read whole (a gather's): larger is refused. The largest real gather answers are a few MiB. */
export const ANSWER_MAX = 64 * 1024 * 1024;

/** Text seen as lines (`line` starts one) or as a stream (`add` continues the current one). */
export interface TextSink {
  add(s: string): void;
  line(s: string): void;
  readonly text: string;
}

/** The last `keep` characters of everything added, and how many were dropped before them. */
export class TailText implements TextSink {
  private buf = '';
  private started = false;
  dropped = 0;

  constructor(private readonly keep = OUTPUT_TAIL) {}

  add(s: string): void {
    if (s.length >= this.keep) {
      this.dropped += this.buf.length + s.length - this.keep;
      this.buf = s.slice(-this.keep);
      return;
    }
    this.buf += s;
    // Cut only once twice the size: each character is copied a bounded number of times (linear).
    if (this.buf.length > 2 * this.keep) this.cut();
  }

  line(s: string): void {
    if (this.started) this.add('\n');
    this.started = true;
    this.add(s);
  }

  private cut(): void {
    const over = this.buf.length - this.keep;
    if (over <= 0) return;
    this.dropped += over;
    this.buf = this.buf.slice(over);
  }

  get text(): string {
    this.cut();
    return this.dropped ? `[${this.dropped} characters dropped]\n${this.buf}` : this.buf;
  }
}

/** Everything added, up to `max` characters; past it, nothing is kept and `overflow` says so. */
export class CappedText implements TextSink {
  private chunks: string[] = [];
  private size = 0;
  private started = false;
  overflow = false;

  constructor(private readonly max = ANSWER_MAX) {}

  add(s: string): void {
    if (this.overflow) return;
    this.size += s.length;
    if (this.size > this.max) {
      this.overflow = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(s);
  }

  line(s: string): void {
    if (this.started) this.add('\n');
    this.started = true;
    this.add(s);
  }

  get text(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }
}

/**
 * A script's stdout and stderr as a transport collects them. Streamed stdout (`onStdout`: its reader
 * keeps what it needs) and stderr keep their tail; stdout read whole is capped at ANSWER_MAX, past
 * which `out` returns false and the transport ends the script: an answer that large is a failure.
 */
export class ScriptOutput {
  private readonly decoders = { out: new StringDecoder('utf8'), err: new StringDecoder('utf8') };
  private readonly stdout: TailText | CappedText;
  private readonly stderr = new TailText();

  constructor(private readonly onStdout?: (chunk: string) => void) {
    this.stdout = onStdout ? new TailText() : new CappedText();
  }

  /** False once stdout read whole went past ANSWER_MAX. */
  out(chunk: Buffer | string): boolean {
    const s = typeof chunk === 'string' ? chunk : this.decoders.out.write(chunk);
    this.stdout.add(s);
    this.onStdout?.(s);
    return !(this.stdout instanceof CappedText && this.stdout.overflow);
  }

  err(chunk: Buffer | string): void {
    this.stderr.add(typeof chunk === 'string' ? chunk : this.decoders.err.write(chunk));
  }

  result(code: number): RunResult {
    return { code, stdout: this.stdout.text, stderr: this.stderr.text };
  }

  static tooLarge(host: string): NodeAnswerError {
    return new NodeAnswerError(`an answer of more than ${ANSWER_MAX / 1024 / 1024} MiB (the script was ended)`, { host });
  }
}
