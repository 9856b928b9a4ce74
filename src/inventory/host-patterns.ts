import { readFileSync } from 'node:fs';
import { InventoryError, UsageError } from '../core/errors.js';
import { isHostAddress } from './host-address.js';
import type { Inventory } from './inventory.js';

/**
 * Ansible host patterns, as `--limit` reads them (ansible-core `inventory/manager.py`):
 * terms split by `,` (or `:` outside brackets), plain terms first, then `&` intersections,
 * then `!` exclusions; each term a name, glob, `~regex` or group, optionally subscripted.
 */
export function selectHosts(inv: Inventory, pattern: string | string[], opts: { cwd?: string } = {}): string[] {
  const terms = (Array.isArray(pattern) ? pattern : [pattern]).flatMap((p) => expandFileTerms(splitPattern(p), opts.cwd));
  if (terms.length === 0) throw new UsageError('empty host pattern');
  const plain = terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'));
  const and = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const not = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));

  const selected = new Set<string>();
  for (const term of plain.length ? plain : ['all']) {
    const hosts = matchTerm(inv, term);
    // Ansible warns and ignores a term that matches nothing; a name that exists nowhere is a typo here.
    if (hosts.length === 0 && !namesSomething(inv, term)) throw noMatch(inv, term);
    for (const h of hosts) selected.add(h);
  }
  for (const term of and) {
    const keep = new Set(matchTerm(inv, term));
    for (const h of [...selected]) if (!keep.has(h)) selected.delete(h);
  }
  for (const term of not) for (const h of matchTerm(inv, term)) selected.delete(h);

  // `ansible all --limit P` runs the hosts in the order of the `all` group.
  const result = inv.groupHosts('all').filter((h) => selected.has(h));
  if (result.length === 0) throw new InventoryError(`host pattern "${terms.join(',')}" leaves no hosts to target`);
  return result;
}

/**
 * ansible-core's `split_host_pattern`: on `,` if there is one; else one pattern if the whole is a
 * host address (`web[1:3]`, `host:22`, IPv6), else the `:`-separated terms (brackets kept whole).
 */
function splitPattern(pattern: string): string[] {
  const parts = pattern.includes(',') ? pattern.split(',') : isHostAddress(pattern) ? [pattern] : (pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []);
  // ansible-core's findall silently drops an unmatched bracket, so `~[` becomes `~`, a regex that
  // matches every host: a rollout must not widen on a typo, so refuse what would be dropped.
  const dropped = pattern.includes(',') || isHostAddress(pattern) ? '' : pattern.replace(/(?:[^\s:[\]]|\[[^\]]*\])+/g, '').replace(/[\s:]/g, '');
  if (dropped) throw new UsageError(`host pattern "${pattern}" has an unmatched "${dropped[0]}": write [ and ] in pairs`);
  return parts.map((t) => t.trim()).filter(Boolean);
}

function expandFileTerms(terms: string[], cwd?: string): string[] {
  return terms.flatMap((t) => {
    if (!t.startsWith('@')) return [t];
    const path = t.slice(1);
    let text: string;
    try {
      text = readFileSync(cwd && !path.startsWith('/') ? `${cwd}/${path}` : path, 'utf8');
    } catch {
      throw new UsageError(`cannot read host list "${path}" given as ${t}`);
    }
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  });
}

/**
 * Hosts one term selects, as `_enumerate_matches` + `_apply_subscript`: the hosts of every matching
 * group (groups in definition order), then matching hosts when no group matched or the term is a
 * glob or regex; a subscript indexes that list as it stands, duplicates included.
 */
function matchTerm(inv: Inventory, term: string): string[] {
  const { base, subscript } = splitSubscript(term);
  const matcher = toMatcher(base);
  const found: string[] = [];
  const groups = [...inv.groups.keys()].filter(matcher);
  for (const g of groups) found.push(...inv.groupHosts(g));
  if (groups.length === 0 || base.startsWith('~') || /[.?*[]/.test(base)) {
    for (const h of inv.hosts.keys()) if (matcher(h)) found.push(h);
  }
  return [...new Set(subscript ? applySubscript(found, subscript, term) : found)];
}

/** `(start, end)`: `g[i]` is `(i, undefined)`, `g[i:]` is `(i, -1)`, `g[i:j]` is `(i, j)`. */
interface Subscript {
  start: number;
  end?: number;
}

/** Ansible's PATTERN_WITH_SUBSCRIPT: `[-?N]`, or `[N:M]`/`[N:]` with non-negative numbers. */
function splitSubscript(term: string): { base: string; subscript?: Subscript } {
  if (term.startsWith('~')) return { base: term };
  const m = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/.exec(term);
  if (!m) return { base: term };
  const [, base, index, start, , end] = m as unknown as [string, string, string | undefined, string, string, string];
  if (index !== undefined) return { base, subscript: { start: Number(index) } };
  return { base, subscript: { start: Number(start), end: end === '' ? -1 : Number(end) } };
}

/** Python's `hosts[start:end + 1]`, or `[hosts[start]]`; an end of 0 reads as no end, as in Ansible. */
function applySubscript(hosts: string[], s: Subscript, term: string): string[] {
  if (hosts.length === 0) return hosts;
  const at = (i: number) => (i < 0 ? Math.max(0, hosts.length + i) : Math.min(i, hosts.length));
  if (!s.end) {
    const host = hosts[s.start < 0 ? hosts.length + s.start : s.start];
    if (host === undefined) throw new InventoryError(`no hosts matched the subscripted pattern "${term}" (index ${s.start} of ${hosts.length} hosts)`);
    return [host];
  }
  const end = s.end === -1 ? hosts.length - 1 : s.end;
  return hosts.slice(at(s.start), at(end + 1));
}

function toMatcher(pattern: string): (name: string) => boolean {
  if (pattern.startsWith('~')) {
    if (pattern === '~') throw new UsageError('host pattern "~" has an empty regular expression, which would match every host');
    let re: RegExp;
    try {
      // Python's re.match, which Ansible uses: anchored at the start only.
      re = new RegExp(`^(?:${pattern.slice(1)})`);
    } catch (e) {
      throw new UsageError(`invalid regular expression in host pattern "${pattern}": ${(e as Error).message}`);
    }
    return (name) => re.test(name);
  }
  if (!/[*?[]/.test(pattern)) return (name) => name === pattern;
  let re: RegExp;
  try {
    re = new RegExp(`^${globToRegex(pattern)}$`);
  } catch (e) {
    // A bracket set JavaScript cannot read (`w[\]`, `w[z-a]`): usage, with the pattern named, never a crash.
    throw new UsageError(`invalid glob in host pattern "${pattern}": ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  return (name) => re.test(name);
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        const body = glob.slice(i + 1, close);
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return out;
}

/** The term names an existing group or host (an empty group selects no host but is no typo). */
function namesSomething(inv: Inventory, term: string): boolean {
  const matcher = toMatcher(splitSubscript(term).base);
  return [...inv.groups.keys()].some(matcher) || [...inv.hosts.keys()].some(matcher);
}

function noMatch(inv: Inventory, term: string): InventoryError {
  const names = [...inv.hosts.keys(), ...inv.groups.keys()];
  const close = closeNames(term.replace(/^[&!]/, ''), names);
  const hint = close.length ? `; did you mean ${close.map((n) => `"${n}"`).join(', ')}?` : '';
  return new InventoryError(`host pattern "${term}" matches no host or group${hint}`);
}

export function closeNames(word: string, names: string[], max = 3): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return [...new Set(names)]
    .map((n) => ({ n, d: editDistance(word.toLowerCase(), n.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map(({ n }) => n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
