import { InventoryError } from '../core/errors.js';

/**
 * Ansible's host ranges (`worker[01:20]`, `db-[a:f]`, `node[1:10:2]`) and `host:port` addresses,
 * with ansible-core's rules: bounds inclusive, zero padding kept when the start is padded,
 * letters stepping through a-zA-Z.
 */
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** More hosts than any fleet has: a typo like `w[0:99999999]` is refused before it fills memory. */
export const MAX_RANGE_HOSTS = 100_000;

export function expandHostRange(pattern: string): string[] {
  const m = /^(.*?)\[([^\]]*)\](.*)$/.exec(pattern);
  // ansible-core refuses the whole file here ("not enough values to unpack"): `[k8s_worker` is no host.
  if (!m && pattern.includes('[')) throw new InventoryError(`"${pattern}" has "[" with no closing "]": not a host range nor a section header`);
  if (!m || !m[2]!.includes(':')) {
    if (m && !m[2]!.includes(':')) throw new InventoryError(`host range must be begin:end or begin:end:step, got [${m[2]}]`);
    return [pattern];
  }
  const [, head, body, tail] = m as unknown as [string, string, string, string];
  const parts = body.split(':');
  if (parts.length > 3) throw new InventoryError(`host range must be begin:end or begin:end:step, got [${body}]`);
  const [beg = '', end = '', stepText] = parts;
  const step = stepText === undefined || stepText === '' ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new InventoryError(`host range step must be a positive integer, got "${stepText}"`);
  if (!end) throw new InventoryError(`host range must specify end value in [${body}]`);

  let items: string[];
  if (/^\d*$/.test(beg) && /^\d+$/.test(end)) {
    const padded = beg.length > 1 && beg.startsWith('0');
    if (padded && beg.length !== end.length) {
      throw new InventoryError(`host range must specify equal-length begin and end formats in [${body}]`);
    }
    const from = Number(beg || '0');
    const to = Number(end);
    if (from > to) throw new InventoryError(`host range begin must not be greater than end in [${body}]`);
    const count = Math.floor((to - from) / step) + 1;
    if (count > MAX_RANGE_HOSTS) throw new InventoryError(`host range [${body}] names ${count} hosts, more than the ${MAX_RANGE_HOSTS} allowed`);
    items = [];
    for (let i = from; i <= to; i += step) items.push(padded ? String(i).padStart(beg.length, '0') : String(i));
  } else {
    const from = LETTERS.indexOf(beg);
    const to = LETTERS.indexOf(end);
    if (beg.length !== 1 || end.length !== 1 || from < 0 || to < 0) {
      throw new InventoryError(`host range must be numbers or single letters, got [${body}]`);
    }
    if (from > to) throw new InventoryError(`host range begin must not be greater than end in [${body}]`);
    items = [];
    for (let i = from; i <= to; i += step) items.push(LETTERS[i]!);
  }
  // The tail may hold further ranges: expand them for every item of this one.
  const tails = expandHostRange(tail);
  if (items.length * tails.length > MAX_RANGE_HOSTS) {
    throw new InventoryError(`host range "${pattern}" names ${items.length * tails.length} hosts, more than the ${MAX_RANGE_HOSTS} allowed`);
  }
  return items.flatMap((item) => tails.map((t) => head + item + t));
}

/**
 * Splits `name:port`, `[v6addr]:port` and plain names; IPv6 literals without brackets carry no port.
 */
function splitHostPort(text: string): { name: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed && /^[0-9a-fA-F:.]+$/.test(bracketed[1]!) && bracketed[1]!.split(':').length > 2) {
    return bracketed[2] ? { name: bracketed[1]!, port: Number(bracketed[2]) } : { name: bracketed[1]! };
  }
  const outsideRanges = text.replace(/\[[^\]]*\]/g, '');
  const colons = outsideRanges.split(':').length - 1;
  // One colon outside range brackets is a port; more is a bare IPv6 address, which has none.
  if (colons !== 1) return { name: text };
  const at = text.lastIndexOf(':');
  const name = text.slice(0, at);
  const port = text.slice(at + 1);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new InventoryError(`invalid port "${port}" in "${text}"`);
  return { name, port: Number(port) };
}

/** Expands a host entry as written in an inventory (ranges and an optional port). */
export function expandHostEntry(text: string): { names: string[]; port?: number } {
  const bad = hostNameProblem(text);
  if (bad) throw new InventoryError(bad);
  const { name, port } = splitHostPort(text);
  const names = expandHostRange(name);
  return port === undefined ? { names } : { names, port };
}

/**
 * A host name is a word for ssh, a file name under host_vars/ and a key in reports: a NUL (which no
 * path or argument can hold), another control character, or text that was not valid UTF-8 (read as
 * U+FFFD) is refused where the name is written, before anything uses it.
 */
export function hostNameProblem(name: string, what = 'host name'): string | undefined {
  const bad = /[\x00-\x1f\x7f-\x9f\ufffd]/.exec(name);
  if (!bad) return undefined;
  const c = bad[0].charCodeAt(0);
  const held = c === 0 ? 'a NUL byte' : c === 0xfffd ? 'bytes that are not valid UTF-8' : `the control character U+${c.toString(16).padStart(4, '0')}`;
  return `${what} ${JSON.stringify(name)} holds ${held}`;
}
