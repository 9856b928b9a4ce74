import { Document, visit } from 'yaml';
import { TemplateError } from '../core/errors.js';
import { q } from '../transport/shell.js';
import { UNCARRIABLE } from '../core/uncarriable.js';

export { UNCARRIABLE };

/**
 * One encoder per output format. Templates pass every value through the encoder of the format
 * they write, so a value stays a value: it cannot end a line, open a table, add an argument or a
 * directive. An encoder throws when its format cannot carry a value at all; the variable types
 * (src/roles/value-types.ts) refuse such values earlier, with the variable's name.
 */

function refuse(format: string, value: unknown, why: string): never {
  throw new TemplateError(`${format}: cannot write ${JSON.stringify(value)}: ${why}`);
}

const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A TOML basic string; TOML forbids raw C0 controls and DEL (toml.io/en/v1.0.0#string). */
export function tomlString(s: string): string {
  return (
    '"' +
    s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
      const short: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };
      return short[c] ?? hex4(c);
    }) +
    '"'
  );
}

/** A TOML value. Integers beyond 2^53 lost their digits when read and are refused, not rounded. */
export function tomlValue(value: unknown): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    if (Number.isInteger(value)) {
      if (!Number.isSafeInteger(value)) refuse('TOML', value, 'an integer beyond 2^53 cannot be read exactly; quote it as a string');
      return String(value);
    }
    return String(value); // JS prints finite non-integers as valid TOML floats (1.5, 1e+300, 5e-7)
  }
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`)
      .join(', ')} }`;
  }
  return refuse('TOML', value, 'TOML has no null');
}

export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** A JSON value (JSON escapes every character JSON needs escaped). */
export function jsonValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) refuse('JSON', value, 'not a JSON value');
  return text;
}

/**
 * A YAML double-quoted scalar: JSON's escapes are YAML's, plus escapes for what YAML forbids raw
 * (C1 controls, DEL) or reads as a line break in YAML 1.1 (NEL, U+2028, U+2029).
 */
export function yamlString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, hex4);
}

const YAML_INVISIBLE = /[\u0085\u2028\u2029\ufeff]/;

/** A YAML block (through the serializer), indented by `indent` spaces to sit under a key. */
export function yamlBlock(value: unknown, indent = 0): string {
  // YAML 1.1 rules for what needs quotes: kubelet and crictl read YAML with go-yaml, for which
  // `y`, `on`, `010`, `2:30` and `2001-01-01` are no strings.
  // No block scalars: their trailing line breaks are part of the value, and an indented block would have to keep them exact.
  // Strings holding what YAML readers take for a BOM or a line break are double-quoted, and those
  // characters escaped (the serializer would write them raw): only double-quoted scalars hold them.
  const doc = new Document(value, { version: '1.1' });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && YAML_INVISIBLE.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  const text = doc.toString({ lineWidth: 0, blockQuote: false }).replace(/\n$/, '').replace(new RegExp(YAML_INVISIBLE.source, 'g'), hex4);
  const pad = ' '.repeat(indent);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/**
 * One argument of a systemd Exec*= line (systemd.service(5) "Command lines"): `%` starts a
 * specifier and `$` a variable, so both are doubled; an argument with anything but safe characters
 * is double-quoted with `\` and `"` escaped, so whitespace cannot split it into more arguments.
 * systemd cannot carry a raw line break in a unit line.
 */
export function systemdArg(value: unknown): string {
  return systemdWord(String(value), true);
}

/**
 * The program of an Exec*= line. systemd never substitutes variables in it (systemd.service(5):
 * the first argument "may not be a variable"), so a `$` there is literal and must not be doubled;
 * argv[0], which is substituted, then comes separately after the `@` prefix.
 */
export function systemdExec(value: unknown): string {
  const s = String(value);
  return s.includes('$') ? `@${systemdWord(s, false)} ${systemdWord(s, true)}` : systemdWord(s, true);
}

function systemdWord(s: string, substituted: boolean): string {
  if (s === '') return '""';
  if (UNCARRIABLE.test(s)) refuse('systemd unit', s, 'control characters and line breaks cannot be written in a unit file');
  const escaped = substituted ? s.replace(/%/g, '%%').replace(/\$/g, '$$$$') : s.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_/.:,=+%$-]+$/.test(escaped) && escaped !== ';') return escaped;
  return `"${escaped.replace(/[\\"]/g, '\\$&')}"`;
}

/** A systemd directive's value (Description=, ...): one line, specifiers doubled. */
export function systemdValue(value: unknown): string {
  const s = String(value);
  if (UNCARRIABLE.test(s)) refuse('systemd unit', s, 'control characters and line breaks cannot be written in a unit file');
  return s.replace(/%/g, '%%');
}

/**
 * A tmpfiles.d(5) path or argument field: whitespace separates fields and `%` starts a specifier,
 * so a field is quoted when it needs to be (tmpfiles unquotes and C-unescapes fields) and `%` doubled.
 */
export function tmpfilesField(value: unknown): string {
  const s = String(value);
  if (UNCARRIABLE.test(s)) refuse('tmpfiles.d', s, 'control characters and line breaks cannot be written in a tmpfiles.d line');
  if (/\s|\\|"|'/.test(s)) refuse('tmpfiles.d', s, 'whitespace, quotes and backslashes are not written into tmpfiles.d fields');
  return s.replace(/%/g, '%%');
}

/** Text in a `#` comment of any of these formats: one line, nothing else. */
export function commentText(value: unknown): string {
  const s = String(value);
  if (UNCARRIABLE.test(s)) refuse('comment', s, 'a line break would end the comment');
  return s;
}

/** A shell word, for template text that is a command (a task's validate:). */
export const shellWord = (value: unknown): string => q(String(value));
