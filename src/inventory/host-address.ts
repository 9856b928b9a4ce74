/**
 * ansible-core's `parse_address(..., allow_ranges=True)` (`parsing/utils/addresses.py`), used to
 * decide whether a colon-holding pattern is one host (`web[1:3]`, `10.0.0.1:22`, an IPv6 address)
 * or a `:`-separated list of patterns. The regular expressions are Ansible's, transcribed.
 */
const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const V6 = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const V4 = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const LABEL = String.raw`(?:[\w]|${ALNUM_RANGE})(?:[\w_-]|${ALNUM_RANGE})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(`^(?:${V4}\\.){3}${V4}$`, 'i');
// As in Python, `^` binds to the first alternative and `$` only to the last one.
const IPV6 = new RegExp(
  `^(?:(?:${V6}:){7}${V6}|(?:${V6}:){1,6}:|(?:${V6}:)(?::${V6}){1,6}|(?:${V6}:){2}(?::${V6}){1,5}|` +
    `(?:${V6}:){3}(?::${V6}){1,4}|(?:${V6}:){4}(?::${V6}){1,3}|(?:${V6}:){5}(?::${V6}){1,2}|(?:${V6}:){6}(?::${V6})|` +
    `:(?::${V6}){1,6}|${V6}?::|(?:0:){6}(?:${V6}\\.){3}${V6}|::(?:ffff:)?(?:${V6}\\.){3}${V6}|` +
    `(?:0:){5}ffff:(?:${V6}\\.){3}${V6}$)`,
  'i',
);
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'i');

/** True when Ansible would read `text` as one host (with optional port), not a pattern list. */
export function isHostAddress(text: string): boolean {
  let address = text;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(address);
    if (m) address = m[1]!;
  }
  return IPV4.test(address) || IPV6.test(address) || HOSTNAME.test(address);
}
