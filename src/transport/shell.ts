/**
 * Shell quoting. Every value that reaches a remote shell goes through `q`: a single-quoted word
 * in which nothing (quotes, `;`, `$()`, backticks, newlines) is special.
 */
export function q(value: string | number): string {
  const s = String(value);
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `{ print message to stderr; exit 1; }`, the message quoted (it may hold paths and URLs); `tail` is appended unquoted (e.g. "$got"). */
export function failWith(message: string, tail = ''): string {
  return `{ printf '%s%s\\n' ${q(message)} ${tail || "''"} >&2; exit 1; }`;
}
