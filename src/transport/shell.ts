/**
 * Shell quoting. Every value that reaches a remote shell goes through `q`: a single-quoted word
 * in which nothing (quotes, `;`, `$()`, backticks, newlines) is special.
 */
export function q(value: string | number): string {
  const s = String(value);
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A heredoc that writes `content` (any bytes) to `path` through base64, so no byte is special. */
export function writeFileScript(path: string, content: string | Buffer): string {
  const b64 = Buffer.from(content).toString('base64').replace(/.{1,76}/g, '$&\n');
  const tag = 'PROVISION_EOF_' + Math.random().toString(36).slice(2, 10);
  return `base64 -d > ${q(path)} <<'${tag}'\n${b64}${tag}\n`;
}

/** `{ print message to stderr; exit 1; }`, the message quoted (it may hold paths and URLs); `tail` is appended unquoted (e.g. "$got"). */
export function failWith(message: string, tail = ''): string {
  return `{ printf '%s%s\\n' ${q(message)} ${tail || "''"} >&2; exit 1; }`;
}

/** Removes `path` when the script exits, however it exits. The trap body is itself quoted: the shell evaluates it again. */
export function removeOnExit(path: string): string {
  return `trap ${q(`rm -f -- ${q(path)}`)} EXIT`;
}
