import { NodeAnswerError } from '../core/errors.js';
import { UNCARRIABLE } from '../core/uncarriable.js';

/**
 * The shapes of what a node answers, read the same way everywhere (gathers, carried settings, the
 * state file, image lists): a shape returns the value as provision uses it, or throws a
 * NodeAnswerError naming where the answer did not fit. A node is input like a file: nothing it
 * sends is trusted to have the shape its own software would write.
 */
export type Shape<T> = (value: unknown, where: string) => T;

const show = (v: unknown) => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)).slice(0, 80));

export function misfit(where: string, why: string): never {
  throw new NodeAnswerError(`${where} ${why}`);
}

/** A string with no control or line-break character: such values reach files, commands and terminals. */
export const text: Shape<string> = (v, where) => {
  if (typeof v !== 'string') return misfit(where, `is ${show(v)}, expected a string`);
  const c = UNCARRIABLE.exec(v);
  if (c) misfit(where, `holds the control character U+${c[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`);
  return v;
};

/** A string, number or boolean taken as text (Docker writes `"max-file": "3"`, people write 3). */
export const scalarText: Shape<string> = (v, where) => text(typeof v === 'number' || typeof v === 'boolean' ? String(v) : v, where);

export const list =
  <T>(item: Shape<T>): Shape<T[]> =>
  (v, where) => {
    if (!Array.isArray(v)) return misfit(where, `is ${show(v)}, expected a list`);
    return v.map((x, i) => item(x, `${where}[${i}]`));
  };

/** A JSON object (not null, not a list) whose every value has the shape `item`, keys being text. */
export const map =
  <T>(item: Shape<T>): Shape<Record<string, T>> =>
  (v, where) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return misfit(where, `is ${show(v)}, expected a map`);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k, `${where} key`), item(x, `${where}.${k}`)]));
  };

type Fields = Record<string, Shape<unknown>>;
type Read<F extends Fields> = { [K in keyof F]?: ReturnType<F[K]> };

/**
 * A JSON object of which only `fields` are read, each optional (absent stays absent, in the order of
 * `fields`: what is kept renders the same twice); other keys are left unread.
 */
export const fields =
  <F extends Fields>(shape: F): Shape<Read<F>> =>
  (v, where) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return misfit(where, `is ${show(v)}, expected a map`);
    const out: Record<string, unknown> = {};
    for (const [k, read] of Object.entries(shape)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = read(x, `${where} "${k}"`);
    }
    return out as Read<F>;
  };

/** A text matching `pattern` (described as `what` in the message). */
export const matching =
  (pattern: RegExp, what: string): Shape<string> =>
  (v, where) => {
    const s = text(v, where);
    return pattern.test(s) ? s : misfit(where, `is ${show(s)}, expected ${what}`);
  };
