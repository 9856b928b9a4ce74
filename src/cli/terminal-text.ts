import { maskText } from '../core/secrets.js';

/**
 * What reaches a terminal is text, never a command to the terminal. A node's daemon.json, an image
 * tag, a task's stderr or an inventory name may hold `ESC[2J` (clear the screen), an OSC title
 * (`ESC]0;...BEL`), a carriage return that overwrites a line, or a bidi override that reorders
 * what is shown. Every such character except newline and tab is shown as a visible escape:
 * - C0 (and nothing else) as `\xHH`: JSON output never holds them raw (JSON.stringify writes `\u001b`);
 * - DEL, C1 (`\u009b` is a one-byte CSI), bidi controls and line/paragraph separators as `\uHHHH`,
 *   which inside a JSON string (inventory --list, report to stdout) reads back as the same character.
 */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const ANY_CONTROL = new RegExp(CONTROL.source);

const visible = (c: string): string => {
  const code = c.charCodeAt(0);
  return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** `text` with every control character but `\n` and `\t` shown as an escape. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, visible);
}

/** Whether `text` holds a character a terminal would act on (not `\n`, `\t`). */
export function hasControls(text: string): boolean {
  return ANY_CONTROL.test(text);
}

/** Text as a person is shown it: secrets masked, then control characters escaped. */
export function shownText(text: string): string {
  return escapeControls(maskText(text));
}

export type Write = (text: string) => void;

/** A writer that shows only text on `stream`: the one way the CLI writes what it prints. */
export function textWriter(stream: NodeJS.WritableStream): Write {
  return (text) => void stream.write(shownText(text));
}

/** The CLI's standard output and error, as text writers. */
export const out: Write = (text) => textWriter(process.stdout)(text);
export const err: Write = (text) => textWriter(process.stderr)(text);
/** Standard output for `inventory --show-secrets`: secrets shown as asked, control characters still escaped. */
export const outWithSecrets: Write = (text) => void process.stdout.write(escapeControls(text));
